"""The HTTP contract of API.md for catalogue, stock and orders, end to end."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import order_body

API = "/api/v1"
PROBLEM = "application/problem+json"


@pytest.fixture
def shop(client: TestClient) -> TestClient:
    """A location with two stocked products."""
    r = client.post(
        f"{API}/locations",
        json={
            "code": "PAR",
            "name": "Paris",
            "kind": "warehouse",
            "country": "FR",
            "postal_code": "75011",
            "ships": True,
        },
    )
    assert r.status_code == 201, r.text
    for sku, price, on_hand in (("TEE", "19.90", 5), ("MUG", "8.50", 2)):
        assert (
            client.post(
                f"{API}/products", json={"sku": sku, "name": sku.title(), "price": price}
            ).status_code
            == 201
        )
        assert client.put(f"{API}/stock/PAR/{sku}", json={"on_hand": on_hand}).status_code == 200
    return client


def place(client: TestClient, *lines: tuple[str, int], **kw: Any) -> dict[str, Any]:
    headers = kw.pop("headers", {})
    r = client.post(f"{API}/orders", json=order_body(*lines, **kw), headers=headers)
    assert r.status_code in (200, 201), r.text
    return r.json()


def assert_problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    return body


def test_products_and_locations(shop: TestClient) -> None:
    assert shop.get(f"{API}/products/TEE").json()["price"] == "19.90"
    assert_problem(shop.get(f"{API}/products/NOPE"), 404)
    dup = shop.post(f"{API}/products", json={"sku": "TEE", "name": "x", "price": "1.00"})
    assert_problem(dup, 409)
    locations = shop.get(f"{API}/locations").json()
    assert [loc["code"] for loc in locations["items"]] == ["PAR"]
    assert locations["next_cursor"] is None


def test_placing_an_order_answers_the_whole_order(shop: TestClient) -> None:
    order = place(shop, ("TEE", 7), ("MUG", 1), currency="EUR")
    assert order["status"] == "pending" and order["number"].startswith("SO-")
    tee, mug = order["lines"]
    assert (tee["allocated_quantity"], tee["backordered_quantity"]) == (5, 2)
    assert (mug["allocated_quantity"], mug["backordered_quantity"]) == (1, 0)
    assert order["totals"] == {
        "subtotal": "147.80",
        "discount": "0.00",
        "shipping": "0.00",
        "tax": "0.00",
        "total": "147.80",
    }
    assert order["created_at"].endswith(("Z", "+00:00"))
    detail = shop.get(f"{API}/orders/{order['id']}").json()
    # The order's own answer adds its shipments and sourcing (none before confirmation).
    assert (detail.pop("shipments"), detail.pop("sourcing")) == ([], None)
    assert detail == order
    assert order["tracking_url"].startswith("/track/") and len(order["tracking_url"]) >= 29


def test_idempotent_retries_answer_the_first_order(shop: TestClient) -> None:
    first = shop.post(
        f"{API}/orders", json=order_body(("TEE", 1)), headers={"Idempotency-Key": "abc"}
    )
    again = shop.post(
        f"{API}/orders", json=order_body(("TEE", 1)), headers={"Idempotency-Key": "abc"}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    other = shop.post(
        f"{API}/orders", json=order_body(("TEE", 2)), headers={"Idempotency-Key": "abc"}
    )
    assert_problem(other, 422)
    by_ref = [place(shop, ("MUG", 1), external_id="M-1") for _ in range(2)]
    assert by_ref[0]["id"] == by_ref[1]["id"]
    stock = shop.get(f"{API}/stock", params={"sku": "TEE"}).json()["items"]
    assert stock == [
        {
            "location": "PAR",
            "sku": "TEE",
            "on_hand": 5,
            "reserved": 1,
            "available": 4,
            "bin": "A-01-01",
        }
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": [{"sku": "TEE", "quantity": 0}]}, "lines[0].quantity"),
        ({"lines": [{"sku": "TEE", "quantity": -2}]}, "lines[0].quantity"),
        ({"lines": [{"sku": "TEE", "quantity": 1.5}]}, "lines[0].quantity"),
        ({"lines": [{"sku": "NOPE", "quantity": 1}]}, "lines[0].sku"),
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "TEE", "quantity": 1}, {"sku": "TEE", "quantity": 1}]}, "lines[1].sku"),
        ({"customer": {"name": "Ann"}}, "customer.email"),
        ({"customer": {"email": "nope", "name": "Ann"}}, "customer.email"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        (
            {
                "shipping_address": {
                    "name": "A",
                    "line1": "1",
                    "city": "P",
                    "postal_code": "1",
                    "country": "XX",
                }
            },
            "shipping_address.country",
        ),
        ({"lines": [{"sku": "TEE", "quantity": 1, "unit_price": "1.999"}]}, "lines[0].unit_price"),
        ({"unexpected": True}, "unexpected"),
    ],
)
def test_bad_orders_are_refused_whole(shop: TestClient, change: dict[str, Any], field: str) -> None:
    body = {**order_body(("MUG", 1)), **change}
    problem = assert_problem(shop.post(f"{API}/orders", json=body), 422)
    assert field in [e["field"] for e in problem["errors"]], problem
    assert shop.get(f"{API}/orders").json()["items"] == []
    assert shop.get(f"{API}/stock", params={"sku": "MUG"}).json()["items"][0]["reserved"] == 0


def test_malformed_json_is_a_problem(shop: TestClient) -> None:
    r = shop.post(
        f"{API}/orders", content=b'{"channel": ', headers={"content-type": "application/json"}
    )
    assert assert_problem(r, 422)["errors"][0]["field"] == "body"


def test_the_lifecycle_and_its_timeline(shop: TestClient) -> None:
    order = place(shop, ("TEE", 2))
    url = f"{API}/orders/{order['id']}"
    assert shop.post(f"{url}/confirm").json()["status"] == "confirmed"
    assert shop.post(f"{url}/hold", json={"reason": "fraud check"}).json()["status"] == "on_hold"
    assert shop.post(f"{url}/release", json={"reason": "cleared"}).json()["status"] == "confirmed"
    cancelled = shop.post(f"{url}/cancel", json={"reason": "customer"}).json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["lines"][0]["cancelled_quantity"] == 2
    conflict = assert_problem(shop.post(f"{url}/confirm"), 409)
    assert "cancelled" in conflict["detail"]
    assert_problem(shop.post(f"{url}/hold", json={}), 422)
    events = shop.get(f"{url}/events").json()["items"]
    assert [(e["type"], e["from_status"], e["to_status"]) for e in events] == [
        ("order.placed", None, "pending"),
        ("order.confirmed", "pending", "confirmed"),
        ("order.sourced", None, None),
        ("shipment.created", None, None),
        ("order.held", "confirmed", "on_hold"),
        ("order.released", "on_hold", "confirmed"),
        ("order.cancelled", "confirmed", "cancelled"),
        ("shipment.cancelled", None, None),
    ]
    assert all(e["actor"] and e["at"] for e in events)
    assert shop.get(f"{API}/stock", params={"sku": "TEE"}).json()["items"][0]["reserved"] == 0


def test_a_note_joins_the_timeline_whatever_the_status(shop: TestClient) -> None:
    order = place(shop, ("TEE", 1))
    url = f"{API}/orders/{order['id']}"
    shop.post(f"{url}/cancel", json={"reason": "customer"})
    r = shop.post(f"{url}/notes", json={"text": " Refund sent by bank transfer "})
    assert r.status_code == 201, r.text
    note = r.json()
    assert (note["type"], note["data"]) == ("note", {"text": "Refund sent by bank transfer"})
    assert note["actor"] == shop.get(f"{API}/me").json()["name"]
    assert shop.get(f"{url}/events").json()["items"][-1] == note
    assert shop.get(url).json()["status"] == "cancelled"
    assert_problem(shop.post(f"{url}/notes", json={"text": "  "}), 422)
    assert_problem(shop.post(f"{url}/notes", json={"text": "x" * 2001}), 422)
    assert_problem(shop.post(f"{url}/notes", json={"note": "wrong field"}), 422)
    assert_problem(shop.post(f"{API}/orders/424242/notes", json={"text": "x"}), 404)
    types = [e["type"] for e in shop.get(f"{url}/events").json()["items"]]
    assert types.count("note") == 1  # the refused ones left nothing


def test_unknown_orders_are_404(shop: TestClient) -> None:
    assert_problem(shop.get(f"{API}/orders/424242"), 404)
    assert_problem(shop.post(f"{API}/orders/424242/cancel", json={"reason": "x"}), 404)
    assert_problem(shop.get(f"{API}/orders/not-a-number"), 422)


def test_stock_adjustments_counts_and_the_ledger(shop: TestClient) -> None:
    order = place(shop, ("MUG", 4))
    assert order["lines"][0]["backordered_quantity"] == 2
    r = shop.post(f"{API}/stock/PAR/MUG/adjustments", json={"delta": 3, "reason": "PO-17"})
    assert r.json() == {
        "location": "PAR",
        "sku": "MUG",
        "on_hand": 5,
        "reserved": 4,
        "available": 1,
        "bin": "A-01-01",
    }
    filled = shop.get(f"{API}/orders/{order['id']}").json()["lines"][0]
    assert (filled["allocated_quantity"], filled["backordered_quantity"]) == (4, 0)
    refused = shop.post(f"{API}/stock/PAR/MUG/adjustments", json={"delta": -2, "reason": "x"})
    assert_problem(refused, 409)
    assert_problem(shop.post(f"{API}/stock/PAR/MUG/adjustments", json={"delta": 1}), 422)
    assert_problem(shop.put(f"{API}/stock/NOWHERE/MUG", json={"on_hand": 1}), 404)
    counted = shop.put(f"{API}/stock/PAR/MUG", json={"on_hand": 3, "reason": "cycle count"})
    assert counted.json()["reserved"] == 3
    ledger = shop.get(f"{API}/stock/PAR/MUG/ledger").json()["items"]
    assert [e["kind"] for e in ledger] == [
        "count",
        "reservation",
        "adjustment",
        "reservation",
        "release",
        "count",
    ]
    assert sum(e["on_hand_delta"] for e in ledger) == 3
    assert sum(e["reserved_delta"] for e in ledger) == 3
    assert ledger[1]["order_id"] == order["id"]


def test_order_list_filters_and_cursor(shop: TestClient) -> None:
    shop.put(f"{API}/stock/PAR/TEE", json={"on_hand": 100})
    ids = [place(shop, ("TEE", 1), channel="web" if i % 2 else "pos")["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        page = shop.get(
            f"{API}/orders", params={"limit": 2, **({"cursor": cursor} if cursor else {})}
        ).json()
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids[::-1]
    pos = shop.get(f"{API}/orders", params={"channel": "pos"}).json()["items"]
    assert len(pos) == 3
    number = shop.get(f"{API}/orders/{ids[2]}").json()["number"]
    assert [o["id"] for o in shop.get(f"{API}/orders", params={"q": number}).json()["items"]] == [
        ids[2]
    ]
    assert_problem(shop.get(f"{API}/orders", params={"status": "lost"}), 422)
    assert_problem(shop.get(f"{API}/orders", params={"cursor": "%%%"}), 422)
    assert_problem(shop.get(f"{API}/orders", params={"limit": 0}), 422)


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/orders" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_problem_answers_are_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    problem = spec["components"]["schemas"]["Problem"]
    assert problem["required"] == ["type", "title", "status", "detail"]
    assert problem["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/FieldProblem"}
    for status in ("401", "403"):
        content = spec["paths"]["/api/v1/orders"]["get"]["responses"][status]["content"]
        assert content == {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    unauthorised = TestClient(client.app).get(f"{API}/orders")
    assert set(assert_problem(unauthorised, 401)) <= set(problem["properties"])
