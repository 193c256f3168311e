"""order_facts, the per-order summary the insight reports read (issue 12): after any run of
live writes or an Olist import it equals what grouping the events says (first event of each
kind), and one write keeps the earliest time of a kind whatever order the times come in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from oms.adapters.db import customer_facts as customer_facts_sql
from oms.adapters.db import order_facts as facts
from oms.adapters.db.tables import order_facts, orders
from oms.adapters.db.tables_loyalty import customer_facts
from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.insight.stages import GroupBy, Hours, StageReport, grouped, stage_report
from oms.services import orders as order_service
from oms.services.ports import UnitOfWork
from oms.services.ports.insight import TimesQuery
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.service.test_completion import delivered_order
from tests.service.test_insight import folder, run_import  # noqa: F401 (a fixture)


def table(container: Container) -> set[tuple[object, ...]]:
    with container.engine.connect() as conn:
        return {tuple(r) for r in conn.execute(sa.select(order_facts))}


def from_events(container: Container) -> set[tuple[object, ...]]:
    """The table made again from scratch: the events grouped order by order (what the
    reports computed before order_facts), the hours between, the order's figures, its
    shipments, problems and returns read from their tables. Rolled back."""
    with container.engine.connect() as conn, conn.begin() as tx:
        conn.execute(order_facts.delete())
        conn.execute(facts.refill())
        facts.refill_durations(conn)
        facts.refresh_all(conn)
        found = {tuple(r) for r in conn.execute(sa.select(order_facts))}
        tx.rollback()
    return found


def customers(container: Container) -> tuple[set[tuple[object, ...]], set[tuple[object, ...]]]:
    """customer_facts as the triggers kept it, and made again from order_facts (rolled
    back): the two must be equal."""
    with container.engine.connect() as conn, conn.begin() as tx:
        kept = {tuple(r) for r in conn.execute(sa.select(customer_facts))}
        customer_facts_sql.refill(conn)
        again = {tuple(r) for r in conn.execute(sa.select(customer_facts))}
        tx.rollback()
    return kept, again


def test_live_writes_keep_the_table_equal_to_the_events(
    container: Container, uow: UnitOfWork, clock: FakeClock
) -> None:
    delivered = delivered_order(uow, clock)
    clock.advance(hours=3)
    stocked(uow, "CAP", 4)
    cancelled = order_service.place_order(uow, SYSTEM, draft(("CAP", 1))).order.id
    clock.advance(minutes=5)
    order_service.cancel_order(uow, SYSTEM, cancelled, "changed mind")
    open_one = order_service.place_order(uow, SYSTEM, draft(("CAP", 1))).order.id
    found = table(container)
    assert found == from_events(container)
    kept, again = customers(container)
    assert kept == again and len(kept) == 1  # one e-mail: the cancelled order is left out
    assert [(r[1], r[4] is not None) for r in kept] == [(delivered, True)]  # another came
    rows = {r[0]: r for r in found}
    assert set(rows) == {delivered, cancelled, open_one}
    names = [c.name for c in order_facts.c]
    d = dict(zip(names, rows[delivered], strict=True))
    assert None not in (d["placed_at"], d["confirmed_at"], d["picked_at"], d["packed_at"])
    assert d["shipped_at"] < d["delivered_at"] and d["cancelled_at"] is None
    c = dict(zip(names, rows[cancelled], strict=True))
    assert c["cancelled_at"] == c["placed_at"] + timedelta(minutes=5)
    assert c["shipped_at"] is None


def test_an_import_keeps_it_too(container: Container, folder: Path) -> None:  # noqa: F811
    run_import(container, folder)
    found = table(container)
    assert found == from_events(container)
    kept, again = customers(container)
    assert kept == again and kept
    assert len(found) == 4  # a4, cancelled without items, is not imported


def test_the_earliest_time_of_a_kind_wins_in_any_order(
    container: Container, uow: UnitOfWork
) -> None:
    stocked(uow, "MUG", 1)
    order_id = order_service.place_order(uow, SYSTEM, draft(("MUG", 1))).order.id
    t = datetime(2026, 1, 1, 12, tzinfo=UTC)
    with container.engine.connect() as conn:
        channel, created = conn.execute(
            sa.select(orders.c.channel, orders.c.created_at).where(orders.c.id == order_id)
        ).one()
    later, earlier, latest = t + timedelta(hours=2), t, t + timedelta(hours=5)
    for when in (later, earlier, latest):  # three writes, in this order
        with container.engine.begin() as conn:
            facts.record(conn, [(order_id, channel, created, "order.shipped", when)])
    with container.engine.begin() as conn:  # one write holding two of a kind
        facts.record(
            conn,
            [
                (order_id, channel, created, "return.requested", latest),
                (order_id, channel, created, "return.requested", later),
                (order_id, channel, created, "order.edited", earlier),  # not a kind it keeps
            ],
        )
    with container.engine.connect() as conn:
        row = conn.execute(sa.select(order_facts).where(order_facts.c.order_id == order_id)).one()
    assert (row.shipped_at, row.return_requested_at) == (earlier, later)
    assert row.placed_at is not None and row.delivered_at is None


def same(a: StageReport, b: StageReport) -> None:
    assert (a.orders, a.promised, a.late, a.ship_by, a.shipped_on_time) == (
        b.orders, b.promised, b.late, b.ship_by, b.shipped_on_time
    )  # fmt: skip
    assert (a.bottleneck, a.detail_bottleneck) == (b.bottleneck, b.detail_bottleneck)
    for x, y in zip([*a.stages, *a.detail, *a.returns], [*b.stages, *b.detail, *b.returns],
                    strict=True):  # fmt: skip
        h, k = x.hours, y.hours
        assert (x.stage, h.count, h.negative, h.p50, h.p90, h.p99) == (
            y.stage, k.count, k.negative, k.p50, k.p90, k.p99
        )  # fmt: skip
        assert h.mean == (None if k.mean is None else pytest.approx(k.mean, rel=1e-12))
    assert a.late_bottleneck == b.late_bottleneck
    for x, y in zip(a.late_split, b.late_split, strict=True):
        assert (x.stage, x.late_count, x.on_time_count) == (y.stage, y.late_count, y.on_time_count)
        assert x.late_total == pytest.approx(y.late_total, rel=1e-12, abs=1e-9)
        assert x.on_time_total == pytest.approx(y.on_time_total, rel=1e-12, abs=1e-9)


def test_the_database_computes_the_stage_table_as_the_domain_does(
    container: Container,
    uow: UnitOfWork,
    clock: FakeClock,
    folder: Path,  # noqa: F811
) -> None:
    """History (negative stages, São Paulo days) and live orders (Paris, picked and packed):
    PostgreSQL's figures are the domain's, whole and by each grouping."""
    run_import(container, folder)
    for sku in ("TEE", "HAT", "SOCK"):
        delivered_order(uow, clock, sku)
        clock.advance(hours=7, minutes=13)
    tl = container.timelines(uow)
    for window in (TimesQuery(), TimesQuery(channel="olist"), TimesQuery(location="PAR")):
        times = uow.run(lambda w=window: tl.order_times(w), write=False)
        for by in (None, *GroupBy):
            found = uow.run(
                lambda w=window, b=by: tl.stage_reports(w, Hours.CALENDAR, b), write=False
            )
            if container.engine.dialect.name != "postgresql":
                assert found is None  # SQLite leaves it to the domain
                continue
            assert found is not None
            whole, groups = found
            same(whole, stage_report(times))
            if window == TimesQuery():  # the late split has late and on-time orders to split
                assert all(x.late_count and x.on_time_count for x in whole.late_split)
            want = grouped(times, by) if by else []
            assert [k for k, _ in groups] == [k for k, _ in want]
            for (_, a), (_, b) in zip(groups, want, strict=True):
                same(a, b)
    assert uow.run(lambda: tl.stage_reports(TimesQuery(), Hours.WORKING, None)) is None
