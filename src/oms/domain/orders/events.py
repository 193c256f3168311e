"""Events recorded in an order's timeline, named in the past tense."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from oms.domain.orders.status import OrderStatus


class OrderEventType(StrEnum):
    PLACED = "order.placed"
    CONFIRMED = "order.confirmed"
    HELD = "order.held"
    RELEASED = "order.released"
    CANCELLED = "order.cancelled"
    BACKORDER_FILLED = "order.backorder_filled"
    ALLOCATION_REDUCED = "order.allocation_reduced"


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """Something that happened to an order; the service stamps actor and time when storing."""

    type: OrderEventType
    from_status: OrderStatus | None = None
    to_status: OrderStatus | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as kept in the timeline, with who did it and when."""

    id: int
    order_id: int
    type: str
    from_status: str | None
    to_status: str | None
    actor: str
    at: datetime
    data: dict[str, Any]
