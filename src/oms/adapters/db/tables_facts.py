"""The per-order summary the insight reports read instead of the events (issue 12): one row
per order with events, the first event of each kind the reports measure, kept in the same
transaction as the events by `order_facts.py`. Part of the one schema (`schema.metadata`);
`tables.py` imports and re-exports it."""

from __future__ import annotations

import sqlalchemy as sa

from oms.adapters.db.schema import Id, UTCDateTime, metadata

# The event kinds kept, column -> event type: the first (earliest `at`) of each on the order.
FIRSTS = {
    "placed_at": "order.placed",
    "confirmed_at": "order.confirmed",
    "shipped_at": "order.shipped",
    "delivered_at": "order.delivered",
    "cancelled_at": "order.cancelled",
    "picked_at": "shipment.picked",
    "packed_at": "shipment.packed",
    "return_requested_at": "return.requested",
    "return_received_at": "return.received",
    "return_refunded_at": "return.refunded",
}

# created_at and channel are the order's (its window and its channel, copied: never change).
order_facts = sa.Table(
    "order_facts",
    metadata,
    sa.Column("order_id", Id, sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    *(sa.Column(name, UTCDateTime) for name in FIRSTS),
    sa.Index("ix_order_facts_created_at", "created_at"),
)
