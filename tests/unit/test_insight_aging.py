"""Open orders by age and late now, by hand: buckets, where each waits, the day read in the
location's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from oms.domain.insight.aging import Late, aging, bucket_of
from oms.domain.insight.aging import OpenOrder as O
from oms.domain.orders.status import OrderStatus as S

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 23:00 on 9 March in São Paulo


def test_buckets_are_half_open_day_ranges() -> None:
    assert bucket_of(timedelta(hours=23, minutes=59)) == "under 1 day"
    assert bucket_of(timedelta(days=1)) == "1-2 days"
    assert bucket_of(timedelta(days=6, hours=23)) == "3-7 days"
    assert bucket_of(timedelta(days=7)) == "7-14 days"
    assert bucket_of(timedelta(days=30)) == "30 days or more"


def test_open_orders_by_age_oldest_first_with_backorders_and_lateness() -> None:
    found = aging(
        [
            O(1, "SO-1", "web", S.PENDING, NOW - timedelta(hours=5), 0),
            O(2, "SO-2", "web", S.CONFIRMED, NOW - timedelta(days=4), 2, ship_by=date(2026, 3, 6)),
            O(3, "SO-3", "web", S.SHIPPED, NOW - timedelta(days=40), 0, promised=date(2026, 3, 8)),
            O(4, "SO-4", "web", S.ON_HOLD, NOW - timedelta(days=4, hours=1), 0),
        ],
        NOW,
    )
    assert [(b.label, b.orders, b.backorders, b.late) for b in found.buckets if b.orders] == [
        ("under 1 day", 1, 0, 0),
        ("3-7 days", 2, 1, 1),
        ("30 days or more", 1, 0, 1),
    ]
    assert [a.order.number for a in found.oldest] == ["SO-3", "SO-4", "SO-2", "SO-1"]
    assert [a.waiting_in for a in found.oldest] == [
        "in_transit",
        "on_hold",
        "awaiting_shipment",
        "awaiting_confirmation",
    ]
    by = {a.order.number: a for a in found.oldest}
    assert (by["SO-3"].late, by["SO-3"].days_late) == (Late.TO_DELIVER, 2)
    assert (by["SO-2"].late, by["SO-2"].days_late) == (Late.TO_SHIP, 4)
    assert by["SO-1"].late is None and by["SO-1"].age_hours == 5.0
    assert (found.open_orders, found.late_to_ship, found.late_to_deliver) == (4, 1, 1)


def test_late_is_read_on_the_locations_day() -> None:
    # Promised for 9 March: in UTC it is already the 10th (late by a day); in São Paulo it
    # is still the evening of the 9th (not late).
    there = O(1, "SO-1", "web", S.SHIPPED, NOW - timedelta(days=3), 0,
              promised=date(2026, 3, 9), time_zone="America/Sao_Paulo")  # fmt: skip
    utc = O(2, "SO-2", "web", S.SHIPPED, NOW - timedelta(days=3), 0, promised=date(2026, 3, 9))
    by = {a.order.number: a for a in aging([there, utc], NOW).oldest}
    assert by["SO-1"].late is None
    assert (by["SO-2"].late, by["SO-2"].days_late) == (Late.TO_DELIVER, 1)
