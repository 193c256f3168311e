"""Forecasts, reorder levels, suggestions and drafts made from them over HTTP, with the
real forecaster (statsforecast) on two weeks of a few products: refreshed levels hold
together, suggestions come in whole packs, a repeated Idempotency-Key makes no second set,
403 for a role that may only read, 404 and 422 for bad requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.services import orders
from tests.builders import draft
from tests.conftest import FakeClock
from tests.service.shop import count, open_shop

API = "/api/v1"
PROBLEM = "application/problem+json"
ClientFor = Callable[[str | None], TestClient]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return dict(response.json())


def _history(container: Container, clock: FakeClock, buyer: TestClient) -> None:
    """Two weeks of TEE (2, 4, 2, 4, ...) and MUG 1 a weekday; ACME sells TEE in 6s."""
    uow = open_shop(container.uow())
    count(uow, "PAR", "TEE", 30)
    for day in range(14):
        if day % 7 < 5:
            orders.place_order(uow, SYSTEM, draft(("TEE", 2 + 2 * (day % 2)), ("MUG", 1)))
        clock.advance(days=1)
    acme = {"code": "ACME", "name": "Acme", "currency": "EUR", "lead_time_days": 14}
    ok(buyer.post(f"{API}/suppliers", json=acme), 201)
    terms = {"unit_cost": "2.50", "pack_size": 6}
    ok(buyer.put(f"{API}/suppliers/ACME/products/TEE", json=terms))


def test_levels_are_refreshed_and_suggested_orders_drafted_once(
    container: Container, clock: FakeClock, client_for: ClientFor
) -> None:
    buyer, analyst = client_for("buyer"), client_for("analyst")
    _history(container, clock, buyer)
    assert ok(analyst.get(f"{API}/planning/reorder-levels"))["items"] == []
    problem(analyst.post(f"{API}/planning/reorder-levels/refresh"), 403)

    done = ok(buyer.post(f"{API}/planning/reorder-levels/refresh"))

    assert (done["products"], done["rows"]) == (1, 3)  # TEE at PAR, LYO and BER (a third each)
    (par,) = ok(analyst.get(f"{API}/planning/reorder-levels?sku=TEE&location=PAR"))["items"]
    assert par["supplier"] == "ACME" and par["share"] == pytest.approx(1 / 3, abs=1e-3)
    assert par["lead_time_source"] == "stated" and par["lead_time_days"] == 14
    assert par["lead_time_demand"] > 0 and par["safety_method"] == "normal"
    assert par["reorder_point"] == pytest.approx(
        par["lead_time_demand"] + par["safety_stock"], abs=2e-3
    )
    assert par["order_up_to"] > par["reorder_point"]

    found = ok(analyst.get(f"{API}/planning/suggestions"))
    assert found["computed_at"] is not None
    # PAR has 30 - 30 reserved = 0 available; LYO and BER have nothing: all three order.
    assert [(o["supplier"], o["location"]) for o in found["orders"]] == [
        ("ACME", "BER"), ("ACME", "LYO"), ("ACME", "PAR")
    ]  # fmt: skip
    for o in found["orders"]:
        (line,) = o["lines"]
        assert line["units"] % 6 == 0 and line["units"] >= line["standing"]["order_up_to"]
    under = ok(analyst.get(f"{API}/planning/understock"))["items"]
    assert {(u["sku"], u["location"]) for u in under} == {
        ("TEE", "BER"), ("TEE", "LYO"), ("TEE", "PAR")
    }  # fmt: skip

    problem(analyst.post(f"{API}/planning/suggestions/purchase-orders"), 403)
    key = {"Idempotency-Key": "plan-2026-03-16"}
    made = ok(buyer.post(f"{API}/planning/suggestions/purchase-orders", headers=key), 201)
    assert [(p["location"], p["status"]) for p in made["items"]] == [
        ("BER", "draft"), ("LYO", "draft"), ("PAR", "draft")
    ]  # fmt: skip
    again = ok(buyer.post(f"{API}/planning/suggestions/purchase-orders", headers=key))
    assert [p["id"] for p in again["items"]] == [p["id"] for p in made["items"]]
    drafts = ok(analyst.get(f"{API}/purchase-orders?status=draft"))["items"]
    assert len(drafts) == 3
    # The drafts count as ordered: nothing left to suggest, a keyless click makes nothing.
    assert ok(analyst.get(f"{API}/planning/suggestions"))["orders"] == []
    assert ok(buyer.post(f"{API}/planning/suggestions/purchase-orders"), 201)["items"] == []


def test_a_products_forecast_and_the_suppliers_lead_time(
    container: Container, clock: FakeClock, client_for: ClientFor
) -> None:
    buyer, analyst = client_for("buyer"), client_for("analyst")
    _history(container, clock, buyer)

    got = ok(analyst.get(f"{API}/planning/forecasts/TEE?weeks=3&ahead=2"))

    assert [(w["week"], w["units"]) for w in got["history"]] == [
        ("2026-02-23", 0.0), ("2026-03-02", 14.0), ("2026-03-09", 16.0)
    ]  # fmt: skip
    assert [w["week"] for w in got["forecast"]] == ["2026-03-16", "2026-03-23"]
    for w in got["forecast"]:
        assert 0 <= w["low"] <= w["units"] <= w["high"]
    assert got["model"] == "ensemble" and got["available"] == {"PAR": 0}
    lead = ok(analyst.get(f"{API}/suppliers/ACME"))["observed_lead_time"]
    assert lead == {"days": 14.0, "spread": 0.0, "p95": 14.0, "receipts": 0, "source": "stated"}


def test_unknown_products_and_bad_queries_are_problems(
    container: Container, clock: FakeClock, client_for: ClientFor
) -> None:
    analyst = client_for("analyst")
    open_shop(container.uow())
    assert "NOPE" in problem(analyst.get(f"{API}/planning/forecasts/NOPE"), 404)["detail"]
    problem(analyst.get(f"{API}/planning/forecasts/TEE?weeks=0"), 422)
    problem(analyst.get(f"{API}/planning/forecasts/TEE?ahead=27"), 422)
    problem(analyst.get(f"{API}/planning/reorder-levels?sku={'X' * 65}"), 422)
    blank = {"Idempotency-Key": " "}
    problem(client_for("buyer").post(f"{API}/planning/suggestions/purchase-orders",
                                     headers=blank), 422)  # fmt: skip
    problem(client_for("warehouse").get(f"{API}/planning/suggestions"), 403)
