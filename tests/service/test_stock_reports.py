"""Incoming stock and the stock reports through the services, on SQLite and PostgreSQL,
with figures worked by hand (the projection's in tests/unit/planning/test_stock_reports.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import InvalidInput, NotFound, PermissionDenied
from oms.domain.planning.purchase_orders import Supplier
from oms.services import incoming, orders, purchasing, stock_reports
from oms.services.purchasing import NewPurchaseOrder, Terms
from oms.services.stock_reports_csv import dead_stock_csv, stock_value_csv
from tests.builders import draft
from tests.conftest import FakeClock
from tests.service.shop import count, open_shop

WAREHOUSE = Actor("wanda", Role.WAREHOUSE)


def _shop(container: Container, clock: FakeClock):  # type: ignore[no-untyped-def]
    """On Monday 2 March: TEE 9 at PAR (cost 2.50 EUR), MUG 100 at LYO (no supplier);
    6 TEE ordered and kept, 4 cancelled two days later (demand), 5 cancelled within the
    hour (a mistake: no demand); 12 TEE on a purchase order sent to PAR for 16 March; then
    a week passes: today is Monday 9 March."""
    uow = open_shop(container.uow())
    store = container.purchase_orders(uow)
    purchasing.create_supplier(uow, store, SYSTEM, Supplier(0, "ACME", "Acme", "EUR", 14))
    purchasing.set_terms(uow, store, SYSTEM, Terms("ACME", "TEE", 250))
    count(uow, "PAR", "TEE", 9)
    count(uow, "LYO", "MUG", 100)
    orders.place_order(uow, SYSTEM, draft(("TEE", 6)))
    late = orders.place_order(uow, SYSTEM, draft(("TEE", 4))).order.id
    mistake = orders.place_order(uow, SYSTEM, draft(("TEE", 5))).order.id
    clock.advance(minutes=30)
    orders.cancel_order(uow, SYSTEM, mistake, "duplicate")
    clock.advance(days=2)
    orders.cancel_order(uow, SYSTEM, late, "changed their mind")
    po = purchasing.create_purchase_order(
        uow, store, SYSTEM, NewPurchaseOrder("ACME", "PAR", [("TEE", 12, 250)])
    )
    purchasing.send(uow, store, SYSTEM, po.id, date(2026, 3, 16))
    clock.advance(days=5)
    return uow, container.stock_planning(uow), po.id


def test_incoming_stock_is_a_figure_apart_from_availability(
    container: Container, clock: FakeClock
) -> None:
    uow, store, po_id = _shop(container, clock)
    found = incoming.product_stock(uow, store, WAREHOUSE, "TEE")
    assert [(a.location, a.available) for a in found.availability.locations] == [("PAR", 3)]
    assert found.availability.total == 3  # the 12 on order are not available
    assert [(x.location, x.units, x.expected_on, x.purchase_order_id) for x in found.incoming] == [
        ("PAR", 12, date(2026, 3, 16), po_id)
    ]
    assert found.incoming_units == 12 and found.incoming_at("LYO") == 0
    assert incoming.incoming_at(uow, store, WAREHOUSE, "PAR", "TEE")[0].units == 12
    assert incoming.incoming_at(uow, store, WAREHOUSE, "LYO", "TEE") == []
    assert incoming.incoming_units(uow, store, WAREHOUSE, ["TEE", "MUG", "NOPE"]) == {
        ("PAR", "TEE"): 12
    }
    assert incoming.incoming_units(uow, store, WAREHOUSE, []) == {}
    with pytest.raises(NotFound):
        incoming.product_stock(uow, store, WAREHOUSE, "NOPE")


def test_the_projected_stock_out_counts_incoming_on_its_day_and_demand_by_the_rule(
    container: Container, clock: FakeClock
) -> None:
    uow, store, _ = _shop(container, clock)
    report = stock_reports.stock_out(uow, store, SYSTEM, days=28, horizon_days=90)
    assert report.today == date(2026, 3, 9)
    (row,) = report.rows  # MUG: nobody asked, left out
    assert report.without_demand == 1
    h = row.rated.holding
    assert (h.location, h.sku, h.on_hand, h.reserved, h.available) == ("PAR", "TEE", 9, 6, 3)
    # 6 + 4 units asked (the 5 cancelled within the hour are not) over 20 open days
    assert row.rated.daily == 0.5
    assert row.rated.incoming_units == 12 and row.rated.next_expected == date(2026, 3, 16)
    assert row.days_of_cover == 6.0
    # PAR is in France: Easter Monday (6 April) is not an open day, so the stock lasts to
    # Monday 20 April and is short on Tuesday 21 April (the unit test works it by hand).
    assert row.stock_out == date(2026, 4, 21)
    assert "28 days" in report.based_on
    assert "public holidays of its country" in report.based_on
    short = stock_reports.stock_out(uow, store, SYSTEM, days=28, horizon_days=30)
    assert short.rows[0].stock_out is None  # 21 April is beyond 30 days


def test_open_days_leave_out_the_public_holidays_of_the_locations_country(
    container: Container, clock: FakeClock
) -> None:
    """TEE at PAR (France) and BER (Germany), both Monday to Friday; 6 TEE asked on Monday
    13 July 2026, nothing shipped yet: 3 units each. The 7 days before Monday 20 July hold
    5 weekdays; Bastille Day (Tuesday 14 July) is a French holiday, not a German one:
    4 open days at PAR, 0.75 a day; 5 at BER, 0.6 a day."""
    clock.now = datetime(2026, 7, 13, 9, tzinfo=UTC)
    uow = open_shop(container.uow())
    count(uow, "PAR", "TEE", 20)
    count(uow, "BER", "TEE", 20)
    orders.place_order(uow, SYSTEM, draft(("TEE", 6)))
    clock.now = datetime(2026, 7, 20, 9, tzinfo=UTC)
    store = container.stock_planning(uow)
    report = stock_reports.stock_out(uow, store, SYSTEM, days=7, horizon_days=30)
    assert {r.rated.holding.location: r.rated.daily for r in report.rows} == {
        "BER": 0.6,
        "PAR": 0.75,
    }


def test_overstock_and_dead_stock_are_valued_at_cost_and_say_when_there_is_none(
    container: Container, clock: FakeClock
) -> None:
    uow, store, _ = _shop(container, clock)
    over = stock_reports.overstock(uow, store, SYSTEM, threshold_days=4, days=28)
    by_sku = {x.rated.holding.sku: x for x in over.rows}
    # TEE: 3 available, 6 days of cover > 4; 4 days need 2 units: 1 above, at 2.50
    tee = by_sku["TEE"]
    assert (tee.excess_units, tee.excess_value_minor) == (1, 250)
    assert tee.cost is not None and tee.cost.supplier == "ACME"
    # MUG: nobody asks for it, all 100 above, no cost price
    mug = by_sku["MUG"]
    assert (mug.days_of_cover, mug.excess_units, mug.cost, mug.excess_value_minor) == (
        None, 100, None, None,
    )  # fmt: skip
    assert over.totals == {"EUR": 250} and over.without_cost == 1
    assert [x.rated.holding.sku for x in over.rows] == ["TEE", "MUG"]  # by value
    assert (
        stock_reports.overstock(uow, store, SYSTEM, threshold_days=10).rows[0].rated.holding.sku
        == "MUG"
    )

    dead = stock_reports.dead_stock(uow, store, SYSTEM, idle_days=5)
    # TEE last asked Monday 2 March: 7 days ago, dead at 5 idle days; 9 x 2.50 = 22.50
    assert [(x.holding.sku, x.last_demand, x.value_minor) for x in dead.rows] == [
        ("TEE", date(2026, 3, 2), 2250),
        ("MUG", None, None),
    ]
    assert dead.totals == {"EUR": 2250} and dead.without_cost == 1
    assert "TEE" not in dead_stock_csv(stock_reports.dead_stock(uow, store, SYSTEM, 30))


def test_stock_value_at_cost_is_summed_per_location_and_currency(
    container: Container, clock: FakeClock
) -> None:
    uow, store, _ = _shop(container, clock)
    pp = container.purchase_orders(uow)
    purchasing.create_supplier(uow, pp, SYSTEM, Supplier(0, "BETA", "Beta", "EUR", 5))
    purchasing.set_terms(uow, pp, SYSTEM, Terms("BETA", "TEE", 200))  # cheaper: valued at it
    purchasing.set_terms(uow, pp, SYSTEM, Terms("ACME", "MUG", 120))
    count(uow, "PAR", "CAP", 3)  # no supplier
    found = stock_reports.stock_value(uow, store, SYSTEM)
    rows = [(x.location, x.currency, x.products, x.units, x.value_minor) for x in found.rows]
    assert ("PAR", "EUR", 1, 9, 1800) in rows
    assert ("LYO", "EUR", 1, 100, 12000) in rows
    assert ("PAR", None, 1, 3, 0) in rows
    assert found.totals == {"EUR": 13800}
    assert "PAR,,1,3,\n" in stock_value_csv(found)


def test_the_reports_need_planning_read_and_sane_parameters(
    container: Container, clock: FakeClock
) -> None:
    uow, store, _ = _shop(container, clock)
    for report in (stock_reports.stock_out, stock_reports.overstock, stock_reports.dead_stock,
                   stock_reports.stock_value):  # fmt: skip
        with pytest.raises(PermissionDenied):
            report(uow, store, WAREHOUSE)
    with pytest.raises(InvalidInput):
        stock_reports.stock_out(uow, store, SYSTEM, days=0)
    with pytest.raises(InvalidInput):
        stock_reports.overstock(uow, store, SYSTEM, threshold_days=0)
    with pytest.raises(InvalidInput):
        stock_reports.dead_stock(uow, store, SYSTEM, idle_days=4000)
