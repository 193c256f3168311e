"""reads at a million orders: partial matches of numbers, emails, phones and tracking
numbers read indexes on PostgreSQL (pattern b-trees, trigrams); orders.delivered_at and a
partial index on it for the completion sweep

Revision ID: 0020
Revises: 0014
Create Date: 2026-12-05 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from oms.adapters.db.schema import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DELIVERED = sa.text("status = 'delivered'")
# name -> (table, column): the start of a value, in byte order (LIKE 'start%')
PATTERNS = {
    "ix_orders_number_pattern": ("orders", "number"),
    "ix_shipments_tracking_number_pattern": ("shipments", "tracking_number"),
    "ix_returns_tracking_number_pattern": ("returns", "tracking_number"),
}
# name -> (table, column): part of a value anywhere in it (LIKE '%part%'), by trigrams
TRIGRAMS = {
    "ix_orders_customer_email_trgm": ("orders", "customer_email"),
    "ix_orders_customer_phone_trgm": ("orders", "customer_phone"),
}


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("delivered_at", UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE orders SET delivered_at = (SELECT max(e.at) FROM order_events e"
        " WHERE e.order_id = orders.id AND e.type = 'order.delivered')"
        " WHERE status = 'delivered'"
    )
    op.create_index(
        "ix_orders_delivered_at",
        "orders",
        ["delivered_at"],
        postgresql_where=DELIVERED,
        sqlite_where=DELIVERED,
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    # pg_trgm ships with PostgreSQL and is trusted (13+); 0006 created it already.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in PATTERNS.items():
        op.create_index(name, table, [column], postgresql_ops={column: "text_pattern_ops"})
    for name, (table, column) in TRIGRAMS.items():
        op.create_index(
            name,
            table,
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, _) in {**PATTERNS, **TRIGRAMS}.items():
            op.drop_index(name, table_name=table)
    op.drop_index("ix_orders_delivered_at", table_name="orders")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("delivered_at")
