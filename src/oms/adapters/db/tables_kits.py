"""The table of kits: which components, how many of each, make one kit. Part of the one
schema (`schema.metadata`); `tables.py` imports and re-exports it."""

from __future__ import annotations

import sqlalchemy as sa

from oms.adapters.db.schema import Id, metadata

kit_components = sa.Table(
    "kit_components",
    metadata,
    sa.Column("kit_id", Id, sa.ForeignKey("products.id"), primary_key=True),
    sa.Column("component_id", Id, sa.ForeignKey("products.id"), primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    sa.CheckConstraint("kit_id <> component_id", name="not_itself"),
    sa.Index("ix_kit_components_component_id", "component_id"),
)
