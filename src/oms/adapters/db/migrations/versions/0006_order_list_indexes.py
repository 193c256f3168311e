"""order list indexes: sort by total and by customer; trigram name search on PostgreSQL

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-04 17:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM = "ix_orders_customer_name_trgm"


def upgrade() -> None:
    op.create_index("ix_orders_total_minor_id", "orders", ["total_minor", "id"])
    op.create_index("ix_orders_customer_name_id", "orders", ["customer_name", "id"])
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm ships with PostgreSQL and is a trusted extension (13+): the owner of the
        # database may create it. "Part of a name" then reads an index, not the history.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            f"CREATE INDEX {TRIGRAM} ON orders USING gin (lower(customer_name) gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {TRIGRAM}")
    op.drop_index("ix_orders_customer_name_id", table_name="orders")
    op.drop_index("ix_orders_total_minor_id", table_name="orders")
