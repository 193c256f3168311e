"""Reorder levels per product and location, as the last refresh computed them, and the
Idempotency-Keys of the draft purchase orders made from the suggestions (docs/planning.md).
Part of the one schema; `tables.py` imports and re-exports them."""

from __future__ import annotations

import sqlalchemy as sa

from oms.adapters.db.schema import UTCDateTime, metadata
from oms.adapters.db.schema import fk_column as _fk

reorder_levels = sa.Table(
    "reorder_levels",
    metadata,
    _fk("product_id", "products.id"),
    _fk("location_id", "locations.id"),
    _fk("supplier_id", "suppliers.id"),
    sa.Column("abc_class", sa.String(1), nullable=False),
    sa.Column("service_level", sa.Float, nullable=False),
    sa.Column("share", sa.Float, nullable=False),
    sa.Column("lead_time_days", sa.Float, nullable=False),
    sa.Column("lead_time_spread", sa.Float, nullable=False),
    sa.Column("lead_time_source", sa.String(16), nullable=False),
    sa.Column("lead_time_demand", sa.Float, nullable=False),
    sa.Column("cover_demand", sa.Float, nullable=False),
    sa.Column("safety_stock", sa.Float, nullable=False),
    sa.Column("safety_method", sa.String(16), nullable=False),
    sa.Column("reorder_point", sa.Float, nullable=False),
    sa.Column("order_up_to", sa.Float, nullable=False),
    sa.Column("model", sa.String(32), nullable=False),
    sa.Column("pattern", sa.String(16), nullable=False),
    sa.Column("computed_at", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("product_id", "location_id"),
)

suggestion_requests = sa.Table(
    "suggestion_requests",
    metadata,
    sa.Column("idempotency_key", sa.String(255), primary_key=True),
    sa.Column("purchase_order_ids", sa.String(4000), nullable=False),  # "3,4,5"
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)
