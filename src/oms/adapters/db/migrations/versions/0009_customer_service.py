"""customer service: the customer's phone on orders; indexes for finding an order by phone
and by external id alone

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 18:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column with no default: no rewrite of the orders table on PostgreSQL.
    with op.batch_alter_table("orders") as batch_op:
        batch_op.add_column(sa.Column("customer_phone", sa.String(16), nullable=True))
    op.create_index("ix_orders_customer_phone", "orders", ["customer_phone"])
    op.create_index("ix_orders_external_id", "orders", ["external_id"])


def downgrade() -> None:
    op.drop_index("ix_orders_external_id", table_name="orders")
    op.drop_index("ix_orders_customer_phone", table_name="orders")
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_column("customer_phone")
