"""Every list of the API pages the same way: `{items, next_cursor}`, opaque cursors, bounds."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import order_body

API = "/api/v1"
# Paged lists: the path, and what names an item in the cursor (the key of the last item).
PAGED = {
    "/products": "sku",
    "/stock": None,
    "/stock/PAR/TEE/ledger": "id",
    "/orders": "id",
    "/shipments": "id",
    "/pick-lists": "id",
}
WHOLE = ["/locations", "/users", "/tokens"]


def cursor_of(key: int | str) -> str:
    return base64.urlsafe_b64encode(str(key).encode()).decode().rstrip("=")


@pytest.fixture
def shop(client: TestClient) -> TestClient:
    """Three products, three stock rows with a few ledger rows, three orders confirmed at
    one location (so three shipments), and three pick lists of one shipment each."""
    location = {"code": "PAR", "name": "Paris", "kind": "warehouse", "country": "FR"}
    r = client.post(f"{API}/locations", json={**location, "postal_code": "75011", "ships": True})
    assert r.status_code == 201, r.text
    for sku in ("CAP", "MUG", "TEE"):
        r = client.post(f"{API}/products", json={"sku": sku, "name": sku, "price": "5.00"})
        assert r.status_code == 201, r.text
        assert client.put(f"{API}/stock/PAR/{sku}", json={"on_hand": 10}).status_code == 200
    for delta in (1, 2):
        r = client.post(f"{API}/stock/PAR/TEE/adjustments", json={"delta": delta, "reason": "PO"})
        assert r.status_code == 200, r.text
    for _ in range(3):
        order = client.post(f"{API}/orders", json=order_body(("TEE", 1))).json()
        assert client.post(f"{API}/orders/{order['id']}/confirm").status_code == 200
        r = client.post(f"{API}/pick-lists", json={"location": "PAR", "max_orders": 1})
        assert r.status_code == 201, r.text
    return client


def walk(client: TestClient, path: str, limit: int) -> tuple[list[Any], list[str]]:
    """Every item of a list, page by page, and the cursors it was given on the way."""
    items: list[Any] = []
    cursors: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    while True:
        r = client.get(f"{API}{path}", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        assert set(page) == {"items", "next_cursor"}
        assert len(page["items"]) <= limit
        items += page["items"]
        if page["next_cursor"] is None:
            return items, cursors
        cursors.append(page["next_cursor"])
        params["cursor"] = page["next_cursor"]


@pytest.mark.parametrize("path", list(PAGED))
def test_walking_a_list_page_by_page_gives_every_item_once_in_order(
    shop: TestClient, path: str
) -> None:
    everything = shop.get(f"{API}{path}", params={"limit": 200}).json()
    assert everything["next_cursor"] is None and len(everything["items"]) >= 3
    for limit in (1, 2):
        items, cursors = walk(shop, path, limit)
        assert items == everything["items"]
        # A full page carries a cursor, even when nothing follows it.
        assert len(cursors) == len(items) // limit


@pytest.mark.parametrize(("path", "key"), [(p, k) for p, k in PAGED.items() if k])
def test_a_cursor_is_the_last_items_key_base64_encoded(
    shop: TestClient, path: str, key: str
) -> None:
    page = shop.get(f"{API}{path}", params={"limit": 2}).json()
    assert page["next_cursor"] == cursor_of(page["items"][-1][key])


@pytest.mark.parametrize("path", list(PAGED))
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "A"}, "cursor"),
        ({"cursor": "é"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "many"}, "limit"),
    ],
)
def test_bad_cursors_and_limits_are_refused(
    shop: TestClient, path: str, params: dict[str, Any], field: str
) -> None:
    r = shop.get(f"{API}{path}", params=params)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [field]


@pytest.mark.parametrize("path", [p for p, k in PAGED.items() if k == "id" or k is None])
def test_an_id_cursor_must_hold_an_id(shop: TestClient, path: str) -> None:
    for text in ("TEE", "-1", "1" * 19):
        r = shop.get(f"{API}{path}", params={"cursor": cursor_of(text)})
        assert r.status_code == 422, r.text
        assert r.json()["errors"] == [
            {"field": "cursor", "message": "not a cursor this API gave out"}
        ]


def test_the_documented_bounds_of_every_list(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()["paths"]
    for path in PAGED:
        template = "/stock/{location_code}/{sku}/ledger" if path.endswith("ledger") else path
        params = {p["name"]: p for p in spec[f"{API}{template}"]["get"]["parameters"]}
        limit = params["limit"]["schema"]
        assert (limit["minimum"], limit["maximum"]) == (1, 200)
        assert limit["default"] == (100 if path.endswith("ledger") else 50)
        assert "cursor" in params


@pytest.mark.parametrize("path", WHOLE)
def test_lists_given_entire_have_the_same_shape_and_no_cursor(shop: TestClient, path: str) -> None:
    page = shop.get(f"{API}{path}").json()
    assert set(page) == {"items", "next_cursor"}
    assert page["items"] and page["next_cursor"] is None


def test_timelines_are_given_entire(shop: TestClient) -> None:
    order = shop.get(f"{API}/orders", params={"limit": 1}).json()["items"][0]
    events = shop.get(f"{API}/orders/{order['id']}/events").json()
    assert events["items"] and events["next_cursor"] is None
    shipment = shop.get(f"{API}/shipments", params={"limit": 1}).json()["items"][0]
    carrier_events = shop.get(f"{API}/shipments/{shipment['id']}/events").json()
    assert carrier_events == {"items": [], "next_cursor": None}
