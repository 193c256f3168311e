"""PATCH /products/{sku} (edit, archive, unarchive), GET /products filters, and users bound
to a location (POST and PATCH /users, GET /me), over HTTP on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.users import NewUser
from oms.services.users import create_user
from tests.builders import order_body
from tests.conftest import bearer

API = "/api/v1"
PROBLEM = "application/problem+json"
PARIS = {
    "code": "PAR",
    "name": "Paris",
    "kind": "warehouse",
    "country": "FR",
    "postal_code": "75011",
    "ships": True,
}


@pytest.fixture
def shop(client: TestClient) -> TestClient:
    assert client.post(f"{API}/locations", json=PARIS).status_code == 201
    for sku, name, price in (("TEE", "Tee", "19.90"), ("MUG", "Mug, stoneware", "8.50")):
        body = {"sku": sku, "name": name, "price": price, "weight_grams": 300}
        assert client.post(f"{API}/products", json=body).status_code == 201
        assert client.put(f"{API}/stock/PAR/{sku}", json={"on_hand": 10}).status_code == 200
    return client


def token_of(container: Container, name: str, role: Role) -> dict[str, str]:
    return bearer(create_user(container.uow(), SYSTEM, NewUser(name, role)).token.token)


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body: dict[str, Any] = r.json()
    return body


def test_patching_a_product_changes_only_the_fields_sent(shop: TestClient) -> None:
    r = shop.patch(f"{API}/products/TEE", json={"price": "21.00", "barcode": "4006381333931"})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "sku": "TEE",
        "name": "Tee",
        "price": "21.00",
        "currency": "EUR",
        "weight_grams": 300,
        "barcode": "4006381333931",
        "archived": False,
        "kit": False,
        "components": [],
    }
    r = shop.patch(f"{API}/products/TEE", json={"weight_grams": None, "name": "Tee, organic"})
    assert (r.json()["weight_grams"], r.json()["name"]) == (None, "Tee, organic")
    assert shop.get(f"{API}/products/TEE").json()["barcode"] == "4006381333931"


def test_a_bad_patch_is_422_by_field_and_an_unknown_sku_404(shop: TestClient) -> None:
    body = problem(shop.patch(f"{API}/products/TEE", json={"price": "1.001", "name": " "}), 422)
    assert {e["field"] for e in body["errors"]} == {"price", "name"}
    body = problem(shop.patch(f"{API}/products/TEE", json={"name": None}), 422)
    assert body["errors"] == [{"field": "name", "message": "cannot be emptied"}]
    problem(shop.patch(f"{API}/products/TEE", json={"sku": "NEW"}), 422)  # the SKU stays
    problem(shop.patch(f"{API}/products/NOPE", json={"name": "x"}), 404)
    assert shop.get(f"{API}/products/TEE").json()["price"] == "19.90"


def test_only_catalogue_writers_patch_products(shop: TestClient, container: Container) -> None:
    sales = token_of(container, "sally", Role.SALES)
    r = shop.patch(f"{API}/products/TEE", json={"archived": True}, headers=sales)
    problem(r, 403)
    assert shop.get(f"{API}/products/TEE").json()["archived"] is False


def test_an_archived_product_is_listed_only_when_asked_and_cannot_be_ordered(
    shop: TestClient,
) -> None:
    placed = shop.post(f"{API}/orders", json=order_body(("MUG", 1)))
    assert placed.status_code == 201
    assert shop.patch(f"{API}/products/MUG", json={"archived": True}).json()["archived"]

    def skus(query: str = "") -> list[str]:
        r = shop.get(f"{API}/products{query}")
        assert r.status_code == 200, r.text
        return [p["sku"] for p in r.json()["items"]]

    assert skus() == ["TEE"]
    assert skus("?archived=true") == ["MUG"]
    assert skus("?archived=all") == ["MUG", "TEE"]
    assert skus("?archived=all&q=STONE") == ["MUG"]
    problem(shop.get(f"{API}/products?archived=maybe"), 422)

    body = problem(shop.post(f"{API}/orders", json=order_body(("MUG", 1))), 422)
    assert body["errors"] == [
        {"field": "lines[0].sku", "message": "product 'MUG' is archived and cannot be ordered"}
    ]
    order = shop.get(f"{API}/orders/{placed.json()['id']}").json()
    assert [line["sku"] for line in order["lines"]] == ["MUG"]  # its history stays
    assert shop.get(f"{API}/products/MUG").status_code == 200

    assert shop.patch(f"{API}/products/MUG", json={"archived": False}).status_code == 200
    assert shop.post(f"{API}/orders", json=order_body(("MUG", 1))).status_code == 201


def test_a_user_bound_to_a_location_sees_it_in_me_and_in_the_user_list(
    shop: TestClient,
) -> None:
    r = shop.post(f"{API}/users", json={"name": "wes", "role": "warehouse", "location": "PAR"})
    assert r.status_code == 201, r.text
    assert r.json()["user"]["location"] == "PAR"
    wes = bearer(r.json()["token"]["token"])
    me = shop.get(f"{API}/me", headers=wes).json()
    assert (me["name"], me["role"], me["location"]) == ("wes", "warehouse", "PAR")
    listed = {u["name"]: u["location"] for u in shop.get(f"{API}/users").json()["items"]}
    assert listed["wes"] == "PAR"
    assert shop.get(f"{API}/me").json()["location"] is None  # the admin has none

    body = problem(
        shop.post(f"{API}/users", json={"name": "x", "role": "sales", "location": "NOWHERE"}), 422
    )
    assert body["errors"][0]["field"] == "location"


def test_patching_a_user_changes_role_and_location(shop: TestClient, container: Container) -> None:
    assert shop.post(f"{API}/users", json={"name": "wes", "role": "warehouse"}).status_code == 201
    r = shop.patch(f"{API}/users/wes", json={"location": "PAR"})
    assert (r.status_code, r.json()["location"], r.json()["role"]) == (200, "PAR", "warehouse")
    r = shop.patch(f"{API}/users/wes", json={"role": "analyst"})
    assert (r.json()["location"], r.json()["role"]) == ("PAR", "analyst")
    assert shop.patch(f"{API}/users/wes", json={"location": None}).json()["location"] is None

    problem(shop.patch(f"{API}/users/wes", json={"role": "carrier"}), 422)
    problem(shop.patch(f"{API}/users/wes", json={"role": "emperor"}), 422)
    problem(shop.patch(f"{API}/users/nobody", json={"role": "sales"}), 404)
    problem(shop.patch(f"{API}/users/test-admin", json={"role": "sales"}), 409)  # oneself
    sales = token_of(container, "sally", Role.SALES)
    problem(shop.patch(f"{API}/users/wes", json={"role": "admin"}, headers=sales), 403)
    assert shop.get(f"{API}/users").json()["items"][-1]["role"] == "analyst"


def test_patching_a_location_renames_it_and_changes_its_kind(shop: TestClient) -> None:
    r = shop.patch(f"{API}/locations/PAR", json={"name": "Paris Nord", "kind": "store"})
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["kind"], r.json()["postal_code"]) == (
        "Paris Nord",
        "store",
        "75011",
    )
    (stored,) = shop.get(f"{API}/locations").json()["items"]
    assert (stored["name"], stored["kind"]) == ("Paris Nord", "store")
    body = problem(shop.patch(f"{API}/locations/PAR", json={"name": " "}), 422)
    assert body["errors"] == [{"field": "name", "message": "must not be empty"}]
    problem(shop.patch(f"{API}/locations/NOPE", json={"name": "x"}), 404)
