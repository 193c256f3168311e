"""Who is served first when stock arrives, and who gives way when it falls short."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from oms.domain.inventory.model import (
    Backorder,
    HeldReservation,
    backorder_queue,
    plan_take_back,
)

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def test_backorders_are_served_by_priority_then_age() -> None:
    old = Backorder(1, 100, 2, 0, T0, 1)
    new_urgent = Backorder(2, 100, 2, 5, T0 + timedelta(days=1), 2)
    newest = Backorder(3, 100, 2, 0, T0 + timedelta(days=2), 3)
    assert [b.line_key for b in backorder_queue([newest, old, new_urgent])] == [2, 1, 3]


def test_take_back_starts_with_the_newest_reservation() -> None:
    held = [
        HeldReservation(1, 4, T0),
        HeldReservation(2, 3, T0 + timedelta(hours=1)),
        HeldReservation(3, 1, T0 + timedelta(hours=2)),
    ]
    assert plan_take_back(held, 3) == [(3, 1), (2, 2)]
    assert plan_take_back(held, 0) == []
