"""Open orders by age, oldest first, and which of them are late now.

- Open: an order not delivered, completed or cancelled. Its age is the time since it was
  placed; the buckets are [0, 1), [1, 2), [2, 3), [3, 7), [7, 14), [14, 30) and 30+ days.
- Backorder: an open order with units that wait for stock.
- Where it waits: `on_hold`, `awaiting_confirmation` (pending), `awaiting_shipment`
  (confirmed, processing, partially shipped) or `in_transit` (shipped).
- Late now (the day read in the location's time zone): `to_deliver` when a parcel on its way
  is past its promised delivery date, else `to_ship` when a parcel still in the warehouse is
  past the day it had to leave by; `days_late` counts the days since that date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from oms.domain.orders.status import OrderStatus as S

BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("under 1 day", 1),
    ("1-2 days", 2),
    ("2-3 days", 3),
    ("3-7 days", 7),
    ("7-14 days", 14),
    ("14-30 days", 30),
    ("30 days or more", None),
)
WAITING_IN: dict[S, str] = {
    S.PENDING: "awaiting_confirmation",
    S.ON_HOLD: "on_hold",
    S.CONFIRMED: "awaiting_shipment",
    S.PROCESSING: "awaiting_shipment",
    S.PARTIALLY_SHIPPED: "awaiting_shipment",
    S.SHIPPED: "in_transit",
}


class Late(StrEnum):
    TO_SHIP = "to_ship"
    TO_DELIVER = "to_deliver"


@dataclass(frozen=True, slots=True)
class OpenOrder:
    order_id: int
    number: str
    channel: str
    status: S
    placed: datetime
    backordered_units: int
    ship_by: date | None = None  # the earliest of its parcels still in the warehouse
    promised: date | None = None  # the earliest of its parcels on their way
    location: str | None = None
    time_zone: str = "UTC"


@dataclass(frozen=True, slots=True)
class AgedOrder:
    order: OpenOrder
    age_hours: float
    waiting_in: str
    late: Late | None
    days_late: int


@dataclass(frozen=True, slots=True)
class Bucket:
    label: str
    orders: int
    backorders: int
    late: int


@dataclass(frozen=True, slots=True)
class Aging:
    as_of: datetime
    buckets: list[Bucket]
    oldest: list[AgedOrder]
    open_orders: int
    late_to_ship: int
    late_to_deliver: int


def bucket_of(age: timedelta) -> str:
    days = age.total_seconds() / 86400
    for label, below in BUCKETS:
        if below is None or days < below:
            return label
    raise AssertionError("the last bucket has no bound")


def aged(o: OpenOrder, now: datetime) -> AgedOrder:
    today = now.astimezone(ZoneInfo(o.time_zone)).date()
    late, since = None, None
    if o.promised is not None and o.promised < today:
        late, since = Late.TO_DELIVER, o.promised
    elif o.ship_by is not None and o.ship_by < today:
        late, since = Late.TO_SHIP, o.ship_by
    return AgedOrder(
        order=o,
        age_hours=(now - o.placed).total_seconds() / 3600,
        waiting_in=WAITING_IN.get(o.status, o.status.value),
        late=late,
        days_late=(today - since).days if since else 0,
    )


def aging_counted(
    now: datetime,
    counts: dict[str, tuple[int, int, int]],
    oldest_found: Sequence[OpenOrder],
    late: tuple[int, int],
    oldest: int = 50,
) -> Aging:
    """The same Aging from a database's counts: per bucket label (orders, backorders,
    late), the `oldest` open orders themselves, and (late to ship, late to deliver)."""
    every = sorted(
        (aged(o, now) for o in oldest_found), key=lambda a: (a.order.placed, a.order.order_id)
    )
    buckets = [Bucket(label, *counts.get(label, (0, 0, 0))) for label, _ in BUCKETS]
    return Aging(
        as_of=now,
        buckets=buckets,
        oldest=every[:oldest],
        open_orders=sum(b.orders for b in buckets),
        late_to_ship=late[0],
        late_to_deliver=late[1],
    )


def aging(found: Sequence[OpenOrder], now: datetime, oldest: int = 50) -> Aging:
    every = sorted((aged(o, now) for o in found), key=lambda a: (a.order.placed, a.order.order_id))
    counts = {label: [0, 0, 0] for label, _ in BUCKETS}  # orders, backorders, late
    for a in every:  # each order's bucket once
        c = counts[bucket_of(now - a.order.placed)]
        c[0] += 1
        c[1] += bool(a.order.backordered_units)
        c[2] += a.late is not None
    buckets = [Bucket(label, *counts[label]) for label, _ in BUCKETS]
    return Aging(
        as_of=now,
        buckets=buckets,
        oldest=every[:oldest],
        open_orders=len(every),
        late_to_ship=sum(1 for a in every if a.late is Late.TO_SHIP),
        late_to_deliver=sum(1 for a in every if a.late is Late.TO_DELIVER),
    )
