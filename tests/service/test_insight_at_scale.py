"""Insight at a million orders (issue 12): the figures PostgreSQL counts over order_facts are
the domain's, and order_facts stays equal to a recomputation from the events and the
other tables while orders are placed, paid, confirmed, shipped, delivered, cancelled,
returned and reported damaged. Both databases: SQLite leaves every figure to the domain."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.insight.aging import aging
from oms.domain.insight.flow import flow
from oms.domain.insight.money_loyalty import cash, loyalty
from oms.domain.insight.quality import channel_returns, perfect_orders
from oms.domain.returns.model import Inspected
from oms.services import business_reports as business
from oms.services import completion, orders, payments, returns
from oms.services.payments import RecordPayment
from oms.services.ports import UnitOfWork
from oms.services.ports.insight import TimesQuery
from oms.services.reports import FlowQuery, StageQuery, _window
from oms.services.returns import ReceiveReturn
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.service.test_completion import deliver, shipped, token_of
from tests.service.test_insight import folder, run_import
from tests.service.test_order_facts import customers, from_events, table
from tests.service.test_returns import CS, SALES, WAREHOUSE, ask, delivered

__all__ = ["folder"]


def kept(container: Container) -> None:
    assert table(container) == from_events(container)
    by_triggers, again = customers(container)  # loyalty's per-customer rows too
    assert by_triggers == again


def test_the_table_stays_equal_to_a_recomputation_as_orders_move(
    container: Container, uow: UnitOfWork, clock: FakeClock, folder: Path
) -> None:
    run_import(container, folder)
    kept(container)
    order_id = delivered(uow, clock, ("TEE", 3))
    kept(container)
    r = returns.start_return(uow, CS, order_id, ask(("TEE", 2)))  # damaged: seller's fault
    kept(container)
    returns.approve_return(uow, CS, r.id)
    returns.receive_return(uow, WAREHOUSE, r.id, ReceiveReturn("PAR", [("TEE", 2)]))
    returns.inspect_return(uow, WAREHOUSE, r.id, [Inspected("TEE", 1, 1)])
    kept(container)
    clock.advance(hours=5)
    on_its_way, number = shipped(uow, "BOWL")
    kept(container)
    clock.advance(days=1)
    deliver(uow, clock, number)
    completion.report_problem(uow, token_of(uow, on_its_way), "damaged", "box crushed")
    stocked(uow, "CAP", 4)
    paid = orders.place_order(uow, SYSTEM, draft(("CAP", 2))).order.id
    total = orders.get_order(uow, SYSTEM, paid).totals.total.amount
    payments.record_payment(uow, SALES, paid, RecordPayment(total - Decimal("1.00"), "manual"))
    kept(container)
    orders.cancel_order(uow, SYSTEM, paid, "changed mind")
    kept(container)
    with container.engine.connect() as conn:
        import sqlalchemy as sa

        from oms.adapters.db.tables import order_facts as f

        row = conn.execute(sa.select(f).where(f.c.order_id == order_id)).one()
        problem = conn.execute(sa.select(f).where(f.c.order_id == on_its_way)).one()
        gone = conn.execute(sa.select(f).where(f.c.order_id == paid)).one()
    assert (row.returned, row.return_damaged, row.sellers_fault_return) == (True, True, True)
    assert (row.units, row.delivered_units, row.parcels) == (3, 3, 1) and row.location_id
    assert row.h_placed_delivered == (row.delivered_at - row.placed_at).total_seconds() / 3600
    assert (problem.damage_reported, problem.returned) == (True, False)
    assert (gone.cancelled, gone.booked_minor, gone.paid_minor) == (True, 0, int(total * 100) - 100)


def _history(container: Container, uow: UnitOfWork, clock: FakeClock, folder: Path) -> None:
    """The Olist folder (São Paulo days, a late order, negative stages) and live orders in
    every state, one customer ordering again, over a few weeks (seeded, so repeatable)."""
    run_import(container, folder)
    rnd = random.Random(12)
    pending = []
    for i in range(14):
        sku = f"S{i}"
        kind = rnd.random()
        if kind < 0.5:
            order_id = delivered(uow, clock, (sku, 1 + i % 2))
            if i % 5 == 0:
                r = returns.start_return(uow, CS, order_id, ask((sku, 1)))
                returns.approve_return(uow, CS, r.id)
        elif kind < 0.7:
            shipped(uow, sku, 1)
        elif kind < 0.85:
            stocked(uow, sku, 2)
            pending.append(orders.place_order(uow, SYSTEM, draft((sku, 1))).order.id)
        else:
            stocked(uow, sku, 2)
            placed = orders.place_order(uow, SYSTEM, draft((sku, 1))).order.id
            clock.advance(hours=rnd.randint(1, 30))
            orders.cancel_order(uow, SYSTEM, placed, "changed mind")
        clock.advance(hours=rnd.randint(2, 80), minutes=rnd.randint(0, 59))
    for placed in pending[::2]:  # confirmed last: no pick list takes them
        orders.confirm_order(uow, SYSTEM, placed)
        clock.advance(hours=3)


@pytest.mark.parametrize(
    "window",
    [
        StageQuery(),
        StageQuery(channel="olist"),
        StageQuery(since=date(2017, 6, 1)),
        StageQuery(until=date(2017, 6, 5), time_zone="America/Sao_Paulo"),
    ],
)
def test_the_database_counts_the_business_figures_as_the_domain_does(
    container: Container, uow: UnitOfWork, clock: FakeClock, folder: Path, window: StageQuery
) -> None:
    _history(container, uow, clock, folder)
    facts = container.business_facts(uow)
    q = _window(window)
    every = uow.run(lambda: facts.order_facts(q), write=False)
    found = uow.run(
        lambda: (
            facts.perfect_orders(q),
            facts.cash(q),
            facts.channel_returns(q),
            [facts.loyalty(q, m, h) for m, h in ((12, 180), (3, 1), (36, 30))],
        ),
        write=False,
    )
    report = business.returns(uow, facts, SYSTEM, window)  # the whole report, windowed
    want = channel_returns(every)
    assert {x.key: (x.part, x.whole) for x in report.by_channel} == want
    if container.engine.dialect.name != "postgresql":
        assert found[:3] == (None, None, None)  # the domain counts
        # loyalty over the whole history: from customer_facts, in Python
        whole = window == StageQuery()
        want = [loyalty(every, m, h) if whole else None for m, h in ((12, 180), (3, 1), (36, 30))]
        assert found[3] == want
        return
    assert found[0] == perfect_orders(every)
    assert found[1] == cash(every)
    assert found[2] == channel_returns(every)
    assert found[3] == [loyalty(every, m, h) for m, h in ((12, 180), (3, 1), (36, 30))]
    assert found[0] is not None and found[0].delivered > 0


def test_the_database_counts_work_in_progress_as_the_domain_does(
    container: Container, uow: UnitOfWork, clock: FakeClock, folder: Path
) -> None:
    _history(container, uow, clock, folder)
    tl = container.timelines(uow)
    today = clock.now.date()
    rnd = random.Random(7)
    asked = [
        FlowQuery(date(2017, 6, 1), date(2017, 6, 9), time_zone="America/Sao_Paulo"),
        FlowQuery(today - timedelta(days=40), today + timedelta(days=2)),
        FlowQuery(today - timedelta(days=20), today, location="PAR", time_zone="Europe/Paris"),
        FlowQuery(date(2017, 5, 1), today, channel="olist"),
    ]
    for _ in range(6):  # and windows at random, in zones either side of UTC
        start = today - timedelta(days=rnd.randint(0, 60))
        zone = rnd.choice(["UTC", "Europe/Paris", "America/Sao_Paulo", "Asia/Kolkata"])
        asked.append(FlowQuery(start, start + timedelta(days=rnd.randint(0, 20)), time_zone=zone))
    for fq in asked:
        q = _window(StageQuery(fq.since, fq.until, fq.channel, fq.location, fq.time_zone))
        every = TimesQuery(until=q.until, channel=q.channel, location=q.location,
                           delivered_only=False)  # fmt: skip
        counted = uow.run(
            lambda e=every, f=fq: tl.flow(e, f.since, f.until, f.time_zone), write=False
        )
        if container.engine.dialect.name != "postgresql":
            assert counted is None
            continue
        want = flow(uow.run(lambda e=every: tl.order_times(e), write=False), fq.since, fq.until,
                    fq.time_zone)  # fmt: skip
        assert counted is not None
        assert counted.days == want.days, fq
        for a, b in zip(counted.stages, want.stages, strict=True):
            assert (a.stage, a.departures) == (b.stage, b.departures)
            assert a.average_wip == pytest.approx(b.average_wip, rel=1e-9, abs=1e-12)
            assert a.throughput_per_day == pytest.approx(b.throughput_per_day, rel=1e-12)
            for x, y in ((a.mean_hours, b.mean_hours), (a.littles_wip, b.littles_wip)):
                assert x == (None if y is None else pytest.approx(y, rel=1e-9))
    if container.engine.dialect.name == "postgresql":
        assert any(d.wip[s] for d in want.days for s in d.wip)  # something was waiting


@pytest.mark.parametrize("include_history", [False, True])
def test_the_database_counts_open_orders_by_age_as_the_domain_does(
    container: Container, uow: UnitOfWork, clock: FakeClock, folder: Path, include_history: bool
) -> None:
    _history(container, uow, clock, folder)
    source = container.open_orders(uow)
    late = 0
    for days in (0, 1, 3, 40):  # later and later: orders move to older buckets, get late
        now = clock.now + timedelta(days=days)
        for channel in (None, "olist"):
            counted = uow.run(lambda c=channel, n=now: source.aging(c, include_history, n))
            if container.engine.dialect.name != "postgresql":
                assert counted is None
                continue
            found = uow.run(lambda c=channel: source.open_orders(c, include_history))
            assert counted == aging(found, now)
            assert counted.open_orders == len(found)
            late += counted.late_to_ship + counted.late_to_deliver
    assert late > 0 or container.engine.dialect.name != "postgresql"  # some were late
