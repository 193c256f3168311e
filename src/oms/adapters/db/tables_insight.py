"""The tables of insight: which orders are imported history. Part of the one schema
(`schema.metadata`); `tables.py` imports and re-exports them."""

from __future__ import annotations

import sqlalchemy as sa

from oms.adapters.db.schema import Id, UTCDateTime, metadata

# An order imported as history (oms import olist): where it came from and when it arrived.
# Live jobs (the late-shipment teller) leave these orders alone: nobody is told of history.
history_orders = sa.Table(
    "history_orders",
    metadata,
    sa.Column("order_id", Id, sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("imported_at", UTCDateTime, nullable=False),
)
