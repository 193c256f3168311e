"""The service, returns, cash and loyalty reports on both databases, over a small history:
the made-up Olist folder of test_insight (a1 late, a2 and a5 on time, a3 on its way) and
one live order of 3 TEE placed, picked, packed, shipped, delivered, of which 2 come back as
damaged (1 resellable, 1 written off). Every figure below is counted by hand from that."""

from __future__ import annotations

from pathlib import Path

import pytest

from oms.bootstrap import Container
from oms.domain.access import Actor, Role
from oms.domain.errors import InvalidInput, PermissionDenied
from oms.domain.insight.stages import DetailStage, ReturnStage
from oms.domain.returns.model import Inspected
from oms.services import business_reports as business
from oms.services import orders, returns
from oms.services.reports import StageQuery, stage_times
from oms.services.returns import ReceiveReturn
from tests.conftest import FakeClock
from tests.service.test_insight import folder, run_import
from tests.service.test_returns import CS, WAREHOUSE, ask, delivered

__all__ = ["folder"]
ANALYST = Actor("ana", Role.ANALYST)


@pytest.fixture
def history(container: Container, folder: Path, clock: FakeClock) -> tuple[Container, int]:
    run_import(container, folder)
    uow = container.uow()
    order_id = delivered(uow, clock, ("TEE", 3))
    r = returns.start_return(uow, CS, order_id, ask(("TEE", 2)))  # reason: damaged
    returns.approve_return(uow, CS, r.id)
    returns.receive_return(uow, WAREHOUSE, r.id, ReceiveReturn("PAR", [("TEE", 2)]))
    returns.inspect_return(uow, WAREHOUSE, r.id, [Inspected("TEE", 1, 1)])
    return container, order_id


def test_perfect_orders_and_their_components(history: tuple[Container, int]) -> None:
    c, _ = history
    uow = c.uow()
    p = business.perfect_order(uow, c.business_facts(uow), ANALYST, StageQuery())
    assert p.delivered == 4  # a1, a2, a5 and the live order
    assert (p.complete, p.on_time, p.undamaged, p.no_fault_return) == (4, 3, 3, 3)
    assert p.perfect == 2  # a2, a5: a1 late, the live order damaged and returned
    assert p.split == 0
    assert business.perfect_csv(p).splitlines()[5] == "perfect,2,4,0.5"


def test_returns_by_product_reason_channel_and_cost(history: tuple[Container, int]) -> None:
    c, order_id = history
    uow = c.uow()
    r = business.returns(uow, c.business_facts(uow), ANALYST, StageQuery())
    assert [(x.key, x.part, x.whole) for x in r.by_product] == [
        ("TEE", 2, 3),
        ("MUG", 0, 2),
        ("p-new", 0, 2),
    ]
    assert [(x.key, x.part, x.whole) for x in r.by_reason] == [("damaged", 2, 2)]
    channel = orders.get_order(uow, ANALYST, order_id).channel
    assert {x.key: (x.part, x.whole) for x in r.by_channel} == {"olist": (0, 3), channel: (1, 1)}
    price = orders.get_order(uow, ANALYST, order_id).lines[0].unit_price
    assert r.written_off_units == 1
    assert r.written_off == {"EUR": int(price * 100)}  # one damaged unit at its price
    assert r.refunds == {}  # inspected, not refunded yet
    assert "returned,of,rate" in business.returns_csv(r).splitlines()[0]


def test_cash_and_stock_value_at_price(history: tuple[Container, int]) -> None:
    c, order_id = history
    uow = c.uow()
    found = business.cash_report(uow, c.business_facts(uow), ANALYST, StageQuery())
    by = {x.currency: x for x in found.lines}
    brl = by["BRL"]  # a1 12.00, a2 46.00, a3 23.00, a5 12.00 (items + freight), all paid
    assert (brl.orders, brl.booked, brl.paid, brl.refunded, brl.outstanding) == (
        4, 9300, 9300, 0, 0,
    )  # fmt: skip
    live = orders.get_order(uow, ANALYST, order_id)
    total = int(live.totals.total.amount * 100)
    assert (by["EUR"].orders, by["EUR"].booked, by["EUR"].paid) == (1, total, 0)
    assert by["EUR"].outstanding == total
    [par] = [s for s in found.stock if s.location == "PAR"]
    price = int(live.lines[0].unit_price * 100)
    assert (par.units, par.value_minor, par.shipped_units) == (1, price, 3)  # 1 restocked
    assert par.days_of_cover == pytest.approx(28 / 3)  # 1 unit / (3 units / 28 days)
    assert "value at price" in found.based_on["stock_value"]


def test_loyalty_on_the_history(history: tuple[Container, int]) -> None:
    c, _ = history
    uow = c.uow()
    found = business.loyalty_report(uow, c.business_facts(uow), ANALYST, StageQuery())
    assert (found.customers, found.repeat_customers) == (5, 0)  # four Olist people, one live
    assert found.cohorts[0].month == "2017-06" and found.cohorts[0].customers == 4
    # every first order 180+ days before the live one: a1 late, a2 and a5 on time (a3 not
    # delivered); nobody ordered again
    late = found.after_late
    assert (late.worse.customers, late.better.customers) == (1, 2)
    assert late.worse.ordered_again == late.better.ordered_again == 0


def test_the_stage_table_has_the_warehouse_and_return_stages(
    history: tuple[Container, int],
) -> None:
    c, _ = history
    uow = c.uow()
    r = stage_times(uow, c.timelines(uow), ANALYST, StageQuery()).report
    assert [s.hours.count for s in r.detail] == [1, 1, 1]  # the live order only
    assert {s.stage: s.hours.count for s in r.returns} == {
        ReturnStage.REQUESTED_TO_RECEIVED: 1,
        ReturnStage.RECEIVED_TO_REFUNDED: 0,
        ReturnStage.REQUESTED_TO_REFUNDED: 0,
    }
    assert r.detail[0].stage is DetailStage.CONFIRMED_TO_PICKED


def test_a_role_without_report_read_is_refused_and_bad_input_named(
    container: Container,
) -> None:
    uow = container.uow()
    facts = container.business_facts(uow)
    with pytest.raises(PermissionDenied):
        business.cash_report(uow, facts, Actor("sam", Role.SALES), StageQuery())
    with pytest.raises(InvalidInput) as error:
        business.loyalty_report(uow, facts, ANALYST, StageQuery(), months=0, horizon_days=0)
    assert {e.field for e in error.value.errors} == {"months", "horizon_days"}
    with pytest.raises(InvalidInput):
        business.cash_report(uow, facts, ANALYST, StageQuery(), days=0)
