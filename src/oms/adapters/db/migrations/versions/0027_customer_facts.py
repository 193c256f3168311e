"""loyalty's per-customer rows: customer_facts, made from order_facts now and kept by
triggers on order_facts from here on (adapters/db/customer_facts.py); on SQLite an index
of order_facts by customer for the triggers' reads (PostgreSQL has ix_order_facts_customer
from 0023) (issue 12)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 11:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from oms.adapters.db import customer_facts

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "customer_facts",
        sa.Column("customer", sa.String(320), primary_key=True),
        sa.Column("first_order_id", Id, nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_mon", sa.Integer, nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True)),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("months", sa.BigInteger, nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("promised", sa.Date),
        sa.Column("location_id", Id),
        sa.Column("returned", sa.Boolean, nullable=False),
    )
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        op.create_index(
            "ix_order_facts_customer", "order_facts", ["customer", "created_at", "order_id"]
        )
    customer_facts.refill(bind)
    customer_facts.create_triggers(bind)


def downgrade() -> None:
    bind = op.get_bind()
    customer_facts.drop_triggers(bind)
    if bind.dialect.name != "postgresql":
        op.drop_index("ix_order_facts_customer", table_name="order_facts")
    op.drop_table("customer_facts")
