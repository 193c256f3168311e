"""The order state machine: one table of allowed transitions, checked in one place."""

from __future__ import annotations

from enum import StrEnum

from oms.domain.errors import TransitionNotAllowed


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
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED, S.DELIVERED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED}),
    S.CANCELLED: frozenset(),
    S.COMPLETED: frozenset(),
}

# Statuses in which an order still waits for stock: backorders are filled only for these.
OPEN_FOR_ALLOCATION: frozenset[OrderStatus] = frozenset(
    {S.PENDING, S.CONFIRMED, S.ON_HOLD, S.PROCESSING, S.PARTIALLY_SHIPPED}
)
# Statuses in which an order's reserved units are split into shipments for its locations.
IN_FULFILMENT: frozenset[OrderStatus] = frozenset(
    {S.CONFIRMED, S.PROCESSING, S.PARTIALLY_SHIPPED, S.SHIPPED}
)


def can_transition(current: OrderStatus, target: OrderStatus) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: OrderStatus, target: OrderStatus, action: str) -> None:
    """Raise TransitionNotAllowed unless the table has an arrow current -> target."""
    if not can_transition(current, target):
        raise TransitionNotAllowed(
            f"cannot {action} an order that is {current.value}"
            + (
                f" (it could move to: {', '.join(sorted(TRANSITIONS[current]))})"
                if TRANSITIONS[current]
                else " (no further transitions)"
            )
        )
