"""Order edits over HTTP (docs/order-edits.md): each edit answers with the order, 422 for
invalid input, 409 once picking started, 403 for a role that may not, retries that change
nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from oms.bootstrap import Container
from tests.builders import order_body, stocked

API = "/api/v1"
PROBLEM = "application/problem+json"
ClientFor = Callable[[str | None], TestClient]
BERLIN = {
    "name": "Ann Smith",
    "line1": "Unter den Linden 1",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "de",
}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    answer: dict[str, Any] = response.json()
    assert answer["status"] == status
    return answer


def placed(container: Container, client: TestClient, *lines: tuple[str, int]) -> Any:
    uow = container.uow()
    for sku, _ in lines:
        stocked(uow, sku, 10)
    return ok(client.post(f"{API}/orders", json=order_body(*lines)), 201)


def events(client: TestClient, order_id: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(client.get(f"{API}/orders/{order_id}/events"))["items"]
    return items


def test_customer_service_edits_lines_address_and_priority(
    container: Container, client_for: ClientFor
) -> None:
    cs = client_for("customer_service")
    order = placed(container, client_for("admin"), ("TEE", 2), ("MUG", 1))
    stocked(container.uow(), "CAP", 0)
    url = f"{API}/orders/{order['id']}"
    tee, mug = order["lines"]

    changed = ok(cs.patch(f"{url}/lines/{tee['id']}", json={"quantity": 5}))
    assert set(changed) == set(order)  # the order's answer shape
    line = changed["lines"][0]
    assert (line["quantity"], line["allocated_quantity"]) == (5, 5)
    assert changed["totals"]["subtotal"] == "60.00"

    added = ok(cs.post(f"{url}/lines", json={"sku": "CAP", "quantity": 2}), 201)
    assert [ln["sku"] for ln in added["lines"]] == ["TEE", "MUG", "CAP"]
    assert added["lines"][2]["backordered_quantity"] == 2  # no CAP in stock anywhere

    removed = ok(cs.delete(f"{url}/lines/{mug['id']}"))
    assert removed["lines"][1]["quantity"] == 0
    again = ok(cs.delete(f"{url}/lines/{mug['id']}"))  # a retry changes nothing
    assert again["lines"] == removed["lines"]

    moved = ok(cs.patch(url, json={"shipping_address": BERLIN, "priority": 20}))
    assert moved["shipping_address"]["country"] == "DE"
    assert moved["priority"] == 20
    repeat = ok(cs.patch(url, json={"shipping_address": BERLIN, "priority": 20}))
    assert repeat["updated_at"] >= moved["updated_at"]

    kinds = [e["type"] for e in events(cs, order["id"])]
    for kind in (
        "order.line_quantity_changed",
        "order.line_added",
        "order.line_removed",
        "order.address_changed",
        "order.priority_changed",
    ):
        assert kinds.count(kind) == 1, kind  # the repeats recorded nothing
    [address] = [e for e in events(cs, order["id"]) if e["type"] == "order.address_changed"]
    assert address["actor"] == "customer_service-user"
    assert (address["data"]["from"]["city"], address["data"]["to"]["city"]) == ("Paris", "Berlin")


def test_invalid_edits_are_422_and_change_nothing(
    container: Container, client_for: ClientFor
) -> None:
    cs = client_for("customer_service")
    order = placed(container, client_for("admin"), ("TEE", 2))
    url = f"{API}/orders/{order['id']}"
    line_id = order["lines"][0]["id"]
    fields = {
        e["field"]
        for e in problem(cs.patch(f"{url}/lines/{line_id}", json={"quantity": 0}), 422)["errors"]
    }
    assert any("quantity" in f for f in fields)
    problem(cs.patch(url, json={}), 422)
    bad = {**BERLIN, "country": "ZZ", "city": " "}
    errors = problem(cs.patch(url, json={"shipping_address": bad}), 422)["errors"]
    assert {e["field"] for e in errors} >= {
        "shipping_address.country",
        "shipping_address.city",
    }
    problem(cs.post(f"{url}/lines", json={"sku": "NOPE", "quantity": 1}), 422)
    problem(cs.patch(url, json={"priority": 101}), 422)
    problem(cs.patch(f"{url}/lines/999999", json={"quantity": 1}), 404)
    conflict = problem(cs.post(f"{url}/lines", json={"sku": "TEE", "quantity": 1}), 409)
    assert "change that line's quantity" in conflict["detail"]
    last = problem(cs.delete(f"{url}/lines/{line_id}"), 409)
    assert "cancel the order instead" in last["detail"]
    assert ok(cs.get(url))["lines"] == order["lines"]
    assert [e["type"] for e in events(cs, order["id"])] == ["order.placed"]


def test_an_edit_after_picking_started_is_409_naming_why(
    container: Container, client_for: ClientFor
) -> None:
    admin = client_for("admin")
    cs = client_for("customer_service")
    order = placed(container, admin, ("TEE", 2))
    url = f"{API}/orders/{order['id']}"
    ok(admin.post(f"{url}/confirm"))
    ok(client_for("warehouse").post(f"{API}/pick-lists", json={"location": "PAR"}), 201)
    line_id = order["lines"][0]["id"]
    refused = problem(cs.patch(f"{url}/lines/{line_id}", json={"quantity": 3}), 409)
    assert "picking has started" in refused["detail"]
    problem(cs.patch(url, json={"priority": 5}), 409)
    problem(cs.delete(f"{url}/lines/{line_id}"), 409)
    assert ok(cs.get(url))["lines"][0]["quantity"] == 2


def test_roles_that_may_not_edit_are_403_and_no_token_is_401(
    container: Container, client_for: ClientFor
) -> None:
    order = placed(container, client_for("admin"), ("TEE", 2))
    url = f"{API}/orders/{order['id']}"
    for role in ("sales", "warehouse", "analyst"):
        problem(client_for(role).patch(url, json={"priority": 5}), 403)
    problem(client_for(None).patch(url, json={"priority": 5}), 401)
    assert ok(client_for("admin").patch(url, json={"priority": 5}))["priority"] == 5


def test_a_paid_order_edited_down_is_refunded_the_difference(
    container: Container, client_for: ClientFor
) -> None:
    cs = client_for("customer_service")
    order = placed(container, client_for("admin"), ("TEE", 3))
    url = f"{API}/orders/{order['id']}"
    ok(client_for("sales").post(f"{url}/payments", json={"amount": "30.00"}), 201)
    line_id = order["lines"][0]["id"]
    edited = ok(cs.patch(f"{url}/lines/{line_id}", json={"quantity": 1}))
    assert (edited["refunded_total"], edited["payment_status"]) == (
        "20.00",
        "partially_refunded",
    )
    [refund] = ok(cs.get(f"{url}/refunds"))["items"]
    assert (refund["amount"], refund["status"]) == ("20.00", "succeeded")
