"""The events oms tells the outside world about, and which timeline events they come from.

Every timeline event of one of these types is written to the outbox in the transaction
that records it (adapters/db/orders.py), so a change and its notice commit or roll back
together. Webhook subscribers may subscribe to the contract's types; customers get an
e-mail for the ones in `EMAIL_TOPICS`.
"""

from __future__ import annotations

from enum import StrEnum

from oms.domain.orders.events import OrderEventType


class Topic(StrEnum):
    ORDER_PLACED = "order.placed"
    ORDER_CONFIRMED = "order.confirmed"
    ORDER_CANCELLED = "order.cancelled"
    SHIPMENT_SHIPPED = "shipment.shipped"
    SHIPMENT_OUT_FOR_DELIVERY = "shipment.out_for_delivery"
    SHIPMENT_DELIVERED = "shipment.delivered"
    SHIPMENT_LATE = "shipment.late"
    SHIPMENT_DELIVERY_FAILED = "shipment.delivery_failed"
    SHIPMENT_LOST = "shipment.lost"
    RETURN_REQUESTED = "return.requested"
    RETURN_APPROVED = "return.approved"
    RETURN_RECEIVED = "return.received"
    REFUND_ISSUED = "refund.issued"
    # Not from a timeline: a product's available units at shipping locations changed
    # (adapters/db/stock_events.py; `data`: sku, available).
    STOCK_CHANGED = "stock.changed"


T = Topic
E = OrderEventType

# The timeline event each topic is made from (the same name, by design).
FROM_TIMELINE: dict[str, Topic] = {
    E.PLACED.value: T.ORDER_PLACED,
    E.CONFIRMED.value: T.ORDER_CONFIRMED,
    E.CANCELLED.value: T.ORDER_CANCELLED,
    E.SHIPMENT_SHIPPED.value: T.SHIPMENT_SHIPPED,
    E.SHIPMENT_OUT_FOR_DELIVERY.value: T.SHIPMENT_OUT_FOR_DELIVERY,
    E.SHIPMENT_DELIVERED.value: T.SHIPMENT_DELIVERED,
    E.SHIPMENT_LATE.value: T.SHIPMENT_LATE,
    E.SHIPMENT_DELIVERY_FAILED.value: T.SHIPMENT_DELIVERY_FAILED,
    E.SHIPMENT_LOST.value: T.SHIPMENT_LOST,
    E.RETURN_REQUESTED.value: T.RETURN_REQUESTED,
    E.RETURN_APPROVED.value: T.RETURN_APPROVED,
    E.RETURN_RECEIVED.value: T.RETURN_RECEIVED,
    E.REFUND_ISSUED.value: T.REFUND_ISSUED,
}

# What a webhook may subscribe to (API.md, "Notifications and webhooks").
WEBHOOK_TOPICS: frozenset[Topic] = frozenset(
    {
        T.ORDER_PLACED,
        T.ORDER_CONFIRMED,
        T.ORDER_CANCELLED,
        T.SHIPMENT_SHIPPED,
        T.SHIPMENT_DELIVERED,
        T.SHIPMENT_LATE,
        T.SHIPMENT_DELIVERY_FAILED,
        T.SHIPMENT_LOST,
        T.RETURN_REQUESTED,
        T.RETURN_RECEIVED,
        T.REFUND_ISSUED,
        T.STOCK_CHANGED,
    }
)

# What the customer hears about by e-mail, at each step.
EMAIL_TOPICS: frozenset[Topic] = frozenset(
    {
        T.ORDER_CONFIRMED,
        T.SHIPMENT_SHIPPED,
        T.SHIPMENT_OUT_FOR_DELIVERY,
        T.SHIPMENT_DELIVERED,
        T.SHIPMENT_LATE,
        T.SHIPMENT_DELIVERY_FAILED,
        T.SHIPMENT_LOST,
        T.RETURN_APPROVED,
        T.REFUND_ISSUED,
    }
)


def topic_of(timeline_type: str) -> Topic | None:
    """The topic a timeline event is told as, or None if nobody is told."""
    return FROM_TIMELINE.get(timeline_type)
