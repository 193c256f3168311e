"""The postal address over HTTP: one shape taken and given back, its rules, its schema."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import order_body

API = "/api/v1"
ADDRESS = {
    "name": "Ann Smith",
    "line1": "1 rue de la Paix",
    "line2": "3e étage",
    "city": "Paris",
    "postal_code": "75002",
    "country": "FR",
}


@pytest.fixture
def shop(client: TestClient) -> TestClient:
    location = {"code": "PAR", "name": "Paris", "kind": "warehouse", "country": "FR"}
    r = client.post(f"{API}/locations", json={**location, "postal_code": "75011", "ships": True})
    assert r.status_code == 201, r.text
    r = client.post(f"{API}/products", json={"sku": "TEE", "name": "Tee", "price": "5.00"})
    assert r.status_code == 201, r.text
    return client


def place(client: TestClient, address: dict[str, Any], **kw: Any) -> Any:
    return client.post(
        f"{API}/orders", json={**order_body(("TEE", 1)), "shipping_address": address, **kw}
    )


def test_the_address_is_given_back_as_it_was_taken(shop: TestClient) -> None:
    r = place(shop, {**ADDRESS, "country": " fr ", "city": " Paris "})
    assert r.status_code == 201, r.text
    assert r.json()["shipping_address"] == ADDRESS
    order_id = r.json()["id"]
    assert shop.get(f"{API}/orders/{order_id}").json()["shipping_address"] == ADDRESS
    listed = shop.get(f"{API}/orders").json()["items"]
    assert listed[0]["shipping_address"] == ADDRESS
    without_line2 = {k: v for k, v in ADDRESS.items() if k != "line2"}
    assert place(shop, without_line2).json()["shipping_address"] == {**ADDRESS, "line2": None}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": " "}, "shipping_address.name"),
        ({"line1": ""}, "shipping_address.line1"),
        ({"city": ""}, "shipping_address.city"),
        ({"postal_code": "  "}, "shipping_address.postal_code"),
        ({"country": "XX"}, "shipping_address.country"),
        ({"country": "FRA"}, "shipping_address.country"),
        ({"city": "x" * 101}, "shipping_address.city"),
        ({"postal_code": "1" * 17}, "shipping_address.postal_code"),
        ({"state": "IDF"}, "shipping_address.state"),
    ],
)
def test_a_broken_address_is_refused(shop: TestClient, change: dict[str, Any], field: str) -> None:
    r = place(shop, {**ADDRESS, **change})
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [field]


def test_a_blank_address_line_is_listed_with_the_orders_other_mistakes(shop: TestClient) -> None:
    r = place(shop, {**ADDRESS, "name": " "}, customer={"email": "nope", "name": "Ann"})
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["customer.email", "shipping_address.name"]


def test_the_schema_has_one_address_taken_and_given(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ref = {"$ref": "#/components/schemas/Address"}
    body = spec["paths"][f"{API}/orders"]["post"]["requestBody"]["content"]["application/json"]
    placed = body["schema"]["$ref"].rsplit("/", 1)[1]
    assert spec["components"]["schemas"][placed]["properties"]["shipping_address"] == ref
    answer = spec["components"]["schemas"]["OrderOut"]["properties"]["shipping_address"]
    assert answer == ref
    address = spec["components"]["schemas"]["Address"]
    assert address["required"] == ["name", "line1", "city", "postal_code", "country"]
    assert address["properties"]["country"]["pattern"] == "^[A-Za-z]{2}$"
    assert [address["properties"][f]["minLength"] for f in ("name", "line1", "city")] == [1] * 3
    assert not [name for name in spec["components"]["schemas"] if name.startswith("Address")][1:]
