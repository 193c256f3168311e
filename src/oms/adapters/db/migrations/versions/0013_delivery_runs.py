"""local delivery: a location's own drivers as a carrier service (the `local` carrier and
each location's settings), delivery runs and their stops with proofs of delivery

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 00:00:00
"""

from collections.abc import Sequence
from datetime import UTC as UTC_TZ
from datetime import datetime

import sqlalchemy as sa
from alembic import op

import oms.adapters.db.tables

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = oms.adapters.db.tables.UTCDateTime(timezone=True)

# The carrier every local delivery ships by: its prices are each location's own (table
# local_delivery), its S10 tracking numbers start with LD.
LOCAL_CARRIER = "local"
LOCAL_NAME = "Local delivery"
LOCAL_INDICATOR = "LD"
LOCAL_SERIALS = (10_000_000, 99_999_999)


def upgrade() -> None:
    op.create_table(
        "local_delivery",
        sa.Column("location_id", Id, nullable=False),
        sa.Column("postal_prefixes", sa.String(2000), server_default="", nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("base_minor", sa.BigInteger, nullable=False),
        sa.Column("per_kg_minor", sa.BigInteger, nullable=False),
        sa.Column("transit_days", sa.Integer, nullable=False),
        sa.Column("cut_off", sa.String(5), nullable=False),
        sa.Column("max_attempts", sa.Integer, server_default="3", nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_local_delivery_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("location_id", name=op.f("pk_local_delivery")),
    )
    op.create_table(
        "delivery_runs",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("location_id", Id, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("driver", sa.String(100), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("started_at", UTC, nullable=True),
        sa.Column("finished_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_delivery_runs_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_runs")),
    )
    op.create_index(
        "ix_delivery_runs_location_id_status", "delivery_runs", ["location_id", "status"]
    )
    op.create_table(
        "run_stops",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("run_id", Id, nullable=False),
        sa.Column("shipment_id", Id, nullable=False),
        sa.Column("waiting_shipment_id", Id, nullable=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("reason", sa.String(16), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("recipient", sa.String(100), nullable=True),
        sa.Column("proof", sa.LargeBinary, nullable=True),
        sa.Column("proof_type", sa.String(16), nullable=True),
        sa.Column("attempted_at", UTC, nullable=True),
        sa.Column("attempt", sa.Integer, nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["delivery_runs.id"], name=op.f("fk_run_stops_run_id_delivery_runs")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_run_stops_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_stops")),
        sa.UniqueConstraint("run_id", "shipment_id", name=op.f("uq_run_stops_run_id")),
        sa.UniqueConstraint("waiting_shipment_id", name=op.f("uq_run_stops_waiting_shipment_id")),
    )
    op.create_index("ix_run_stops_shipment_id", "run_stops", ["shipment_id"])
    _seed_local_carrier()


def _seed_local_carrier() -> None:
    carriers = sa.table(
        "carriers",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("adapter", sa.String),
        sa.column("is_default", sa.Boolean),
        sa.column("default_service", sa.String),
        sa.column("service_indicator", sa.String),
        sa.column("serial_next", sa.Integer),
        sa.column("serial_last", sa.Integer),
        sa.column("created_at", UTC),
    )
    op.get_bind().execute(
        carriers.insert(),
        {
            "code": LOCAL_CARRIER,
            "name": LOCAL_NAME,
            "adapter": "local",
            "is_default": False,
            "default_service": "local",
            "service_indicator": LOCAL_INDICATOR,
            "serial_next": LOCAL_SERIALS[0],
            "serial_last": LOCAL_SERIALS[1],
            "created_at": datetime.now(UTC_TZ),
        },
    )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM carriers WHERE code = 'local'"))
    op.drop_index("ix_run_stops_shipment_id", table_name="run_stops")
    op.drop_table("run_stops")
    op.drop_index("ix_delivery_runs_location_id_status", table_name="delivery_runs")
    op.drop_table("delivery_runs")
    op.drop_table("local_delivery")
