"""The tables of checkout holds. Part of the one schema (`schema.metadata`); `tables.py`
imports and re-exports them."""

from __future__ import annotations

import sqlalchemy as sa

from oms.adapters.db.schema import Id, UTCDateTime, metadata
from oms.adapters.db.schema import fk_column as _fk
from oms.adapters.db.schema import id_column as _id

# A cart's hold: kept while `ended` is null and the clock is before `expires_at`.
holds = sa.Table(
    "holds",
    metadata,
    _id(),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    # released | converted | expired (domain/inventory/holds.HoldEnd); null while it holds
    sa.Column("ended", sa.String(16)),
    sa.Column("ended_at", UTCDateTime),
    sa.Column("order_id", Id, sa.ForeignKey("orders.id")),
)

# The units a hold keeps on each stock row. Rows are deleted when the hold ends; until the
# sweep deletes them, those past `expires_at` (copied from the hold, so that one index
# answers "live units on this row") count for nothing.
hold_units = sa.Table(
    "hold_units",
    metadata,
    _id(),
    _fk("hold_id", "holds.id"),
    _fk("stock_id", "stock.id"),
    _fk("product_id", "products.id"),
    # Kept for a line of this kit (product_id is one of its components); null: a plain line.
    _fk("kit_id", "products.id", nullable=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    sa.Index("ix_hold_units_stock_id_expires_at", "stock_id", "expires_at"),
    sa.Index("ix_hold_units_hold_id", "hold_id"),
    sa.Index("ix_hold_units_expires_at", "expires_at"),
)
