"""channels: sales channels as records (kind, currency, tax, buffer, holds, secret)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oms.adapters.db.tables

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = oms.adapters.db.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "channels",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("tax_inclusive", sa.Boolean(), nullable=False),
        sa.Column("buffer_units", sa.Integer(), nullable=False),
        sa.Column("buffer_percent", sa.Integer(), nullable=False),
        sa.Column("hold_minutes", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(128), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_channels")),
    )


def downgrade() -> None:
    op.drop_table("channels")
