"""list indexes: orders by total and by customer; on PostgreSQL, trigram searches for part
of a customer's or a product's name and a pattern index for the start of a SKU

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

# name -> (table, indexed expression); tables.py and migrate.MIGRATION_ONLY_INDEXES name them
TRIGRAMS = {
    "ix_orders_customer_name_trgm": ("orders", "lower(customer_name)"),
    "ix_products_name_trgm": ("products", "lower(name)"),
}
# The start of a SKU: a b-tree in byte order serves LIKE 'prefix%' whatever the database's
# collation (trigrams would not: every SKU shares its first trigrams, "SKU-...").
SKU_PATTERN = "ix_products_sku_pattern"


def upgrade() -> None:
    op.create_index("ix_orders_total_minor_id", "orders", ["total_minor", "id"])
    op.create_index("ix_orders_customer_name_id", "orders", ["customer_name", "id"])
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm ships with PostgreSQL and is a trusted extension (13+): the owner of the
        # database may create it. "Part of a name" then reads an index, not the history.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, (table, expression) in TRIGRAMS.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin ({expression} gin_trgm_ops)")
        op.execute(f"CREATE INDEX {SKU_PATTERN} ON products (sku text_pattern_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in [*TRIGRAMS, SKU_PATTERN]:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index("ix_orders_customer_name_id", table_name="orders")
    op.drop_index("ix_orders_total_minor_id", table_name="orders")
