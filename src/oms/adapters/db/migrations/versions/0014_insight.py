"""insight: which orders are imported history (oms import olist)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oms.adapters.db.tables

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = oms.adapters.db.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "history_orders",
        sa.Column("order_id", Id, nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("imported_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_history_orders_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_history_orders")),
    )


def downgrade() -> None:
    op.drop_table("history_orders")
