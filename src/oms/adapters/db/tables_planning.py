"""The tables of planning: suppliers, what each sells (pack size, cost price) and purchase
orders with their lines. Part of the one schema; `tables.py` imports and re-exports them."""

from __future__ import annotations

import sqlalchemy as sa

from oms.adapters.db.schema import UTCDateTime, metadata
from oms.adapters.db.schema import fk_column as _fk
from oms.adapters.db.schema import id_column as _id

suppliers = sa.Table(
    "suppliers",
    metadata,
    _id(),
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("lead_time_days", sa.Integer, nullable=False),
    sa.Column("minimum_units", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

supplier_products = sa.Table(
    "supplier_products",
    metadata,
    _fk("supplier_id", "suppliers.id"),
    _fk("product_id", "products.id"),
    sa.Column("cost_minor", sa.BigInteger, nullable=False),
    sa.Column("pack_size", sa.Integer, nullable=False, server_default="1"),
    sa.PrimaryKeyConstraint("supplier_id", "product_id"),
    sa.CheckConstraint("pack_size >= 1", name="pack_size_positive"),
)

purchase_orders = sa.Table(
    "purchase_orders",
    metadata,
    _id(),
    _fk("supplier_id", "suppliers.id"),
    _fk("location_id", "locations.id"),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("expected_on", sa.Date),
    sa.Column("sent_at", UTCDateTime),  # when it was sent: lead times are measured from it
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_purchase_orders_status", "status"),
)

purchase_order_lines = sa.Table(
    "purchase_order_lines",
    metadata,
    _id(),
    _fk("purchase_order_id", "purchase_orders.id"),
    _fk("product_id", "products.id"),
    sa.Column("sku", sa.String(64), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("received_quantity", sa.Integer, nullable=False, server_default="0"),
    sa.Column("unit_cost_minor", sa.BigInteger, nullable=False),
    sa.CheckConstraint(
        "received_quantity >= 0 AND received_quantity <= quantity", name="received_within"
    ),
    sa.Index("ix_purchase_order_lines_purchase_order_id", "purchase_order_id"),
)
