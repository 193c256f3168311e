"""Read models of the back office: the order list with its filters and sorts, and each
role's work waiting today. Reads only; what a user may see is checked here as everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from oms.domain.access import Actor, Permission
from oms.domain.errors import FieldErrors
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.money import Money
from oms.domain.orders.status import FINISHED, IN_PROGRESS, OrderStatus
from oms.domain.returns.status import ReturnStatus
from oms.services.customer_service import CustomerServiceViews
from oms.services.ports import UnitOfWork
from oms.services.stock_views import StockViews

MAX_PAGE = 200
P = Permission


class OrderSort(StrEnum):
    """The orders list's sorts; a leading minus is descending."""

    NEWEST = "-placed"
    OLDEST = "placed"
    CUSTOMER = "customer"
    CUSTOMER_DESC = "-customer"
    TOTAL_DESC = "-total"
    TOTAL = "total"


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """What the orders list asks for: the API's filters, plus dates, late and a sort.

    `placed_from` and `placed_to` are instants (the caller turns the user's days into them);
    `after` is the cursor: the sort value and id of the last row of the previous page.
    """

    status: OrderStatus | None = None
    channel: str | None = None
    q: str | None = None
    placed_from: datetime | None = None
    placed_to: datetime | None = None
    late: bool = False
    waiting_for: str | None = None  # a SKU: only open orders with lines waiting for it
    sort: OrderSort = OrderSort.NEWEST
    after: tuple[str | int, int] | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One line of the orders list: the header and its units added up."""

    id: int
    number: str
    status: OrderStatus
    channel: str
    customer_name: str
    customer_email: str
    total: Money
    total_minor: int  # the total in minor units: what the total sort compares
    created_at: datetime
    units: int
    backordered: int
    shipped: int
    late: bool

    def cursor(self, sort: OrderSort) -> tuple[str | int, int]:
        key = sort.value.lstrip("-")
        if key == "customer":
            return self.customer_name, self.id
        if key == "total":
            return self.total_minor, self.id
        return self.id, self.id


@dataclass(frozen=True, slots=True)
class OrderPage:
    rows: list[OrderRow]
    more: bool


@dataclass(frozen=True, slots=True)
class StatusCount:
    status: str
    count: int
    oldest: datetime | None


@dataclass(frozen=True, slots=True)
class WorkCounts:
    """Everything the Today page counts, in one read."""

    orders: dict[str, StatusCount]
    shipments: dict[str, StatusCount]
    to_pick: int
    open_pick_lists: int
    late_orders: int
    waiting_for_stock: int
    returns: dict[str, StatusCount] = field(default_factory=dict)  # to approve, to inspect


class BackOfficeViews(StockViews, CustomerServiceViews, Protocol):
    """The read queries of the back office (adapters/db/views.py), run inside uow.run."""

    def orders(self, query: OrderQuery, today: date) -> list[OrderRow]:
        """Up to query.limit rows, in the query's sort, after its cursor."""

    def work_counts(self, today: date) -> WorkCounts: ...
    def time_zones(self) -> dict[int, str]:
        """Each location's IANA zone by id, the back office's own location first."""


def find_orders(
    uow: UnitOfWork, views: BackOfficeViews, actor: Actor, query: OrderQuery
) -> OrderPage:
    actor.require(P.ORDER_READ)
    if query.placed_from and query.placed_to and query.placed_from > query.placed_to:
        raise FieldErrors.single("placed_to", "must not be before the first day")
    limit = max(1, min(query.limit, MAX_PAGE))
    probe = replace(query, limit=limit + 1)
    rows = uow.run(lambda: views.orders(probe, uow.now().date()), write=False)
    return OrderPage(rows[:limit], len(rows) > limit)


@dataclass(frozen=True, slots=True)
class Queue:
    """A pile of work: how much, since when, and the list that shows it."""

    key: str
    label: str
    count: int
    oldest: datetime | None = None
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Today:
    queues: list[Queue]
    stages: list[StatusCount]  # orders per status still in progress, in journey order
    finished: list[OrderStatus]  # the statuses of history: linked, not counted


STATION = "/station"  # the warehouse's piles are worked at its station


def _queues(counts: WorkCounts, actor: Actor) -> list[Queue]:
    """The piles this actor's role works on, in the order a day's work goes."""
    o, s = counts.orders, counts.shipments

    def of(table: dict[str, StatusCount], status: str) -> StatusCount:
        return table.get(status) or StatusCount(status, 0, None)

    pending, held = of(o, OrderStatus.PENDING), of(o, OrderStatus.ON_HOLD)
    picked, packed = of(s, ShipmentStatus.PICKED), of(s, ShipmentStatus.PACKED)
    exception = of(s, ShipmentStatus.EXCEPTION)
    to_approve = of(counts.returns, ReturnStatus.REQUESTED)
    to_inspect = of(counts.returns, ReturnStatus.RECEIVED)
    table: list[tuple[Permission, Queue]] = [
        (P.ORDER_CONFIRM, Queue("confirm", "Orders to confirm", pending.count, pending.oldest,
                                "/orders?status=pending&sort=placed")),
        (P.ORDER_HOLD, Queue("holds", "Orders on hold", held.count, held.oldest,
                             "/orders?status=on_hold&sort=placed")),
        (P.SHIPMENT_READ, Queue("late", "Orders with a late shipment", counts.late_orders,
                                href="/orders?late=1&sort=placed")),
        (P.SHIPMENT_READ, Queue("exceptions", "Delivery problems", exception.count,
                                exception.oldest, "/service")),
        (P.ALLOCATE, Queue("backorders", "Orders waiting for stock", counts.waiting_for_stock,
                           href="/stock/backorders")),
        (P.FULFIL, Queue("to-pick", "Shipments to put on a pick list", counts.to_pick,
                         href=STATION)),
        (P.FULFIL, Queue("pick-lists", "Pick lists to complete", counts.open_pick_lists,
                         href=STATION)),
        (P.FULFIL, Queue("to-pack", "Shipments to pack", picked.count, picked.oldest, STATION)),
        (P.FULFIL, Queue("to-ship", "Shipments to ship", packed.count, packed.oldest, STATION)),
        (P.RETURN_MANAGE, Queue("returns-to-approve", "Returns to approve", to_approve.count,
                                to_approve.oldest, "/returns?status=requested")),
        (P.RETURN_RECEIVE, Queue("returns-to-inspect", "Returns to inspect", to_inspect.count,
                                 to_inspect.oldest, "/returns?status=received")),
    ]  # fmt: skip
    return [queue for permission, queue in table if actor.may(permission)]


def today(uow: UnitOfWork, views: BackOfficeViews, actor: Actor) -> Today:
    """What waits for this user now; empty for a role that reads no orders."""
    if not actor.may(P.ORDER_READ):
        return Today([], [], [])
    counts = uow.run(lambda: views.work_counts(uow.now().date()), write=False)
    stages = [
        counts.orders.get(s.value) or StatusCount(s.value, 0, None)
        for s in OrderStatus
        if s in IN_PROGRESS
    ]
    return Today(_queues(counts, actor), stages, [s for s in OrderStatus if s in FINISHED])


def time_zone(uow: UnitOfWork, views: BackOfficeViews, location_ids: Sequence[int] = ()) -> str:
    """The zone times are shown in: the first of these locations that exists, else the
    back office's own location (the first shipping one by priority), else UTC."""
    zones = uow.run(views.time_zones, write=False)
    for location_id in location_ids:
        if location_id in zones:
            return zones[location_id]
    return next(iter(zones.values()), "UTC")
