"""The per-order summary the insight reports read instead of the events (issue 12): one row
per order with events, the first event of each kind the reports measure, kept in the same
transaction as the events by `order_facts.py`. Part of the one schema (`schema.metadata`);
`tables.py` imports and re-exports it."""

from __future__ import annotations

import sqlalchemy as sa

from oms.adapters.db.schema import Id, UTCDateTime, metadata, pg_only

# Loyalty's per-customer rows, made from order_facts by triggers (migration 0027).
from oms.adapters.db.tables_loyalty import customer_facts as customer_facts

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

# Each stage's hours, column -> (start, end) of FIRSTS: (end - start) in seconds / 3600 as a
# float, as domain/insight/stages.py computes it, kept whenever both ends are known (any sign).
DURATIONS = {
    "h_placed_confirmed": ("placed_at", "confirmed_at"),
    "h_confirmed_shipped": ("confirmed_at", "shipped_at"),
    "h_shipped_delivered": ("shipped_at", "delivered_at"),
    "h_placed_delivered": ("placed_at", "delivered_at"),
    "h_confirmed_picked": ("confirmed_at", "picked_at"),
    "h_picked_packed": ("picked_at", "packed_at"),
    "h_packed_shipped": ("packed_at", "shipped_at"),
    "h_requested_received": ("return_requested_at", "return_received_at"),
    "h_received_refunded": ("return_received_at", "return_refunded_at"),
    "h_requested_refunded": ("return_requested_at", "return_refunded_at"),
}
# The order's own figures (orders and order_lines), written by SqlOrders with the events.
ORDER_PART = (
    "customer",
    "currency",
    "cancelled",
    "booked_minor",
    "paid_minor",
    "refunded_minor",
    "units",
    "delivered_units",
    "cancelled_units",
)
# From its shipments not cancelled, and from its problems and returns not rejected: kept by
# order_facts.refresh() whenever a shipment, problem or return of the order is written.
SHIPPED_PART = ("promised", "ship_by", "location_id", "carrier", "parcels")
AFTER_SALE_PART = ("damage_reported", "returned", "return_damaged", "sellers_fault_return")

# created_at and channel are the order's (its window and its channel, copied: never change).
order_facts = sa.Table(
    "order_facts",
    metadata,
    sa.Column("order_id", Id, sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    *(sa.Column(name, UTCDateTime) for name in FIRSTS),
    *(sa.Column(name, sa.Float) for name in DURATIONS),
    # the order part (migration 0023): e-mail, currency, status cancelled, money, units
    sa.Column("customer", sa.String(320)),
    sa.Column("currency", sa.String(3)),
    sa.Column("cancelled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("booked_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("paid_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("refunded_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("units", sa.Integer, nullable=False, server_default="0"),
    sa.Column("delivered_units", sa.Integer, nullable=False, server_default="0"),
    sa.Column("cancelled_units", sa.Integer, nullable=False, server_default="0"),
    # the shipped part: latest promises, first location and carrier, parcels
    sa.Column("promised", sa.Date),
    sa.Column("ship_by", sa.Date),
    sa.Column("location_id", Id),
    sa.Column("carrier", sa.String(64)),
    sa.Column("parcels", sa.Integer, nullable=False, server_default="0"),
    # the after-sale part
    sa.Column("damage_reported", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("returned", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("return_damaged", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("sellers_fault_return", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_order_facts_created_at", "created_at"),
)
# Work in progress on PostgreSQL (flow_sql.py): the orders not finished (neither delivered
# nor cancelled) or finished on or after the first day asked for.
FINISHED = sa.func.coalesce(order_facts.c.delivered_at, order_facts.c.cancelled_at)
pg_only(sa.Index("ix_order_facts_finished", FINISHED))
# Loyalty on PostgreSQL (business_sql.py) reads the orders not cancelled in order of
# customer (byte order), time and id from ix_order_facts_customer, which migration 0023
# makes (COLLATE "C" and INCLUDE: alembic cannot compare it; migrate.MIGRATION_ONLY_INDEXES).
