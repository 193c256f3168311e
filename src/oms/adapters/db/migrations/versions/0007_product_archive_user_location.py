"""back office: archived products, a user's location

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location_id", Id, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_location_id_locations"), "locations", ["location_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_location_id_locations"), type_="foreignkey")
        batch_op.drop_column("location_id")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("archived")
