"""reorder_levels per product and location, suggestion_requests (the Idempotency-Keys of
drafts made from the suggestions), purchase_orders.sent_at (lead times from receipts)

Revision ID: 0021
Revises: 0025
Create Date: 2026-12-05 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from oms.adapters.db.schema import UTCDateTime

revision: str = "0021"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "reorder_levels",
        sa.Column("product_id", Id, nullable=False),
        sa.Column("location_id", Id, nullable=False),
        sa.Column("supplier_id", Id, nullable=False),
        sa.Column("abc_class", sa.String(length=1), nullable=False),
        sa.Column("service_level", sa.Float(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("lead_time_days", sa.Float(), nullable=False),
        sa.Column("lead_time_spread", sa.Float(), nullable=False),
        sa.Column("lead_time_source", sa.String(length=16), nullable=False),
        sa.Column("lead_time_demand", sa.Float(), nullable=False),
        sa.Column("cover_demand", sa.Float(), nullable=False),
        sa.Column("safety_stock", sa.Float(), nullable=False),
        sa.Column("safety_method", sa.String(length=16), nullable=False),
        sa.Column("reorder_point", sa.Float(), nullable=False),
        sa.Column("order_up_to", sa.Float(), nullable=False),
        sa.Column("model", sa.String(length=32), nullable=False),
        sa.Column("pattern", sa.String(length=16), nullable=False),
        sa.Column("computed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"]),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"]),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"]),
        sa.PrimaryKeyConstraint("product_id", "location_id"),
    )
    op.create_table(
        "suggestion_requests",
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("purchase_order_ids", sa.String(length=4000), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key"),
    )
    with op.batch_alter_table("purchase_orders") as batch:
        batch.add_column(sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("purchase_orders") as batch:
        batch.drop_column("sent_at")
    op.drop_table("suggestion_requests")
    op.drop_table("reorder_levels")
