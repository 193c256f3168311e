"""Kits over HTTP (API.md, "Channels"): POST /products with components, the product and
its availability, stock refused on a kit, orders of kits moving the components' stock."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.test_orders_api import API, assert_problem, place, shop

__all__ = ["shop"]

KIT = {
    "sku": "STARTER",
    "name": "Starter set",
    "price": "39.00",
    "components": [{"sku": "TEE", "quantity": 1}, {"sku": "MUG", "quantity": 2}],
}


def stock(client: TestClient, sku: str) -> dict[str, tuple[int, int]]:
    r = client.get(f"{API}/stock", params={"sku": sku})
    assert r.status_code == 200, r.text
    return {row["location"]: (row["on_hand"], row["reserved"]) for row in r.json()["items"]}


@pytest.fixture
def kit_shop(shop: TestClient) -> TestClient:
    """TEE x5, MUG x2 at PAR, and a kit of one TEE and two MUGs."""
    r = shop.post(f"{API}/products", json=KIT)
    assert r.status_code == 201, r.text
    return shop


def test_a_kit_is_created_and_shows_its_components(kit_shop: TestClient) -> None:
    body = kit_shop.get(f"{API}/products/STARTER").json()
    assert body["kit"] is True
    assert body["components"] == [{"sku": "TEE", "quantity": 1}, {"sku": "MUG", "quantity": 2}]
    plain = kit_shop.get(f"{API}/products/TEE").json()
    assert (plain["kit"], plain["components"]) == (False, [])


@pytest.mark.parametrize(
    ("components", "field"),
    [
        ([{"sku": "NOPE", "quantity": 1}], "components[0].sku"),
        ([{"sku": "TEE", "quantity": 0}], "components[0].quantity"),
        ([{"sku": "BOX", "quantity": 1}], "components[0].sku"),
        ([{"sku": "STARTER", "quantity": 1}], "components[0].sku"),
        ([{"sku": "TEE", "quantity": 1}, {"sku": "TEE", "quantity": 1}], "components[1].sku"),
    ],
)
def test_a_bad_kit_is_refused_with_its_errors(
    kit_shop: TestClient, components: list[dict[str, Any]], field: str
) -> None:
    r = kit_shop.post(
        f"{API}/products",
        json={"sku": "BOX", "name": "Box", "price": "1.00", "components": components},
    )
    problem = assert_problem(r, 422)
    assert field in {e["field"] for e in problem["errors"]}
    assert kit_shop.get(f"{API}/products/BOX").status_code == 404


def test_a_component_quantity_must_be_a_whole_number(kit_shop: TestClient) -> None:
    r = kit_shop.post(
        f"{API}/products",
        json={"sku": "BOX", "name": "Box", "price": "1.00", "components": [{"sku": "TEE"}]},
    )
    assert_problem(r, 422)


def test_stock_cannot_be_set_on_a_kit(kit_shop: TestClient) -> None:
    r = kit_shop.put(f"{API}/stock/PAR/STARTER", json={"on_hand": 3})
    problem = assert_problem(r, 409)
    assert "kit" in problem["detail"]
    r = kit_shop.post(f"{API}/stock/PAR/STARTER/adjustments", json={"delta": 3, "reason": "x"})
    assert_problem(r, 409)
    assert stock(kit_shop, "STARTER") == {}


def test_availability_of_a_kit_is_what_its_components_make(kit_shop: TestClient) -> None:
    body = kit_shop.get(f"{API}/products/STARTER/availability").json()
    assert body["available"] == 1  # min(5 TEE / 1, 2 MUG / 2)
    assert body["locations"] == [{"location": "PAR", "available": 1, "incoming": 0}]
    assert body["incoming"] == 0 and body["incoming_lines"] == []  # a kit is not bought
    promise = kit_shop.get(
        f"{API}/availability", params={"sku": "STARTER", "country": "FR", "postal_code": "75002"}
    ).json()
    assert promise["available"] == 1


def test_an_order_of_kits_reserves_ships_and_cancels_components(kit_shop: TestClient) -> None:
    order = place(kit_shop, ("STARTER", 2))
    [line] = order["lines"]
    assert (line["allocated_quantity"], line["backordered_quantity"]) == (1, 1)
    assert stock(kit_shop, "TEE") == {"PAR": (5, 1)}
    assert stock(kit_shop, "MUG") == {"PAR": (2, 2)}
    assert kit_shop.get(f"{API}/products/STARTER/availability").json()["available"] == 0
    r = kit_shop.post(f"{API}/orders/{order['id']}/cancel", json={"reason": "changed mind"})
    assert r.status_code == 200, r.text
    assert stock(kit_shop, "TEE") == {"PAR": (5, 0)}
    assert stock(kit_shop, "MUG") == {"PAR": (2, 0)}


def test_components_arriving_fill_a_waiting_kit(kit_shop: TestClient) -> None:
    order = place(kit_shop, ("STARTER", 2))
    r = kit_shop.post(f"{API}/stock/PAR/MUG/adjustments", json={"delta": 3, "reason": "delivery"})
    assert r.status_code == 200, r.text
    line = kit_shop.get(f"{API}/orders/{order['id']}").json()["lines"][0]
    assert (line["allocated_quantity"], line["backordered_quantity"]) == (2, 0)
    assert stock(kit_shop, "MUG") == {"PAR": (5, 4)}
    r = kit_shop.get(f"{API}/stock/PAR/MUG/ledger")
    assert r.status_code == 200
