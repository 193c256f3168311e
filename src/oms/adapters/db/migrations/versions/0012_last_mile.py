"""the last mile: a shipment's ship-by day and the lost one it replaces; customers' reports
of problems with a delivered order; each channel's completion window

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oms.adapters.db.tables

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = oms.adapters.db.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    # Shipments made before this revision have no ship-by day: they are never called late
    # to ship (their day is not known for sure: the location's cut-off then is not kept).
    with op.batch_alter_table("shipments") as batch_op:
        batch_op.add_column(sa.Column("ship_by", sa.Date, nullable=True))
        batch_op.add_column(sa.Column("replaces_id", Id, nullable=True))
        batch_op.create_index("ix_shipments_status_ship_by", ["status", "ship_by"])
    with op.batch_alter_table("return_policies") as batch_op:
        batch_op.add_column(
            sa.Column("completion_days", sa.Integer, nullable=False, server_default="14")
        )
    op.create_table(
        "order_problems",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("order_id", Id, nullable=False),
        sa.Column("shipment_id", Id, nullable=True),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("note", sa.String(2000), nullable=True),
        sa.Column("reported_by", sa.String(100), nullable=False),
        sa.Column("reported_at", UTC, nullable=False),
        sa.Column("resolved_by", sa.String(100), nullable=True),
        sa.Column("resolved_at", UTC, nullable=True),
        sa.Column("resolution", sa.String(500), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_problems_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_order_problems_shipment_id_shipments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_problems")),
    )
    op.create_index("ix_order_problems_order_id", "order_problems", ["order_id"])
    op.create_index(
        "ix_order_problems_resolved_at_reported_at",
        "order_problems",
        ["resolved_at", "reported_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_order_problems_resolved_at_reported_at", table_name="order_problems")
    op.drop_index("ix_order_problems_order_id", table_name="order_problems")
    op.drop_table("order_problems")
    with op.batch_alter_table("return_policies") as batch_op:
        batch_op.drop_column("completion_days")
    with op.batch_alter_table("shipments") as batch_op:
        batch_op.drop_index("ix_shipments_status_ship_by")
        batch_op.drop_column("replaces_id")
        batch_op.drop_column("ship_by")
