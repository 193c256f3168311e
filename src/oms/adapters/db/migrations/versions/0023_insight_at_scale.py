"""insight at a million orders: order_facts gets each stage's hours, the order's own figures
(e-mail, currency, money, units), its shipped part (promises, location, carrier, parcels)
and its after-sale part (damage, returns), made from the tables already stored; an index
for work in progress on PostgreSQL (issue 12)

Revision ID: 0023
Revises: 0024
Create Date: 2026-12-05 07:20:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
HOURS = (
    "h_placed_confirmed", "h_confirmed_shipped", "h_shipped_delivered", "h_placed_delivered",
    "h_confirmed_picked", "h_picked_packed", "h_packed_shipped", "h_requested_received",
    "h_received_refunded", "h_requested_refunded",
)  # fmt: skip
FALSE = sa.false()


def columns() -> list[sa.Column[Any]]:
    return [
        *(sa.Column(name, sa.Float(), nullable=True) for name in HOURS),
        sa.Column("customer", sa.String(320), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False, server_default=FALSE),
        sa.Column("booked_minor", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("units", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("delivered_units", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("cancelled_units", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("promised", sa.Date(), nullable=True),
        sa.Column("ship_by", sa.Date(), nullable=True),
        sa.Column("location_id", Id, nullable=True),
        sa.Column("carrier", sa.String(64), nullable=True),
        sa.Column("parcels", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("damage_reported", sa.Boolean(), nullable=False, server_default=FALSE),
        sa.Column("returned", sa.Boolean(), nullable=False, server_default=FALSE),
        sa.Column("return_damaged", sa.Boolean(), nullable=False, server_default=FALSE),
        sa.Column("sellers_fault_return", sa.Boolean(), nullable=False, server_default=FALSE),
    ]


def upgrade() -> None:
    with op.batch_alter_table("order_facts") as batch:
        for column in columns():
            batch.add_column(column)
    # The figures of the rows already there, as the writers keep them from now on. (The
    # statements are the adapter's: they read tables this revision does not change.)
    from oms.adapters.db.order_facts import refill_durations, refresh_all

    conn = op.get_bind()
    refill_durations(conn)
    refresh_all(conn)
    if conn.dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_order_facts_finished ON order_facts "
            "(coalesce(delivered_at, cancelled_at))"
        )
        op.execute(
            'CREATE INDEX ix_order_facts_customer ON order_facts (customer COLLATE "C",'
            " created_at, order_id) INCLUDE (delivered_at, promised, returned, location_id,"
            " channel) WHERE NOT cancelled"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_order_facts_customer", table_name="order_facts")
        op.drop_index("ix_order_facts_finished", table_name="order_facts")
    with op.batch_alter_table("order_facts") as batch:
        for column in reversed(columns()):
            batch.drop_column(column.name)
