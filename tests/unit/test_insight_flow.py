"""Work in progress, throughput and Little's law on a made-up history, by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from oms.domain.insight.flow import Waiting, flow, span
from oms.domain.insight.stages import OrderTimes

D1 = datetime(2026, 3, 2, tzinfo=UTC)  # midnight UTC, Monday 2 March


def h(hours: float) -> datetime:
    return D1 + timedelta(hours=hours)


# A: placed 06:00 day 1, confirmed 18:00 day 1, shipped 12:00 day 2, delivered 12:00 day 3
# B: placed 12:00 day 1, cancelled 06:00 day 2 before confirmation
# C: placed 12:00 day 2, confirmed 00:00 day 3 (at the edge), not shipped yet
HISTORY = [
    OrderTimes(1, "web", h(6), h(18), h(36), h(60)),
    OrderTimes(2, "web", h(12), cancelled=h(30)),
    OrderTimes(3, "web", h(36), h(48)),
]
W = Waiting


def test_a_wait_ends_at_the_next_event_or_a_cancellation() -> None:
    a = span(HISTORY[0], W.AWAITING_CONFIRMATION)
    assert a is not None and (a.start, a.end, a.cancelled) == (h(6), h(18), False)
    b = span(HISTORY[1], W.AWAITING_CONFIRMATION)
    assert b is not None and (b.end, b.cancelled) == (h(30), True)
    assert span(HISTORY[1], W.AWAITING_SHIPMENT) is None  # never confirmed
    c = span(HISTORY[2], W.AWAITING_SHIPMENT)
    assert c is not None and c.end is None  # still waits
    # No approval time, shipped: the wait for confirmation ends when it shipped.
    olist = span(OrderTimes(4, "olist", h(0), None, h(5)), W.AWAITING_CONFIRMATION)
    assert olist is not None and olist.end == h(5)


def test_waiting_at_the_end_of_each_day_and_leaving_during_it() -> None:
    found = flow(HISTORY, date(2026, 3, 2), date(2026, 3, 4), "UTC")
    assert [d.day for d in found.days] == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    wip = [[d.wip[s] for s in W] for d in found.days]
    # End of day 1 (h24): B waits for confirmation, A for shipment.
    # End of day 2 (h48): C was confirmed at h48 exactly, so it waits for shipment; A in transit.
    # End of day 3 (h72): C still waits for shipment; A delivered at h60.
    assert wip == [[1, 1, 0], [0, 1, 1], [0, 1, 0]]
    left = [[d.throughput[s] for s in W] for d in found.days]
    # Day 1: A confirmed. Day 2: A shipped (B's cancellation is not throughput).
    # Day 3: C confirmed at h48, A delivered.
    assert left == [[1, 0, 0], [0, 1, 0], [1, 0, 1]]


def test_littles_law_over_the_window() -> None:
    found = flow(HISTORY, date(2026, 3, 2), date(2026, 3, 4), "UTC")  # 72 hours
    by = {s.stage: s for s in found.stages}
    c = by[W.AWAITING_CONFIRMATION]
    # Hours waiting: A 12, B 18, C 12 = 42 over 72 h; three left (B's cancellation counts).
    assert c.average_wip == pytest.approx(42 / 72)
    assert c.departures == 3
    assert c.throughput_per_day == pytest.approx(1.0)
    assert c.mean_hours == pytest.approx(14.0)
    assert c.littles_wip == pytest.approx(14.0 * 3 / 72)
    assert c.ratio == pytest.approx(1.0)
    s = by[W.AWAITING_SHIPMENT]
    # A 18 h, C 24 h (still waiting at the end: only its hours inside count); one left.
    assert s.average_wip == pytest.approx(42 / 72)
    assert (s.departures, s.mean_hours) == (1, 18.0)
    assert s.ratio == pytest.approx((42 / 72) / (18 / 72))  # C never left: L > λ·W


def test_days_are_read_in_the_time_zone_asked_for() -> None:
    # 4 March in São Paulo (UTC-3) runs from h51 to h75: C's confirmation at h48 falls on
    # the 3rd there, while in UTC (h48 to h72) it falls on the 4th.
    there = flow(HISTORY, date(2026, 3, 4), date(2026, 3, 4), "America/Sao_Paulo").days[0]
    utc = flow(HISTORY, date(2026, 3, 4), date(2026, 3, 4), "UTC").days[0]
    assert [there.throughput[s] for s in W] == [0, 0, 1]
    assert [utc.throughput[s] for s in W] == [1, 0, 1]
