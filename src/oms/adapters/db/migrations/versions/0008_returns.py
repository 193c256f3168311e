"""returns (RMA): returns, their lines, return policies per channel

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:03:56.425830
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oms.adapters.db.tables

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = oms.adapters.db.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "return_policies",
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("non_returnable", sa.JSON(), nullable=False),
        sa.Column("customer_pays", sa.JSON(), nullable=False),
        sa.CheckConstraint("window_days >= 0", name=op.f("ck_return_policies_window_not_negative")),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_return_policies")),
    )
    op.create_table(
        "returns",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("order_id", Id, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolution", sa.String(length=16), nullable=False),
        sa.Column("override_reason", sa.String(length=500), nullable=True),
        sa.Column("rejection_reason", sa.String(length=500), nullable=True),
        sa.Column("carrier", sa.String(length=32), nullable=True),
        sa.Column("service", sa.String(length=32), nullable=True),
        sa.Column("tracking_number", sa.String(length=32), nullable=True),
        sa.Column("weight_grams", sa.Integer(), nullable=True),
        sa.Column("ship_date", sa.Date(), nullable=True),
        sa.Column("promised_delivery_date", sa.Date(), nullable=True),
        sa.Column("label_location_id", Id, nullable=True),
        sa.Column("received_location_id", Id, nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("approved_at", UTC, nullable=True),
        sa.Column("received_at", UTC, nullable=True),
        sa.Column("inspected_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["label_location_id"],
            ["locations.id"],
            name=op.f("fk_returns_label_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_returns_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["received_location_id"],
            ["locations.id"],
            name=op.f("fk_returns_received_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returns")),
        sa.UniqueConstraint("number", name=op.f("uq_returns_number")),
        sa.UniqueConstraint("tracking_number", name=op.f("uq_returns_tracking_number")),
    )
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.create_index("ix_returns_order_id", ["order_id"], unique=False)
        batch_op.create_index("ix_returns_status_id", ["status", "id"], unique=False)

    op.create_table(
        "return_lines",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("return_id", Id, nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", Id, nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("received_quantity", sa.Integer(), nullable=False),
        sa.Column("resellable_quantity", sa.Integer(), nullable=False),
        sa.Column("damaged_quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "quantity > 0 AND received_quantity >= 0 AND received_quantity <= quantity AND resellable_quantity >= 0 AND damaged_quantity >= 0 AND resellable_quantity + damaged_quantity <= received_quantity",
            name=op.f("ck_return_lines_quantities_balance"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_return_lines_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_return_lines_return_id_returns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_lines")),
        sa.UniqueConstraint("return_id", "sku", name=op.f("uq_return_lines_return_id")),
    )


def downgrade() -> None:
    op.drop_table("return_lines")
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_index("ix_returns_status_id")
        batch_op.drop_index("ix_returns_order_id")

    op.drop_table("returns")
    op.drop_table("return_policies")
