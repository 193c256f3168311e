"""kits in checkout holds: a hold's units on a component's row name the kit they are kept for

Revision ID: 0025
Revises: 0019
Create Date: 2026-12-05 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("hold_units") as batch:
        batch.add_column(sa.Column("kit_id", Id, nullable=True))
        batch.create_foreign_key(
            op.f("fk_hold_units_kit_id_products"), "products", ["kit_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("hold_units") as batch:
        batch.drop_constraint(op.f("fk_hold_units_kit_id_products"), type_="foreignkey")
        batch.drop_column("kit_id")
