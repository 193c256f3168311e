"""Demand history: the counting rule and closed days (hand-computed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from oms.domain.planning.demand import (
    OpenDays,
    OrderedLine,
    counted_units,
    daily_demand,
    demand_by_day,
    sums_by_block,
    weekly,
)

MON = datetime(2026, 3, 2, 10, tzinfo=UTC)


def test_an_order_line_counts_what_was_asked_for_cancelled_units_included() -> None:
    assert counted_units(OrderedLine("A", MON, 5, shipped_quantity=2)) == 5
    late = MON + timedelta(days=3)
    assert counted_units(OrderedLine("A", MON, 5, order_cancelled_at=late)) == 5


def test_an_order_cancelled_whole_within_a_day_with_nothing_shipped_is_a_mistake() -> None:
    soon = MON + timedelta(hours=2)
    assert counted_units(OrderedLine("A", MON, 74215, order_cancelled_at=soon)) == 0
    # Something had shipped: it was a real order, cancelled for the rest.
    assert counted_units(OrderedLine("A", MON, 4, 1, order_cancelled_at=soon)) == 4


def test_closed_days_are_no_days_and_their_orders_count_on_the_next_open_day() -> None:
    calendar = OpenDays(frozenset(range(5)), frozenset({date(2026, 3, 4)}))  # Wed closed
    per_day = demand_by_day(
        [
            OrderedLine("A", MON, 2),
            OrderedLine("A", MON + timedelta(days=2), 3),  # Wednesday, closed
            OrderedLine("A", MON + timedelta(days=5), 7),  # Saturday
            OrderedLine("B", MON + timedelta(days=1), 1),
        ]
    )
    a, b = daily_demand(per_day, calendar, date(2026, 3, 2), date(2026, 3, 9))
    # Open: Mon 2, Tue 3, Thu 5, Fri 6, Mon 9 (five days, not eight).
    assert a.days == (date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 5), date(2026, 3, 6),
                      date(2026, 3, 9))  # fmt: skip
    assert a.units == (2.0, 0.0, 3.0, 0.0, 7.0)
    assert b.units == (0.0, 1.0, 0.0, 0.0, 0.0)
    assert weekly(a) == [(date(2026, 3, 2), 5.0), (date(2026, 3, 9), 7.0)]


def test_open_days_counts_the_open_days_of_a_calendar_span() -> None:
    calendar = OpenDays()
    assert calendar.count(date(2026, 3, 2), 14) == 10
    assert calendar.count(date(2026, 3, 6), 3) == 1  # Friday, Saturday, Sunday
    assert sums_by_block([1, 2, 3, 4, 5], 2) == [3, 7]
