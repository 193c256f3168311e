"""reads at a million orders, measured at 1,000,004 (docs/performance.md): indexes whose
(..., id) entries answer a page's ids alone (order_search.newest): both list filters at
once, a phone with its id; on PostgreSQL the email, the phone and the number in byte order
(their start), the phone reversed (its last digits); the phone's trigrams go

Revision ID: 0026
Revises: 0023
Create Date: 2026-12-05 08:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0026"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PATTERN = "text_pattern_ops"


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    op.create_index("ix_orders_status_channel_id", "orders", ["status", "channel", "id"])
    op.drop_index("ix_orders_customer_phone", table_name="orders")
    op.create_index(
        "ix_orders_customer_phone_id",
        "orders",
        ["customer_phone", "id"],
        postgresql_ops={"customer_phone": PATTERN},
    )
    if not pg:
        return
    # `=` as before, and LIKE 'start%' (text_pattern_ops: byte order, whatever the collation)
    op.drop_index("ix_orders_customer_email_id", table_name="orders")
    op.create_index(
        "ix_orders_customer_email_id",
        "orders",
        ["customer_email", "id"],
        postgresql_ops={"customer_email": PATTERN},
    )
    op.drop_index("ix_orders_number_pattern", table_name="orders")
    op.create_index(
        "ix_orders_number_id_pattern",
        "orders",
        ["number", "id"],
        postgresql_ops={"number": PATTERN},
    )
    # The last digits: reverse(customer_phone) LIKE 'reversed digits%' (order_search.py).
    op.execute(
        "CREATE INDEX ix_orders_customer_phone_reversed ON orders"
        " (reverse(customer_phone) text_pattern_ops)"
    )
    op.drop_index("ix_orders_customer_phone_trgm", table_name="orders")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_orders_customer_phone_trgm",
            "orders",
            ["customer_phone"],
            postgresql_using="gin",
            postgresql_ops={"customer_phone": "gin_trgm_ops"},
        )
        op.drop_index("ix_orders_customer_phone_reversed", table_name="orders")
        op.drop_index("ix_orders_number_id_pattern", table_name="orders")
        op.create_index(
            "ix_orders_number_pattern", "orders", ["number"], postgresql_ops={"number": PATTERN}
        )
        op.drop_index("ix_orders_customer_email_id", table_name="orders")
        op.create_index("ix_orders_customer_email_id", "orders", ["customer_email", "id"])
    op.drop_index("ix_orders_customer_phone_id", table_name="orders")
    op.create_index("ix_orders_customer_phone", "orders", ["customer_phone"])
    op.drop_index("ix_orders_status_channel_id", table_name="orders")
