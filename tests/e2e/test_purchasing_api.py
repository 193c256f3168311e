"""Suppliers and purchase orders over HTTP (docs/planning.md): the whole flow, receiving
that fills a waiting order, 422 for invalid input, 409 for forbidden moves, 403 for a role
that may not buy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.services import orders
from tests.builders import draft
from tests.service.shop import open_shop

API = "/api/v1"
PROBLEM = "application/problem+json"
ClientFor = Callable[[str | None], TestClient]
ACME = {"code": "ACME", "name": "Acme", "currency": "EUR", "lead_time_days": 14}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    answer: dict[str, Any] = response.json()
    assert answer["status"] == status
    return answer


def fields(response: Any) -> set[str]:
    return {e["field"] for e in problem(response, 422)["errors"]}


def new_po(api: TestClient, *lines: tuple[str, int, str]) -> Any:
    body = {
        "supplier": "ACME",
        "location": "PAR",
        "lines": [{"sku": s, "quantity": q, "unit_cost": c} for s, q, c in lines],
    }
    return ok(api.post(f"{API}/purchase-orders", json=body), 201)


def test_a_supplier_is_made_read_changed_and_given_cost_prices(
    container: Container, client_for: ClientFor
) -> None:
    open_shop(container.uow())
    api = client_for("buyer")
    made = ok(api.post(f"{API}/suppliers", json=ACME | {"minimum_units": 20}), 201)
    assert made["minimum_units"] == 20 and made["products"] is None
    terms = ok(
        api.put(f"{API}/suppliers/ACME/products/TEE", json={"unit_cost": "2.50", "pack_size": 6})
    )
    assert terms == {"sku": "TEE", "unit_cost": "2.50", "pack_size": 6}
    ok(api.put(f"{API}/suppliers/ACME/products/TEE", json={"unit_cost": "3"}))  # replaced
    ok(api.patch(f"{API}/suppliers/ACME", json={"lead_time_days": 10}))
    got = ok(api.get(f"{API}/suppliers/ACME"))
    assert got["lead_time_days"] == 10 and got["currency"] == "EUR"
    assert got["products"] == [{"sku": "TEE", "unit_cost": "3.00", "pack_size": 1}]
    assert [s["code"] for s in ok(api.get(f"{API}/suppliers"))["items"]] == ["ACME"]


def test_invalid_suppliers_and_cost_prices_are_422_with_their_fields(
    container: Container, client_for: ClientFor
) -> None:
    open_shop(container.uow())
    api = client_for("admin")
    assert fields(api.post(f"{API}/suppliers", json=ACME | {"currency": "XXY"})) == {"currency"}
    assert fields(api.post(f"{API}/suppliers", json=ACME | {"lead_time_days": 400}))
    assert fields(api.post(f"{API}/suppliers", json=ACME | {"colour": "red"}))
    ok(api.post(f"{API}/suppliers", json=ACME), 201)
    assert fields(api.post(f"{API}/suppliers", json=ACME)) == {"code"}  # taken
    put = f"{API}/suppliers/ACME/products/TEE"
    assert fields(api.put(put, json={"unit_cost": "2.555"})) == {"unit_cost"}  # finer than cents
    assert fields(api.put(put, json={"unit_cost": "-1"})) == {"unit_cost"}
    assert fields(api.put(put, json={"unit_cost": 2.5}))  # money is a string
    assert fields(api.put(put, json={"unit_cost": "1", "pack_size": 0}))
    problem(api.put(f"{API}/suppliers/ACME/products/NOPE", json={"unit_cost": "1"}), 404)
    problem(api.get(f"{API}/suppliers/NOPE"), 404)
    assert fields(api.patch(f"{API}/suppliers/ACME", json={"name": ""}))


def test_receiving_writes_the_ledger_and_fills_a_waiting_order(
    container: Container, client_for: ClientFor
) -> None:
    uow = open_shop(container.uow())
    waiting = orders.place_order(uow, SYSTEM, draft(("TEE", 4))).order  # nothing in stock
    assert waiting.lines[0].backordered_quantity == 4
    api = client_for("buyer")
    ok(api.post(f"{API}/suppliers", json=ACME), 201)
    po = new_po(api, ("TEE", 12, "2.50"), ("MUG", 6, "4"))
    assert (po["status"], po["supplier"], po["location"]) == ("draft", "ACME", "PAR")
    assert po["total_cost"] == "54.00"
    sent = ok(api.post(f"{API}/purchase-orders/{po['id']}/send"))
    assert sent["status"] == "sent" and sent["expected_on"] == "2026-03-16"
    tee = next(line["id"] for line in po["lines"] if line["sku"] == "TEE")
    got = ok(
        api.post(
            f"{API}/purchase-orders/{po['id']}/receive",
            json={"lines": [{"line_id": tee, "quantity": 5}]},
        )
    )
    assert got["status"] == "partially_received"
    assert [(x["sku"], x["received_quantity"], x["outstanding"]) for x in got["lines"]] == [
        ("TEE", 5, 7),
        ("MUG", 0, 6),
    ]
    admin = client_for("admin")
    order = ok(admin.get(f"{API}/orders/{waiting.id}"))
    assert order["lines"][0]["backordered_quantity"] == 0
    ledger = ok(admin.get(f"{API}/stock/PAR/TEE/ledger"))["items"]
    assert any(e["kind"] == "receipt" and e["on_hand_delta"] == 5 for e in ledger)
    closed = ok(api.post(f"{API}/purchase-orders/{po['id']}/close"))
    assert closed["status"] == "closed"
    listed = ok(api.get(f"{API}/purchase-orders?status=closed&supplier=ACME"))["items"]
    assert [p["id"] for p in listed] == [po["id"]]
    assert ok(api.get(f"{API}/purchase-orders?supplier=NOPE"))["items"] == []


def test_forbidden_moves_are_409_and_bad_receipts_422(
    container: Container, client_for: ClientFor
) -> None:
    open_shop(container.uow())
    api = client_for("buyer")
    ok(api.post(f"{API}/suppliers", json=ACME), 201)
    po = new_po(api, ("TEE", 6, "2.50"))
    url = f"{API}/purchase-orders/{po['id']}"
    line = po["lines"][0]["id"]
    problem(api.post(f"{url}/receive", json={"lines": [{"line_id": line, "quantity": 1}]}), 409)
    problem(api.post(f"{url}/close"), 409)
    ok(api.post(f"{url}/send", json={"expected_on": "2026-03-20"}))
    problem(api.post(f"{url}/send"), 409)
    too_many = {"lines": [{"line_id": line, "quantity": 7}]}
    assert fields(api.post(f"{url}/receive", json=too_many)) == {f"lines.{line}"}
    assert fields(api.post(f"{url}/receive", json={"lines": []}))
    ok(api.post(f"{url}/cancel"))
    problem(api.post(f"{url}/receive", json={"lines": [{"line_id": line, "quantity": 1}]}), 409)
    problem(api.post(f"{url}/cancel"), 409)
    problem(api.get(f"{API}/purchase-orders/999999"), 404)
    bad = {"supplier": "ACME", "location": "XXX", "lines": [{"sku": "NOPE", "quantity": 1,
                                                             "unit_cost": "1"}]}  # fmt: skip
    assert fields(api.post(f"{API}/purchase-orders", json=bad)) == {"location", "lines.0"}
    assert fields(api.post(f"{API}/purchase-orders", json=bad | {"lines": []}))
    assert fields(api.post(f"{API}/purchase-orders?x=1", json=bad | {"lines": [
        {"sku": "TEE", "quantity": 0, "unit_cost": "1"}]}))  # fmt: skip


def test_a_role_that_may_not_buy_is_403_and_the_analyst_reads(
    container: Container, client_for: ClientFor
) -> None:
    open_shop(container.uow())
    ok(client_for("admin").post(f"{API}/suppliers", json=ACME), 201)
    po = new_po(client_for("admin"), ("TEE", 6, "2.50"))
    for role in ("warehouse", "sales", "analyst"):
        refused = problem(client_for(role).post(f"{API}/purchase-orders/{po['id']}/send"), 403)
        assert role in refused["detail"]
    problem(client_for("warehouse").get(f"{API}/purchase-orders"), 403)
    assert ok(client_for("analyst").get(f"{API}/purchase-orders/{po['id']}"))["status"] == "draft"
