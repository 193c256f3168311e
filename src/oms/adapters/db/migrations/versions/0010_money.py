"""money: discounts and tax per line, payments and refunds, exchanges, the return label's
price

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 20:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oms.adapters.db.tables

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = oms.adapters.db.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    # Constant defaults: PostgreSQL 11+ adds these columns without rewriting the tables.
    with op.batch_alter_table("orders") as batch_op:
        batch_op.add_column(
            sa.Column("discount_minor", sa.BigInteger, nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("prices_include_tax", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("paid_minor", sa.BigInteger, nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("refunded_minor", sa.BigInteger, nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("exchange_of_id", Id, nullable=True))
        batch_op.add_column(
            sa.Column("exchanges", sa.JSON, nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.create_foreign_key(
            op.f("fk_orders_exchange_of_id_orders"), "orders", ["exchange_of_id"], ["id"]
        )
    with op.batch_alter_table("order_lines") as batch_op:
        batch_op.add_column(
            sa.Column("discount_minor", sa.BigInteger, nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("tax_minor", sa.BigInteger, nullable=False, server_default="0")
        )
    with op.batch_alter_table("returns") as batch_op:
        batch_op.add_column(sa.Column("label_cost_minor", sa.BigInteger, nullable=True))
        batch_op.add_column(sa.Column("label_cost_currency", sa.String(3), nullable=True))
        batch_op.add_column(sa.Column("exchange_order_id", Id, nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_returns_exchange_order_id_orders"), "orders", ["exchange_order_id"], ["id"]
        )
    op.create_table(
        "payments",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("order_id", Id, nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(128), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_payments_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("order_id", "provider", "reference", name=op.f("uq_payments_order_id")),
    )
    op.create_table(
        "refunds",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("order_id", Id, nullable=False),
        sa.Column("return_id", Id, nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("lines", sa.JSON, nullable=False),
        sa.Column("shipping_minor", sa.BigInteger, nullable=False),
        sa.Column("deducted_minor", sa.BigInteger, nullable=False),
        sa.Column("capped_minor", sa.BigInteger, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("parts", sa.JSON, nullable=False),
        sa.Column("error", sa.String(1000), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_refunds_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_refunds_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_refunds_return_id_returns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("return_id", name=op.f("uq_refunds_return_id")),
    )
    op.create_index("ix_refunds_order_id", "refunds", ["order_id"])
    op.create_index("ix_refunds_status_id", "refunds", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_refunds_status_id", table_name="refunds")
    op.drop_index("ix_refunds_order_id", table_name="refunds")
    op.drop_table("refunds")
    op.drop_table("payments")
    with op.batch_alter_table("returns") as batch_op:
        batch_op.drop_constraint(op.f("fk_returns_exchange_order_id_orders"), type_="foreignkey")
        batch_op.drop_column("exchange_order_id")
        batch_op.drop_column("label_cost_currency")
        batch_op.drop_column("label_cost_minor")
    with op.batch_alter_table("order_lines") as batch_op:
        batch_op.drop_column("tax_minor")
        batch_op.drop_column("discount_minor")
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_constraint(op.f("fk_orders_exchange_of_id_orders"), type_="foreignkey")
        batch_op.drop_column("exchanges")
        batch_op.drop_column("exchange_of_id")
        batch_op.drop_column("refunded_minor")
        batch_op.drop_column("paid_minor")
        batch_op.drop_column("prices_include_tax")
        batch_op.drop_column("discount_minor")
