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
    SOURCED = "order.sourced"
    PROCESSING = "order.processing"
    PARTIALLY_SHIPPED = "order.partially_shipped"
    SHIPPED = "order.shipped"
    DELIVERED = "order.delivered"
    COMPLETED = "order.completed"
    RECEIPT_CONFIRMED = "order.receipt_confirmed"  # the customer says the parcel arrived
    PROBLEM_REPORTED = "order.problem_reported"  # ... or that something is wrong with it
    PROBLEM_RESOLVED = "order.problem_resolved"  # customer service dealt with the report
    LINE_CANCELLED = "order.line_cancelled"
    # Order edits before picking (domain/orders/edits.py): what changed, old -> new.
    LINE_ADDED = "order.line_added"
    LINE_QUANTITY_CHANGED = "order.line_quantity_changed"
    LINE_REMOVED = "order.line_removed"
    ADDRESS_CHANGED = "order.address_changed"
    PRIORITY_CHANGED = "order.priority_changed"
    RETURN_REQUESTED = "return.requested"
    RETURN_POLICY_OVERRIDDEN = "return.policy_overridden"
    RETURN_APPROVED = "return.approved"
    RETURN_REJECTED = "return.rejected"
    RETURN_RECEIVED = "return.received"
    RETURN_INSPECTED = "return.inspected"
    RETURN_CLOSED = "return.closed"
    RETURN_REFUNDED = "return.refunded"
    RETURN_EXCHANGE_ORDERED = "return.exchange_ordered"
    EXCHANGE_PLACED = "order.exchange_placed"
    PAYMENT_RECORDED = "payment.recorded"
    REFUND_ISSUED = "refund.issued"
    REFUND_FAILED = "refund.failed"
    NOTE = "note"  # a person's words on the order; staff only, never on the tracking page
    SHIPMENT_CREATED = "shipment.created"
    SHIPMENT_CHANGED = "shipment.changed"
    SHIPMENT_CANCELLED = "shipment.cancelled"
    SHIPMENT_REJECTED = "shipment.rejected"
    SHIPMENT_PICKING = "shipment.picking"
    SHIPMENT_UNPICKED = "shipment.back_to_open"
    SHIPMENT_PICKED = "shipment.picked"
    SHIPMENT_SHORT_PICKED = "shipment.short_picked"
    SHIPMENT_PACKED = "shipment.packed"
    SHIPMENT_SHIPPED = "shipment.shipped"
    SHIPMENT_IN_TRANSIT = "shipment.in_transit"
    SHIPMENT_OUT_FOR_DELIVERY = "shipment.out_for_delivery"
    SHIPMENT_DELIVERED = "shipment.delivered"
    SHIPMENT_EXCEPTION = "shipment.exception"
    SHIPMENT_LATE = "shipment.late"  # past its promised date, not delivered: told once
    SHIPMENT_LOST = "shipment.lost"  # the carrier or customer service says it is lost
    SHIPMENT_REPLACED = "shipment.replaced"  # a lost parcel's units are sent again
    SHIPMENT_DELIVERY_FAILED = "shipment.delivery_failed"  # a driver could not hand it over
    SHIPMENT_RETURNED = "shipment.returned"  # back at its location, undelivered


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
