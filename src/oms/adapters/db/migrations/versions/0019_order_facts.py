"""order_facts: per order, the first event of each kind the insight reports measure, made
from the events already stored (issue 12: the reports read this, not the events)

Revision ID: 0019
Revises: 0020
Create Date: 2026-12-05 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from oms.adapters.db.schema import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# column -> event type, as tables_facts.FIRSTS says today (a migration keeps its own copy)
FIRSTS = {
    "placed_at": "order.placed",
    "confirmed_at": "order.confirmed",
    "shipped_at": "order.shipped",
    "delivered_at": "order.delivered",
    "cancelled_at": "order.cancelled",
    "picked_at": "shipment.picked",
    "packed_at": "shipment.packed",
    "return_requested_at": "return.requested",
    "return_received_at": "return.received",
    "return_refunded_at": "return.refunded",
}


def upgrade() -> None:
    op.create_table(
        "order_facts",
        sa.Column("order_id", Id, nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        *(sa.Column(name, UTCDateTime(), nullable=True) for name in FIRSTS),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.PrimaryKeyConstraint("order_id"),
    )
    o = sa.table("orders", sa.column("id"), sa.column("channel"), sa.column("created_at"))
    e = sa.table("order_events", sa.column("order_id"), sa.column("type"), sa.column("at"))
    firsts = [sa.func.min(sa.case((e.c.type == kind, e.c.at))) for kind in FIRSTS.values()]
    rows = (
        sa.select(o.c.id, o.c.channel, o.c.created_at, *firsts)
        .select_from(o.join(e, e.c.order_id == o.c.id))
        .where(e.c.type.in_(list(FIRSTS.values())))
        .group_by(o.c.id, o.c.channel, o.c.created_at)
    )
    facts = sa.table(
        "order_facts", *(sa.column(c) for c in ("order_id", "channel", "created_at", *FIRSTS))
    )
    op.execute(facts.insert().from_select(["order_id", "channel", "created_at", *FIRSTS], rows))
    op.create_index("ix_order_facts_created_at", "order_facts", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_order_facts_created_at", table_name="order_facts")
    op.drop_table("order_facts")
