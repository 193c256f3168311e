"""kits: products made of components; reservations count stock units per line unit

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-05 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("kit", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("reservations") as batch:
        batch.add_column(sa.Column("per_unit", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "kit_components",
        sa.Column("kit_id", Id, nullable=False),
        sa.Column("component_id", Id, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_kit_components_quantity_positive")),
        sa.CheckConstraint("kit_id <> component_id", name=op.f("ck_kit_components_not_itself")),
        sa.ForeignKeyConstraint(
            ["kit_id"], ["products.id"], name=op.f("fk_kit_components_kit_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["component_id"],
            ["products.id"],
            name=op.f("fk_kit_components_component_id_products"),
        ),
        sa.PrimaryKeyConstraint("kit_id", "component_id", name=op.f("pk_kit_components")),
    )
    op.create_index(
        op.f("ix_kit_components_component_id"), "kit_components", ["component_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_kit_components_component_id"), table_name="kit_components")
    op.drop_table("kit_components")
    with op.batch_alter_table("reservations") as batch:
        batch.drop_column("per_unit")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("kit")
