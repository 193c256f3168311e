"""Work in progress from counts by day edge (what PostgreSQL sends, adapters/db/flow_sql.py)
equals work in progress from the orders themselves (domain/insight/flow.py), for any
timelines: the counting scheme, tried on made-up orders (hypothesis)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oms.domain.insight.flow import Counted, Waiting, edges_of, flow, flow_counted, span
from oms.domain.insight.stages import OrderTimes

START = datetime(2026, 3, 20, tzinfo=UTC)  # the days cross a change of summer time in Paris
minutes = st.integers(min_value=-600, max_value=20 * 24 * 60)


@st.composite
def timelines(draw: st.DrawFn) -> list[OrderTimes]:
    out = []
    for i in range(draw(st.integers(min_value=0, max_value=25))):
        placed = START + timedelta(minutes=draw(minutes))

        def maybe(after: datetime) -> datetime | None:
            if draw(st.booleans()):
                return None
            # mostly later, sometimes earlier (history can say so), sometimes on a midnight
            step = draw(st.sampled_from([None, 0, -30, 60, 24 * 60]))
            if step is None:
                step = draw(st.integers(min_value=-120, max_value=6 * 24 * 60))
            return after + timedelta(minutes=step)

        confirmed = maybe(placed)
        shipped = maybe(confirmed or placed)
        delivered = maybe(shipped) if shipped else None
        cancelled = maybe(placed) if draw(st.integers(0, 4)) == 0 else None
        out.append(OrderTimes(i, "web", placed, confirmed, shipped, delivered, cancelled))
    return out


def counted_as_the_database_does(
    times: list[OrderTimes], first: date, last: date, zone: str
) -> dict[Waiting, Counted]:
    """flow_sql.py's query, in Python: width_bucket(t, edges) is bisect_right(edges, t);
    with 1 µs less it is the number of edges before t."""
    edges = edges_of(first, last, zone)
    n, since, until = len(edges), edges[0], edges[-1]
    out = {}
    for stage in Waiting:
        starts, ends, left = [0] * (n + 1), [0] * (n + 1), [0] * (n + 1)
        inside, departures, departed = 0.0, 0, 0.0
        for t in times:
            s = span(t, stage)
            if s is None:
                continue
            starts[bisect_left(edges, s.start)] += 1
            if s.end is not None:
                ends[bisect_left(edges, s.end)] += 1
                if not s.cancelled:
                    left[bisect_right(edges, s.end)] += 1
                if since <= s.end < until:
                    departures += 1
                    departed += (s.end - s.start).total_seconds()
            lo, hi = max(s.start, since), min(s.end or until, until)
            if hi > lo:
                inside += (hi - lo).total_seconds()
        out[stage] = Counted(
            starts=_running(starts)[:n],
            ends=_running(ends)[:n],
            left=left[1:n],
            inside_seconds=inside,
            departures=departures,
            departed_seconds=departed,
        )
    return out


def _running(xs: list[int]) -> list[int]:
    out, total = [], 0
    for x in xs:
        total += x
        out.append(total)
    return out


@settings(max_examples=150, deadline=None)
@given(
    times=timelines(),
    offset=st.integers(min_value=-2, max_value=15),
    days=st.integers(min_value=0, max_value=12),
    zone=st.sampled_from(["UTC", "Europe/Paris", "America/Sao_Paulo", "Asia/Kolkata"]),
)
def test_counts_by_day_edge_give_the_same_flow(
    times: list[OrderTimes], offset: int, days: int, zone: str
) -> None:
    first = START.date() + timedelta(days=offset)
    last = first + timedelta(days=days)
    want = flow(times, first, last, zone)
    got = flow_counted(first, last, zone, counted_as_the_database_does(times, first, last, zone))
    assert got.days == want.days
    for a, b in zip(got.stages, want.stages, strict=True):
        assert (a.stage, a.departures) == (b.stage, b.departures)
        assert a.average_wip == pytest.approx(b.average_wip, rel=1e-9, abs=1e-12)
        assert a.mean_hours == (None if b.mean_hours is None else pytest.approx(b.mean_hours))


def test_a_wait_ended_before_the_first_day_counts_in_both_terms_and_cancels() -> None:
    day = timedelta(days=1)  # placed, confirmed, shipped, delivered: all before the window
    old = OrderTimes(1, "web", START - 9 * day, START - 8 * day, START - 7 * day, START - day)
    waiting = OrderTimes(2, "web", START + timedelta(hours=3))
    first = START.date()
    without = counted_as_the_database_does([waiting], first, first, "UTC")
    both = counted_as_the_database_does([old, waiting], first, first, "UTC")
    assert (
        flow_counted(first, first, "UTC", both).days
        == flow_counted(first, first, "UTC", without).days
    )
    assert [d.wip[Waiting.AWAITING_CONFIRMATION] for d in flow([old, waiting], first, first,
                                                              "UTC").days] == [1]  # fmt: skip
