"""Loyalty's per-customer summary (issue 12): one row per customer (an order's e-mail, as
`order_facts.customer`) with an order not cancelled, made from `order_facts` by database
triggers in the transaction that writes it (`customer_facts.py`). Part of the one schema
(`schema.metadata`); `tables_facts.py` imports and re-exports it."""

from __future__ import annotations

import sqlalchemy as sa

from oms.adapters.db.schema import Id, UTCDateTime, metadata

# Bits of `months`: bit k (1 <= k <= MONTH_BITS) set when the customer ordered (not
# cancelled) in the k-th UTC month after the month of the first order.
MONTH_BITS = 62

customer_facts = sa.Table(
    "customer_facts",
    metadata,
    sa.Column("customer", sa.String(320), primary_key=True),
    # the first order not cancelled, by (created_at, order_id), and its month (year*12+m-1)
    sa.Column("first_order_id", Id, nullable=False),
    sa.Column("first_at", UTCDateTime, nullable=False),
    sa.Column("first_mon", sa.Integer, nullable=False),
    # the next order's created_at (None: one order) and the last one's
    sa.Column("next_at", UTCDateTime),
    sa.Column("last_at", UTCDateTime, nullable=False),
    sa.Column("months", sa.BigInteger, nullable=False),
    # the first order's delivery, promise, location (its time zone says late) and return
    sa.Column("delivered_at", UTCDateTime),
    sa.Column("promised", sa.Date),
    sa.Column("location_id", Id),
    sa.Column("returned", sa.Boolean, nullable=False),
)
