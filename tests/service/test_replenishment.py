"""Reorder levels refreshed from a small made-up history, suggestions and the drafts made
from them, lead times from receipts; on SQLite and PostgreSQL (answers worked by hand).

The shop: PAR and LYO ship, WH does not (all in France). TEE (10.00) and MUG (1.00).
ACME (lead time 14 days, no minimum) sells TEE at 2.50 in packs of 6; BOLT sells TEE
dearer (3.00: not chosen) and MUG at 1.00 in packs of 4, lead time 7, minimum 10 units.
Two weeks from Monday 2026-03-02, every weekday an order: TEE 1, 3, 1, 3, ... and MUG 1.
Refreshed on Monday 03-16 with a forecaster that says the mean of the last ten open days.
"""

from __future__ import annotations

import math
from datetime import date
from statistics import NormalDist

import pytest

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import PermissionDenied
from oms.domain.fulfilment.model import Picked
from oms.domain.planning.purchase_orders import PurchaseOrderStatus, Supplier
from oms.services import catalogue, orders, picking, purchasing, warehouse
from oms.services.ports.planning import ForecastJob
from oms.services.purchase_suggestions import create_drafts, suggestions
from oms.services.purchasing import NewPurchaseOrder, Terms
from oms.services.replenishment import (
    PlanningSettings,
    product_plan,
    refresh_levels,
    reorder_levels,
    supplier_lead_times,
)
from tests.builders import draft, new_location, new_product
from tests.conftest import FakeClock
from tests.service.shop import count

ANALYST = Actor("ann", Role.ANALYST)
BUYER = Actor("bob", Role.BUYER)
SETTINGS = PlanningSettings(error_origins=2)
Z98, Z90 = NormalDist().inv_cdf(0.98), NormalDist().inv_cdf(0.90)


class LastTenMean:
    """Every day ahead: the mean of the last ten open days."""

    def forecast(self, job: ForecastJob) -> dict[str, tuple[float, ...]]:
        return {s.key: (sum(s.units[-10:]) / 10,) * job.horizon for s in job.series}


def _shop(container: Container, clock: FakeClock):  # type: ignore[no-untyped-def]
    uow = container.uow()
    for loc in (
        new_location("PAR", priority=10),
        new_location("LYO"),
        new_location("WH", ships=False),
    ):
        catalogue.create_location(uow, SYSTEM, loc)
    catalogue.create_product(uow, SYSTEM, new_product("TEE", price="10.00"))
    catalogue.create_product(uow, SYSTEM, new_product("MUG", price="1.00"))
    catalogue.create_product(uow, SYSTEM, new_product("CAP"))
    store = container.purchase_orders(uow)
    purchasing.create_supplier(uow, store, SYSTEM, Supplier(0, "ACME", "Acme", "EUR", 14))
    purchasing.create_supplier(uow, store, SYSTEM, Supplier(0, "BOLT", "Bolt", "EUR", 7, 10))
    purchasing.set_terms(uow, store, SYSTEM, Terms("ACME", "TEE", 250, 6))
    purchasing.set_terms(uow, store, SYSTEM, Terms("BOLT", "TEE", 300, 1))
    purchasing.set_terms(uow, store, SYSTEM, Terms("BOLT", "MUG", 100, 4))
    count(uow, "PAR", "TEE", 25)
    count(uow, "PAR", "MUG", 12)
    for day in range(14):
        if day % 7 < 5:  # weekdays
            orders.place_order(uow, SYSTEM, draft(("TEE", 1 if day % 2 == 0 else 3), ("MUG", 1)))
        clock.advance(days=1)
    # On order at LYO: 12 TEE sent (not yet received).
    po = purchasing.create_purchase_order(
        uow, store, SYSTEM, NewPurchaseOrder("ACME", "LYO", [("TEE", 12, 250)])
    )
    purchasing.send(uow, store, SYSTEM, po.id)
    return uow, store


def test_levels_are_refreshed_per_product_and_shipping_location(
    container: Container, clock: FakeClock
) -> None:
    uow, _ = _shop(container, clock)
    repl = container.replenishment(uow)
    seen: list[tuple[int, int]] = []
    with pytest.raises(PermissionDenied):
        refresh_levels(uow, container.demand_lines(uow), repl, LastTenMean(), ANALYST, SETTINGS)

    done = refresh_levels(
        uow,
        container.demand_lines(uow),
        repl,
        LastTenMean(),
        BUYER,
        SETTINGS,
        lambda d, t: seen.append((d, t)),
    )

    assert (done.products, done.rows, done.origins) == (2, 4, 2)  # CAP has no supplier
    assert seen[-1] == (3, 3)
    rows = {(r.sku, r.location): r for r in reorder_levels(uow, repl, ANALYST)}
    assert sorted(rows) == [("MUG", "LYO"), ("MUG", "PAR"), ("TEE", "LYO"), ("TEE", "PAR")]
    tee = rows[("TEE", "PAR")]
    # Nothing shipped yet: PAR and LYO (WH does not ship) take half each.
    # TEE: forecast 2 a day; lead time 14 days = 10 open days (20), + review 7 = 15 (30).
    # The last 40 open days: 30 zeros then 1, 3, ... : sigma_d 1. Too few past errors:
    # the normal formula, SS = z(98%) x 1 x √15 (class A: 20.00 of 21.00 revenue).
    assert (tee.supplier, tee.abc_class, tee.service_level, tee.share) == ("ACME", "A", 0.98, 0.5)
    assert (tee.lead_time_days, tee.lead_time_source) == (14, "stated")
    assert (tee.safety_method, tee.model) == ("normal", "ensemble")
    ss = Z98 * math.sqrt(15) * math.sqrt(0.5)
    assert tee.lead_time_demand == pytest.approx(10)
    assert tee.safety_stock == pytest.approx(ss)
    assert tee.reorder_point == pytest.approx(10 + ss)
    assert tee.order_up_to == pytest.approx(15 + ss)
    mug = rows[("MUG", "LYO")]
    # MUG: class C (90%); 1 a day, lead 7 = 5 open days, cover 10; sigma_d √(10/40 - 1/16)
    ss_mug = Z90 * math.sqrt(0.1875) * math.sqrt(10) * math.sqrt(0.5)
    assert (mug.abc_class, mug.supplier) == ("C", "BOLT")
    assert mug.reorder_point == pytest.approx(2.5 + ss_mug)
    assert mug.order_up_to == pytest.approx(5 + ss_mug)
    assert [r.location for r in reorder_levels(uow, repl, ANALYST, "TEE", "LYO")] == ["LYO"]

    plan = product_plan(
        uow,
        container.demand_lines(uow),
        repl,
        LastTenMean(),
        ANALYST,
        SETTINGS,
        "TEE",
        weeks=3,
        ahead=2,
    )
    assert plan.history[-2:] == [(date(2026, 3, 2), 9.0), (date(2026, 3, 9), 11.0)]
    assert [(w.monday, w.units) for w in plan.forecast] == [
        (date(2026, 3, 16), 10.0),
        (date(2026, 3, 23), 10.0),
    ]
    assert plan.available == {"LYO": 0, "PAR": 5}


def test_suggestions_count_on_order_and_drafts_and_come_in_packs_above_the_minimum(
    container: Container, clock: FakeClock
) -> None:
    uow, store = _shop(container, clock)
    repl = container.replenishment(uow)
    refresh_levels(uow, container.demand_lines(uow), repl, LastTenMean(), BUYER, SETTINGS)

    found = suggestions(uow, repl, ANALYST)

    # TEE at PAR: 25 - 20 reserved = 5 available, up to 15 + 5.62 = 20.62: 16 -> 18 (packs
    # of 6). At LYO: 12 on order, 8.62 -> 12. MUG at PAR: 2 available, up to 6.24: 5 -> 8
    # (packs of 4), below BOLT's minimum of 10: 12. At LYO: nothing, 7 -> 8 -> 12.
    got = [(o.supplier, o.location, [(x.sku, x.units) for x in o.lines]) for o in found.orders]
    assert got == [
        ("ACME", "LYO", [("TEE", 12)]),
        ("ACME", "PAR", [("TEE", 18)]),
        ("BOLT", "LYO", [("MUG", 12)]),
        ("BOLT", "PAR", [("MUG", 12)]),
    ]
    assert found.orders[1].cost_minor == 18 * 250
    lyo_tee = found.orders[0].lines[0].standing
    assert (lyo_tee.position.on_order, lyo_tee.inventory_position) == (12, 12)
    assert len(found.understock) == 4

    with pytest.raises(PermissionDenied):
        create_drafts(uow, repl, store, ANALYST, "k1")
    made, created = create_drafts(uow, repl, store, BUYER, "k1")
    assert created and len(made) == 4
    assert {v.order.status for v in made} == {PurchaseOrderStatus.DRAFT}
    again, created = create_drafts(uow, repl, store, BUYER, "k1")
    assert not created and [v.order.id for v in again] == [v.order.id for v in made]
    # The drafts count now: nothing more to suggest, and a call without a key makes none.
    assert suggestions(uow, repl, ANALYST).orders == []
    assert create_drafts(uow, repl, store, BUYER)[0] == []


def test_lead_times_are_observed_from_receipts_and_shipped_units_counted_per_location(
    container: Container, clock: FakeClock
) -> None:
    uow, store = _shop(container, clock)  # now Monday 03-16 09:00; the LYO order sent
    repl = container.replenishment(uow)
    (po,) = purchasing.list_purchase_orders(uow, store, SYSTEM, _query())
    (line,) = po.order.lines
    clock.advance(days=10)
    purchasing.receive(uow, store, SYSTEM, po.order.id, {line.id: 4})
    clock.advance(days=2, hours=12)
    purchasing.receive(uow, store, SYSTEM, po.order.id, {line.id: 8})

    found = supplier_lead_times(uow, repl, ANALYST, "ACME", 14)

    assert (found.supplier.days, found.supplier.receipts) == (11.25, 2)
    assert found.supplier.spread == pytest.approx(1.25)
    assert found.supplier.source == "supplier"
    assert found.products["TEE"].days == 11.25  # two of its own: the supplier's
    none = supplier_lead_times(uow, repl, ANALYST, "BOLT", 7)
    assert (none.supplier.days, none.supplier.source) == (7, "stated")

    # 6 TEE shipped from LYO, the one location that has them all (PAR has 5 free).
    order = orders.place_order(uow, SYSTEM, draft(("TEE", 6))).order
    orders.confirm_order(uow, SYSTEM, order.id)
    pick = picking.create_pick_list(uow, SYSTEM, "LYO")
    [sid] = pick.shipment_ids
    picking.complete_pick_list(uow, SYSTEM, pick.id, [Picked(sid, "TEE", 6)])
    warehouse.pack_shipment(uow, SYSTEM, sid, [("TEE", 6)])
    warehouse.ship_shipment(uow, SYSTEM, sid)
    since = clock.now.replace(year=2025)
    assert uow.run(lambda: repl.shipped(since), write=False) == {("TEE", "LYO"): 6.0}


def test_clicks_racing_with_one_key_make_one_set_of_drafts(
    container: Container, clock: FakeClock
) -> None:
    from tests.service.test_concurrency import race

    uow, _ = _shop(container, clock)
    refresh_levels(
        uow,
        container.demand_lines(uow),
        container.replenishment(uow),
        LastTenMean(),
        BUYER,
        SETTINGS,
    )

    def click(_: int) -> list[int]:
        u = container.uow()
        made, _ = create_drafts(
            u, container.replenishment(u), container.purchase_orders(u), BUYER, "double-click"
        )
        return [v.order.id for v in made]

    results = race(4, click)

    assert len(results[0]) == 4 and all(r == results[0] for r in results)
    drafts = purchasing.list_purchase_orders(
        uow, container.purchase_orders(uow), SYSTEM, _query("draft")
    )
    assert sorted(v.order.id for v in drafts) == sorted(results[0])


def _query(status: str | None = None):  # type: ignore[no-untyped-def]
    from oms.services.ports.planning import PurchaseOrderQuery

    return PurchaseOrderQuery(status)
