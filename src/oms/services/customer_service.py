"""Customer service's read models: the queue of orders that need a person now, and one
customer's orders, returns and totals. Reads only; `order.read` is checked here.

The queue's reasons (docs/customer-service.md):

- `late`: a shipment on its way past its promised date (late to deliver), or still in the
  warehouse after its ship-by day (late to ship); since the earliest such date, and
  `detail` says which kind that one is (`to_deliver` or `to_ship`);
- `on_hold`: the order is on hold; since it was put on hold;
- `exception`: a shipment the carrier reported a problem with; since its last event;
- `return_to_inspect`: a return received and not yet inspected; since it was received;
- `backordered_long`: an order still waiting for stock more than
  `OMS_SERVICE_BACKORDER_DAYS` days after it was placed; since it was placed;
- `refund_failed`: a refund the payment provider refused (or that failed to reach it);
  since its last attempt. Retrying it (`POST /refunds/{id}/retry`) takes it off.
- `problem`: an open problem (order_problems: a parcel lost, one back undelivered, what
  the customer reported); since the oldest open one was reported, and `detail` is its
  reason (`lost`, `damaged`, ...). Resolving it (a reship resolves a lost parcel's) takes
  it off.

An order with several reasons is in the queue once per reason. The queue is sorted oldest
first by (since, order id, reason): a total order, which the cursor continues.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from oms.domain.access import Actor, Permission
from oms.domain.errors import FieldErrors, NotFound
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.money import Money
from oms.domain.orders.status import OrderStatus
from oms.domain.returns.status import ReturnStatus
from oms.services.ports import UnitOfWork

DEFAULT_BACKORDER_DAYS = 3
MAX_PAGE = 200
MAX_CUSTOMER_ORDERS = 100  # the customer view lists the newest; its totals count them all


class Why(StrEnum):
    """Why an order is in the queue, in the order the page lists the counts."""

    LATE = "late"
    ON_HOLD = "on_hold"
    EXCEPTION = "exception"
    RETURN_TO_INSPECT = "return_to_inspect"
    REFUND_FAILED = "refund_failed"
    BACKORDERED_LONG = "backordered_long"
    PROBLEM = "problem"


# The reasons the queue's queries find: every one.
FOUND: tuple[Why, ...] = tuple(Why)


@dataclass(frozen=True, slots=True)
class QueueItem:
    order_id: int
    number: str
    why: Why
    since: datetime  # aware, UTC
    # late: `to_ship` or `to_deliver` (of the shipment due earliest); problem: its reason
    detail: str | None = None

    @property
    def key(self) -> tuple[datetime, int, str]:
        return self.since, self.order_id, self.why.value


@dataclass(frozen=True, slots=True)
class QueueAfter:
    """The cursor: the last item of the page before."""

    since: datetime
    order_id: int
    why: Why


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: list[QueueItem]
    more: bool


@dataclass(frozen=True, slots=True)
class Where:
    """Where an order is: its status, its latest shipment's, the promised date, late."""

    status: OrderStatus
    shipment_status: ShipmentStatus | None
    promised: date | None
    late: bool


@dataclass(frozen=True, slots=True)
class CustomerOrder:
    id: int
    number: str
    channel: str
    total: Money
    created_at: datetime
    where: Where


@dataclass(frozen=True, slots=True)
class CustomerReturn:
    id: int
    number: str
    order_id: int
    order_number: str
    status: ReturnStatus
    units: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CustomerTotals:
    orders: int
    spent: dict[str, Decimal]  # per currency, cancelled orders left out
    delivered_units: int
    returned_units: int  # units received back

    @property
    def return_rate(self) -> float | None:
        """Returned units per delivered unit; None before anything was delivered."""
        if not self.delivered_units:
            return None
        return round(self.returned_units / self.delivered_units, 4)


@dataclass(frozen=True, slots=True)
class Customer:
    email: str
    name: str  # as on the newest order
    phone: str | None  # the newest order's that has one
    orders: list[CustomerOrder]  # newest first, at most MAX_CUSTOMER_ORDERS
    returns: list[CustomerReturn]  # newest first
    totals: CustomerTotals


class CustomerServiceViews(Protocol):
    """The read queries (adapters/db/customer_service.py), run inside uow.run."""

    def service_queue(
        self, why: Why, today: date, placed_before: datetime, after: QueueAfter | None, limit: int
    ) -> list[QueueItem]:
        """Up to `limit` items of one reason, oldest first, after the cursor."""

    def service_counts(self, today: date, placed_before: datetime) -> dict[Why, int]: ...

    def where_orders_are(self, order_ids: list[int], today: date) -> dict[int, Where]: ...

    def customer(self, email: str, today: date, limit: int) -> Customer | None: ...


def day_start(day: date) -> datetime:
    """A date as the instant it begins (UTC): what `since` is for date-only reasons."""
    return datetime.combine(day, time(), UTC)


def read_cursor(key: str) -> QueueAfter:
    """A queue cursor as `key` gives it (`<since ISO>|<order id>|<why>`)."""
    try:
        since, order_id, why = key.split("|")
        at = datetime.fromisoformat(since)
        if at.tzinfo is None:
            raise ValueError(since)
        return QueueAfter(at.astimezone(UTC), int(order_id), Why(why))
    except (ValueError, OverflowError):  # OverflowError: a date at the calendar's edge
        raise FieldErrors.single("cursor", "not a cursor this API gave out") from None


def cursor_of(item: QueueItem) -> str:
    return f"{item.since.isoformat()}|{item.order_id}|{item.why.value}"


def service_queue(
    uow: UnitOfWork,
    views: CustomerServiceViews,
    actor: Actor,
    *,
    backorder_days: int = DEFAULT_BACKORDER_DAYS,
    after: QueueAfter | None = None,
    limit: int = 50,
) -> QueuePage:
    """The orders that need a person now, oldest first, once per reason."""
    actor.require(Permission.ORDER_READ)
    limit = max(1, min(limit, MAX_PAGE))

    def work() -> list[QueueItem]:
        now = uow.now()
        before = now - timedelta(days=backorder_days)
        found: list[QueueItem] = []
        for why in FOUND:  # each reason's first limit + 1 after the cursor: enough to merge
            found += views.service_queue(why, now.date(), before, after, limit + 1)
        return sorted(found, key=lambda item: item.key)[: limit + 1]

    items = uow.run(work, write=False)
    return QueuePage(items[:limit], len(items) > limit)


def service_counts(
    uow: UnitOfWork,
    views: CustomerServiceViews,
    actor: Actor,
    *,
    backorder_days: int = DEFAULT_BACKORDER_DAYS,
) -> dict[Why, int]:
    """How many orders wait for each reason."""
    actor.require(Permission.ORDER_READ)

    def work() -> dict[Why, int]:
        now = uow.now()
        return views.service_counts(now.date(), now - timedelta(days=backorder_days))

    counts = uow.run(work, write=False)
    return {why: counts.get(why, 0) for why in Why}


def where_orders_are(
    uow: UnitOfWork, views: CustomerServiceViews, actor: Actor, order_ids: list[int]
) -> dict[int, Where]:
    """Where each of these orders is (the orders list's hits)."""
    actor.require(Permission.ORDER_READ)
    return uow.run(lambda: views.where_orders_are(order_ids, uow.now().date()), write=False)


def customer(uow: UnitOfWork, views: CustomerServiceViews, actor: Actor, email: str) -> Customer:
    """A customer (an email with orders): their orders, returns and totals; NotFound if
    no order was placed with this email."""
    actor.require(Permission.ORDER_READ)
    key = email.strip().lower()
    found = uow.run(lambda: views.customer(key, uow.now().date(), MAX_CUSTOMER_ORDERS), write=False)
    if found is None:
        raise NotFound(f"no orders for {key}")
    return found
