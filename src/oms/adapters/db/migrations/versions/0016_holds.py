"""holds: checkout holds and the units they keep on stock rows

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oms.adapters.db.tables

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = oms.adapters.db.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "holds",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("ended", sa.String(16), nullable=True),
        sa.Column("ended_at", UTC, nullable=True),
        sa.Column("order_id", Id, nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_holds_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    op.create_table(
        "hold_units",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("hold_id", Id, nullable=False),
        sa.Column("stock_id", Id, nullable=False),
        sa.Column("product_id", Id, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_hold_units_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["hold_id"], ["holds.id"], name=op.f("fk_hold_units_hold_id_holds")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_hold_units_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["stock_id"], ["stock.id"], name=op.f("fk_hold_units_stock_id_stock")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hold_units")),
    )
    op.create_index("ix_hold_units_stock_id_expires_at", "hold_units", ["stock_id", "expires_at"])
    op.create_index("ix_hold_units_hold_id", "hold_units", ["hold_id"])
    op.create_index("ix_hold_units_expires_at", "hold_units", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_hold_units_expires_at", table_name="hold_units")
    op.drop_index("ix_hold_units_hold_id", table_name="hold_units")
    op.drop_index("ix_hold_units_stock_id_expires_at", table_name="hold_units")
    op.drop_table("hold_units")
    op.drop_table("holds")
