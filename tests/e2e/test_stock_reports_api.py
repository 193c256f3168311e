"""Incoming stock in the availability answer and the stock reports over HTTP (docs/
planning.md): figures, CSV, 403 for a role without planning.read, 404, 422."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from oms.bootstrap import Container
from tests.conftest import FakeClock
from tests.e2e.test_purchasing_api import ACME, fields, new_po, ok, problem
from tests.service.shop import count, open_shop

API = "/api/v1"
ClientFor = Callable[[str | None], TestClient]


def _shop(container: Container, api: TestClient) -> Any:
    """TEE: 9 on hand at PAR (cost 2.50), 12 more sent for 16 March; MUG 40 at LYO, no cost."""
    uow = open_shop(container.uow())
    count(uow, "PAR", "TEE", 9)
    count(uow, "LYO", "MUG", 40)
    ok(api.post(f"{API}/suppliers", json=ACME), 201)
    ok(api.put(f"{API}/suppliers/ACME/products/TEE", json={"unit_cost": "2.50"}))
    po = new_po(api, ("TEE", 12, "2.50"))
    ok(api.post(f"{API}/purchase-orders/{po['id']}/send", json={"expected_on": "2026-03-16"}))
    return po


def test_availability_shows_incoming_units_apart_from_what_can_be_sold(
    container: Container, client_for: ClientFor
) -> None:
    buyer = client_for("buyer")
    po = _shop(container, buyer)
    answer = ok(client_for("customer_service").get(f"{API}/products/TEE/availability"))
    assert answer["available"] == 9 and answer["incoming"] == 12
    assert answer["locations"] == [{"location": "PAR", "available": 9, "incoming": 12}]
    assert answer["incoming_lines"] == [
        {"location": "PAR", "units": 12, "expected_on": "2026-03-16", "purchase_order": po["id"]}
    ]
    # a purchase order to a location with no stock yet: a row of its own, 0 available
    lines = [{"sku": "TEE", "quantity": 5, "unit_cost": "2.50"}]
    body = {"supplier": "ACME", "location": "LYO", "lines": lines}
    lyo = ok(buyer.post(f"{API}/purchase-orders", json=body), 201)
    ok(buyer.post(f"{API}/purchase-orders/{lyo['id']}/send", json={}))
    again = ok(buyer.get(f"{API}/products/TEE/availability"))
    assert again["available"] == 9 and again["incoming"] == 17
    assert {"location": "LYO", "available": 0, "incoming": 5} in again["locations"]
    # the reports see LYO's stock on its way though LYO holds none yet: nobody asked for
    # TEE, so no stock-out row, and nothing available there to be overstock
    assert ok(buyer.get(f"{API}/reports/stock-out"))["without_demand"] == 3
    over = ok(buyer.get(f"{API}/reports/overstock"))["rows"]
    assert [(r["location"], r["sku"], r["incoming"]) for r in over] == [
        ("PAR", "TEE", 12),
        ("LYO", "MUG", 0),
    ]
    # received: no longer incoming, now available
    line = ok(buyer.get(f"{API}/purchase-orders/{po['id']}"))["lines"][0]["id"]
    ok(buyer.post(f"{API}/purchase-orders/{po['id']}/receive", json={"lines": [
        {"line_id": line, "quantity": 12}]}))  # fmt: skip
    after = ok(buyer.get(f"{API}/products/TEE/availability"))
    assert after["available"] == 21 and after["incoming"] == 5
    assert problem(buyer.get(f"{API}/products/NOPE/availability"), 404)


def test_the_stock_reports_answer_with_figures_and_csv(
    container: Container, client_for: ClientFor, clock: FakeClock
) -> None:
    api = client_for("analyst")
    _shop(container, client_for("buyer"))
    uow = container.uow()
    from oms.domain.access import SYSTEM
    from oms.services import orders
    from tests.builders import draft

    orders.place_order(uow, SYSTEM, draft(("TEE", 5)))  # Monday 2 March
    clock.advance(days=7)
    out = ok(api.get(f"{API}/reports/stock-out?days=28&horizon_days=120"))
    assert out["today"] == "2026-03-09" and out["without_demand"] == 1
    (row,) = out["rows"]
    # 5 units over 20 open days: 0.25 a day; 4 available (9 less 5 reserved): 16 days.
    # 4 + 12 units last 64 open days from today; PAR is in France: Easter Monday, 1, 8, 14
    # and 25 May are closed, so the 65th open day, the first short, is Friday 12 June.
    assert row["sku"] == "TEE" and row["available"] == 4 and row["daily_demand"] == 0.25
    assert row["incoming"] == 12 and row["next_expected_on"] == "2026-03-16"
    assert row["days_of_cover"] == 16.0 and row["stock_out_on"] == "2026-06-12"
    assert "mean demand per open day" in out["based_on"]
    csv = api.get(f"{API}/reports/stock-out?format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("location,sku,on_hand")

    over = ok(api.get(f"{API}/reports/overstock?threshold_days=30"))
    assert [(r["sku"], r["excess_units"], r["unit_cost"]) for r in over["rows"]] == [
        ("MUG", 40, None)
    ]
    assert over["without_cost"] == 1 and over["totals"] == {}

    dead = ok(api.get(f"{API}/reports/dead-stock?idle_days=3"))
    assert [(r["sku"], r["last_demand_on"], r["value"]) for r in dead["rows"]] == [
        ("TEE", "2026-03-02", "22.50"),
        ("MUG", None, None),
    ]
    assert dead["totals"] == {"EUR": "22.50"}

    value = ok(api.get(f"{API}/reports/stock-value"))
    assert value["totals"] == {"EUR": "22.50"}
    assert {"location": "LYO", "currency": None, "products": 1, "units": 40, "value": None} in (
        value["rows"]
    )
    assert "value_at_cost_minor" in api.get(f"{API}/reports/stock-value?format=csv").text


def test_the_stock_reports_refuse_bad_parameters_and_roles_without_planning_read(
    container: Container, client_for: ClientFor
) -> None:
    api = client_for("buyer")
    assert fields(api.get(f"{API}/reports/stock-out?days=0")) == {"days"}
    assert fields(api.get(f"{API}/reports/stock-out?horizon_days=9999")) == {"horizon_days"}
    assert fields(api.get(f"{API}/reports/overstock?threshold_days=x"))
    assert fields(api.get(f"{API}/reports/dead-stock?idle_days=-1")) == {"idle_days"}
    assert fields(api.get(f"{API}/reports/stock-value?format=xml"))
    for role in ("warehouse", "sales", "customer_service"):
        problem(client_for(role).get(f"{API}/reports/stock-value"), 403)
        problem(client_for(role).get(f"{API}/reports/stock-out"), 403)
