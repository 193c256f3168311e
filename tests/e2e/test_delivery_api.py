"""Local delivery and delivery runs end to end over HTTP: settings, a run made, re-ordered,
started by its driver, stops delivered and not, the manifest, the proof, and the answers
for what may not be done (401/403/404/409/422)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.users import NewUser
from oms.services.users import create_user
from tests.builders import order_body
from tests.conftest import bearer
from tests.e2e.test_fulfilment_api import location, product, stock

API = "/api/v1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG).decode()
LOCAL = {
    "postal_prefixes": ["75", "92"],
    "base": "4.90",
    "per_kg": "0.50",
    "currency": "EUR",
    "transit_days": 0,
    "cut_off": "11:00",
    "max_attempts": 2,
}


def _as(client: TestClient, container: Container, name: str, role: Role, **kw: Any) -> TestClient:
    token = create_user(container.uow(), SYSTEM, NewUser(name, role, **kw)).token.token
    return TestClient(client.app, headers=bearer(token))


@pytest.fixture
def shop(client: TestClient) -> TestClient:
    location(client, "PAR", "FR", "75019")
    location(client, "LYO", "FR", "69001")
    product(client, "TEE", weight=400)
    stock(client, "PAR", "TEE", 10)
    r = client.put(f"{API}/locations/PAR/local-delivery", json=LOCAL)
    assert r.status_code == 200, r.text
    return client


def _packed(client: TestClient, postal_code: str, street: str) -> int:
    body = order_body(("TEE", 1))
    body["shipping_address"] |= {"postal_code": postal_code, "line1": street, "city": "Paris"}
    body["customer"]["phone"] = "+33 6 12 34 56 78"
    r = client.post(f"{API}/orders", json=body)
    assert r.status_code == 201, r.text
    assert client.post(f"{API}/orders/{r.json()['id']}/confirm").status_code == 200
    pick = client.post(f"{API}/pick-lists", json={"location": "PAR"}).json()
    [sid] = pick["shipments"]
    done = {"picked": [{"shipment_id": sid, "sku": "TEE", "quantity": 1}]}
    assert client.post(f"{API}/pick-lists/{pick['id']}/complete", json=done).status_code == 200
    r = client.post(
        f"{API}/shipments/{sid}/pack", json={"scanned": [{"sku": "TEE", "quantity": 1}]}
    )
    assert r.status_code == 200, r.text
    return int(sid)


def test_local_delivery_settings_are_the_admins(shop: TestClient, container: Container) -> None:
    got = shop.get(f"{API}/locations/PAR/local-delivery").json()
    assert got["postal_prefixes"] == ["75", "92"] and got["base"] == "4.90"
    assert shop.get(f"{API}/locations/LYO/local-delivery").status_code == 404
    bad = shop.put(f"{API}/locations/PAR/local-delivery", json=LOCAL | {"base": "-1"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "base"
    clerk = _as(shop, container, "clerk", Role.WAREHOUSE)
    assert clerk.put(f"{API}/locations/PAR/local-delivery", json=LOCAL).status_code == 403
    assert shop.put(f"{API}/locations/NOPE/local-delivery", json=LOCAL).status_code == 404


def test_a_run_from_packing_to_the_doorstep(shop: TestClient, container: Container) -> None:
    far, near = _packed(shop, "75011", "30 rue Oberkampf"), _packed(shop, "75003", "3 rue Charlot")
    clerk = _as(shop, container, "clerk", Role.WAREHOUSE, location="PAR")
    van = _as(shop, container, "van", Role.DRIVER, location="PAR")
    waiting = clerk.get(f"{API}/locations/PAR/waiting-parcels").json()["items"]
    assert [p["shipment_id"] for p in waiting] == [near, far]
    r = clerk.post(f"{API}/delivery-runs", json={"location": "PAR"})
    assert r.status_code == 201, r.text
    run = r.json()
    assert [s["shipment_id"] for s in run["stops"]] == [near, far]
    assert run["stops"][0]["phone"] == "+33612345678"
    assert run["stops"][0]["map_url"].startswith("https://www.openstreetmap.org/search?query=")
    rid = run["id"]
    r = clerk.put(f"{API}/delivery-runs/{rid}/stops", json={"order": [far, near]})
    assert [s["seq"] for s in r.json()["stops"]] == [1, 2] and r.json()["stops"][0][
        "shipment_id"
    ] == far
    assert clerk.put(f"{API}/delivery-runs/{rid}/stops", json={"order": [far]}).status_code == 422
    pdf = clerk.get(f"{API}/delivery-runs/{rid}/manifest.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    r = van.post(f"{API}/delivery-runs/{rid}/start")
    assert r.status_code == 200, r.text
    started = r.json()
    assert started["driver"] == "van" and started["status"] == "started"
    assert {s["status"] for s in started["stops"]} == {"out_for_delivery"}
    assert all(s["tracking_number"].startswith("LD") for s in started["stops"])
    assert van.post(f"{API}/delivery-runs/{rid}/start").status_code == 409

    path = f"{API}/delivery-runs/{rid}/stops"
    ok = {"recipient": "Ann Smith", "proof": SIGNATURE}
    r = van.post(f"{path}/{far}/delivered", json=ok)
    assert r.status_code == 200, r.text
    assert r.json() | {"recorded": True} == r.json() and r.json()["shipment_status"] == "delivered"
    again = van.post(f"{path}/{far}/delivered", json=ok)
    assert again.status_code == 200 and again.json()["recorded"] is False
    conflict = van.post(f"{path}/{far}/failed", json={"reason": "not_home"})
    assert conflict.status_code == 409
    assert conflict.headers["content-type"].startswith("application/problem+json")
    bad_proof = {
        "recipient": "X",
        "proof": "data:image/png;base64," + base64.b64encode(b"GIF8").decode(),
    }
    assert van.post(f"{path}/{near}/delivered", json=bad_proof).status_code == 422
    assert van.post(f"{path}/{near}/failed", json={"reason": "lost"}).status_code == 422
    r = van.post(f"{path}/{near}/failed", json={"reason": "not_home", "note": "left a card"})
    assert r.status_code == 200 and r.json()["attempt"] == 1 and not r.json()["returned"]
    assert van.post(f"{path}/999999/failed", json={"reason": "not_home"}).status_code == 404

    proof = shop.get(f"{API}/shipments/{far}/proof")
    assert proof.status_code == 200 and proof.content == PNG
    assert proof.headers["content-type"] == "image/png"
    assert van.get(f"{API}/shipments/{far}/proof").status_code == 403
    assert TestClient(shop.app).get(f"{API}/shipments/{far}/proof").status_code == 401
    assert shop.get(f"{API}/shipments/{near}/proof").status_code == 404

    r = van.post(f"{API}/delivery-runs/{rid}/finish")
    assert r.status_code == 200 and r.json()["status"] == "finished"
    listed = van.get(f"{API}/delivery-runs", params={"status": "finished"}).json()["items"]
    assert [(x["id"], x["delivered"], x["failed"]) for x in listed] == [(rid, 1, 1)]

    # The second attempt is the last at PAR (max_attempts 2): the parcel comes back.
    second = clerk.post(f"{API}/delivery-runs", json={"location": "PAR", "driver": "van"}).json()
    assert [s["shipment_id"] for s in second["stops"]] == [near]
    assert van.post(f"{API}/delivery-runs/{second['id']}/start").status_code == 200
    r = van.post(
        f"{API}/delivery-runs/{second['id']}/stops/{near}/failed", json={"reason": "address_wrong"}
    )
    assert r.json()["returned"] is True and r.json()["shipment_status"] == "returned"
    order_id = shop.get(f"{API}/shipments/{near}").json()["order_id"]
    events = [e["type"] for e in shop.get(f"{API}/orders/{order_id}/events").json()["items"]]
    assert events.count("shipment.delivery_failed") == 2
    assert "shipment.returned" in events and "order.problem_reported" in events


def test_drivers_act_only_at_their_own_location(shop: TestClient, container: Container) -> None:
    _packed(shop, "75011", "30 rue Oberkampf")
    run = shop.post(f"{API}/delivery-runs", json={"location": "PAR"}).json()
    lyon = _as(shop, container, "lyon-van", Role.DRIVER, location="LYO")
    assert lyon.get(f"{API}/delivery-runs/{run['id']}").status_code == 403
    assert lyon.post(f"{API}/delivery-runs/{run['id']}/start").status_code == 403
    assert lyon.get(f"{API}/locations/PAR/waiting-parcels").status_code == 403
    assert lyon.post(f"{API}/delivery-runs", json={"location": "LYO"}).status_code == 403
    assert lyon.get(f"{API}/orders").status_code == 403
    assert shop.get(f"{API}/delivery-runs/999999").status_code == 404
    assert shop.post(f"{API}/delivery-runs", json={"location": "LYO"}).status_code == 409
    assert shop.post(f"{API}/delivery-runs", json={"location": "PAR", "x": 1}).status_code == 422


def test_a_driver_user_needs_a_location(shop: TestClient) -> None:
    r = shop.post(f"{API}/users", json={"name": "van2", "role": "driver"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "location"
    r = shop.post(f"{API}/users", json={"name": "van2", "role": "driver", "location": "PAR"})
    assert r.status_code == 201, r.text
