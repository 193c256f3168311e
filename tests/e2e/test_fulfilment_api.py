"""Fulfilment end to end over HTTP: confirm -> pick -> pack -> ship -> carrier events."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.builders import order_body
from tests.conftest import FakeClock, bearer

API = "/api/v1"


def location(client: TestClient, code: str, country: str, postal: str, **kw: Any) -> None:
    body = {
        "code": code,
        "name": f"{code} warehouse",
        "kind": "warehouse",
        "country": country,
        "postal_code": postal,
        "ships": True,
        **kw,
    }
    r = client.post(f"{API}/locations", json=body)
    assert r.status_code == 201, r.text


def product(client: TestClient, sku: str, weight: int = 500, barcode: str | None = None) -> None:
    body: dict[str, Any] = {"sku": sku, "name": f"{sku} item", "price": "10.00"}
    body["weight_grams"] = weight
    if barcode:
        body["barcode"] = barcode
    assert client.post(f"{API}/products", json=body).status_code == 201


def stock(client: TestClient, loc: str, sku: str, n: int) -> None:
    r = client.put(f"{API}/stock/{loc}/{sku}", json={"on_hand": n})
    assert r.status_code == 200, r.text


@pytest.fixture
def shop(client: TestClient) -> TestClient:
    location(client, "PAR", "FR", "75011", priority=10)
    location(client, "LYO", "FR", "69001")
    location(client, "BER", "DE", "10115")
    product(client, "TEE", barcode="3000000000017")
    product(client, "MUG", weight=350)
    stock(client, "PAR", "TEE", 5)
    stock(client, "PAR", "MUG", 1)
    stock(client, "LYO", "TEE", 5)
    stock(client, "LYO", "MUG", 5)
    stock(client, "BER", "MUG", 10)
    return client


def place_confirmed(client: TestClient, *lines: tuple[str, int], **kw: Any) -> dict[str, Any]:
    r = client.post(f"{API}/orders", json=order_body(*lines, **kw))
    assert r.status_code == 201, r.text
    r = client.post(f"{API}/orders/{r.json()['id']}/confirm")
    assert r.status_code == 200, r.text
    return r.json()


def shipments_of(client: TestClient, order_id: int) -> list[dict[str, Any]]:
    r = client.get(f"{API}/shipments", params={"order_id": order_id})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def carrier_client(client: TestClient, container: Any) -> TestClient:
    from oms.domain.access import SYSTEM, Role
    from oms.domain.users import NewUser
    from oms.services.users import create_user

    token = create_user(
        container.uow(), SYSTEM, NewUser("post-driver", Role.CARRIER, "oms-post")
    ).token.token
    return TestClient(client.app, headers=bearer(token))


def test_whole_journey(shop: TestClient, container: Any, clock: FakeClock) -> None:
    order = place_confirmed(shop, ("TEE", 2), ("MUG", 2))
    assert order["status"] == "confirmed"
    assert order["tracking_url"].startswith("/track/")
    ships = shipments_of(shop, order["id"])
    # PAR holds only 1 MUG; LYO can ship the whole order, so it does.
    assert [(s["location"], s["status"]) for s in ships] == [("LYO", "open")]
    detail = shop.get(f"{API}/orders/{order['id']}").json()
    assert detail["sourcing"]["chosen"] == ["LYO"]

    r = shop.post(f"{API}/pick-lists", json={"location": "LYO"})
    assert r.status_code == 201, r.text
    pick = r.json()
    assert pick["shipments"] == [ships[0]["id"]]
    assert {(ln["sku"], ln["quantity"]) for ln in pick["lines"]} == {("TEE", 2), ("MUG", 2)}
    assert shop.get(f"{API}/orders/{order['id']}").json()["status"] == "processing"
    pdf = shop.get(f"{API}/pick-lists/{pick['id']}/pick-list.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    sid = ships[0]["id"]
    r = shop.post(
        f"{API}/pick-lists/{pick['id']}/complete",
        json={
            "picked": [
                {"shipment_id": sid, "sku": "TEE", "quantity": 2},
                {"shipment_id": sid, "sku": "MUG", "quantity": 2},
            ]
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "completed"

    bad = shop.post(
        f"{API}/shipments/{sid}/pack", json={"scanned": [{"sku": "TEE", "quantity": 2}]}
    )
    assert bad.status_code == 409
    assert bad.json()["errors"] == [
        {
            "field": "MUG",
            "message": "expected 2, scanned 0",
            "sku": "MUG",
            "expected": 2,
            "scanned": 0,
        }
    ]
    r = shop.post(
        f"{API}/shipments/{sid}/pack",
        json={"scanned": [{"sku": "3000000000017", "quantity": 2}, {"sku": "MUG", "quantity": 2}]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "packed" and r.json()["weight_grams"] == 1700

    r = shop.post(f"{API}/shipments/{sid}/ship", json={})
    assert r.status_code == 200, r.text
    shipped = r.json()
    assert shipped["status"] == "shipped"
    assert shipped["carrier"] == "oms-post" and shipped["service"] == "standard"
    assert shipped["tracking_number"].endswith("FR")
    # Monday 09:00 UTC is before the 15:00 Paris cut-off: ships today, FR domestic is 2 days.
    assert shipped["ship_date"] == "2026-03-02"
    assert shipped["promised_delivery_date"] == "2026-03-04"
    label = shop.get(f"{API}/shipments/{sid}/label.pdf")
    assert label.status_code == 200
    text = PdfReader(BytesIO(label.content)).pages[0].extract_text()
    assert shipped["tracking_number"] in text
    slip = shop.get(f"{API}/shipments/{sid}/packing-slip.pdf")
    assert slip.status_code == 200

    detail = shop.get(f"{API}/orders/{order['id']}").json()
    assert detail["status"] == "shipped"
    assert [ln["shipped_quantity"] for ln in detail["lines"]] == [2, 2]
    rows = {
        r["sku"]: r for r in shop.get(f"{API}/stock", params={"location": "LYO"}).json()["items"]
    }
    assert (rows["TEE"]["on_hand"], rows["TEE"]["reserved"]) == (3, 0)
    found = shop.get(f"{API}/orders", params={"q": shipped["tracking_number"]}).json()["items"]
    assert [o["id"] for o in found] == [order["id"]]

    carrier = carrier_client(shop, container)
    event = {
        "tracking_number": shipped["tracking_number"],
        "status": "in_transit",
        "at": "2026-03-02T18:00:00+01:00",
    }
    r = carrier.post(f"{API}/carriers/oms-post/events", json=event)
    assert r.status_code == 200, r.text
    assert r.json()["applied"] is True
    again = carrier.post(f"{API}/carriers/oms-post/events", json=event)
    assert again.status_code == 200 and again.json()["recorded"] is False
    delivered = {**event, "status": "delivered", "at": "2026-03-04T11:00:00+01:00"}
    assert carrier.post(f"{API}/carriers/oms-post/events", json=delivered).status_code == 200
    late_transit = {**event, "status": "out_for_delivery", "at": "2026-03-03T08:00:00+01:00"}
    r = carrier.post(f"{API}/carriers/oms-post/events", json=late_transit)
    assert r.status_code == 200 and r.json()["applied"] is False
    assert r.json()["shipment"]["status"] == "delivered"
    detail = shop.get(f"{API}/orders/{order['id']}").json()
    assert detail["status"] == "delivered"
    assert [ln["delivered_quantity"] for ln in detail["lines"]] == [2, 2]

    page = shop.get(detail["tracking_url"])
    assert page.status_code == 200
    assert shipped["tracking_number"] in page.text
    assert "TEE item" in page.text and "MUG item" in page.text  # product names
    assert "1 rue de la Paix" not in page.text
    assert shop.get("/track/" + "x" * 22).status_code == 404
