"""The order state machine: one table of allowed transitions, checked in one place."""

from __future__ import annotations

from enum import StrEnum

from oms.domain.state_machine import StateMachine


class OrderStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    ON_HOLD = "on_hold"
    PROCESSING = "processing"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


S = OrderStatus

# Every arrow the order may follow. A release from hold returns to the status the order
# was held from, so ON_HOLD has arrows back to each status that may be held.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING: frozenset({S.CONFIRMED, S.ON_HOLD, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.ON_HOLD, S.CANCELLED, S.PROCESSING}),
    S.ON_HOLD: frozenset({S.PENDING, S.CONFIRMED, S.PROCESSING, S.CANCELLED}),
    S.PROCESSING: frozenset({S.ON_HOLD, S.CANCELLED, S.PARTIALLY_SHIPPED, S.SHIPPED}),
    # Back to fewer shipped units: a lost parcel replaced, or one returned undelivered.
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED, S.DELIVERED, S.PROCESSING}),
    S.SHIPPED: frozenset({S.DELIVERED, S.PARTIALLY_SHIPPED, S.PROCESSING}),
    S.DELIVERED: frozenset({S.COMPLETED}),
    S.CANCELLED: frozenset(),
    S.COMPLETED: frozenset(),
}

# ON_HOLD's arrows back serve only `release` (to where the order was held from): confirming
# a held order would skip the release and forget that it was already being worked on.
ORDER_STATES = StateMachine(
    "order",
    S.PENDING,
    TRANSITIONS,
    starts={"confirm": frozenset({S.PENDING}), "release": frozenset({S.ON_HOLD})},
)
can_transition = ORDER_STATES.can
check_transition = ORDER_STATES.check

# -- the questions services and adapters ask of a status, answered here only --------------

# Statuses nobody works on until a customer comes back: the history, not today's work.
FINISHED: frozenset[OrderStatus] = frozenset({S.DELIVERED, S.COMPLETED, S.CANCELLED})
IN_PROGRESS: frozenset[OrderStatus] = frozenset(OrderStatus) - FINISHED

# Statuses in which an order still waits for stock: backorders are filled only for these.
WAITS_FOR_STOCK: frozenset[OrderStatus] = frozenset(
    {S.PENDING, S.CONFIRMED, S.ON_HOLD, S.PROCESSING, S.PARTIALLY_SHIPPED}
)
# Statuses in which an order's reserved units are split into shipments for its locations.
_IN_FULFILMENT: frozenset[OrderStatus] = frozenset(
    {S.CONFIRMED, S.PROCESSING, S.PARTIALLY_SHIPPED, S.SHIPPED}
)
# Statuses in which the warehouse may pick, pack and ship the order's shipments: not while
# it is held (a payment or fraud check) and never once it is cancelled.
WAREHOUSE_WORKS: frozenset[OrderStatus] = frozenset(
    {S.CONFIRMED, S.PROCESSING, S.PARTIALLY_SHIPPED}
)


def waits_for_stock(status: OrderStatus) -> bool:
    """May stock that arrives be given to this order's backordered lines?"""
    return status in WAITS_FOR_STOCK


def warehouse_may_work(status: OrderStatus) -> bool:
    """May the warehouse pick, pack or ship this order's shipments now?"""
    return status in WAREHOUSE_WORKS


def lines_may_be_cancelled(status: OrderStatus) -> bool:
    """May units that have not shipped be cancelled line by line (an order edit)?"""
    return status in WAITS_FOR_STOCK


# Statuses in which an order may be edited (lines, address, priority): before the warehouse
# started on it. Held orders too, when held before picking; the shipments must still be
# open as well (domain/orders/edits.py checks them).
_EDITABLE: frozenset[OrderStatus] = frozenset({S.PENDING, S.CONFIRMED})


def may_be_edited(status: OrderStatus, held_from: OrderStatus | None) -> bool:
    """May the order's lines, address or priority still change (no pick started)?"""
    if status is S.ON_HOLD:
        return held_from in _EDITABLE
    return status in _EDITABLE


def in_fulfilment(status: OrderStatus, held_from: OrderStatus | None) -> bool:
    """Are the order's reserved units split into shipments (also while it is on hold)?"""
    if status is S.ON_HOLD:
        return held_from in _IN_FULFILMENT
    return status in _IN_FULFILMENT
