"""The tables of the last mile: a location's local delivery, its delivery runs and their
stops. Part of the one schema (`schema.metadata`); `tables.py` imports and re-exports them."""

from __future__ import annotations

import sqlalchemy as sa

from oms.adapters.db.schema import UTCDateTime, metadata
from oms.adapters.db.schema import fk_column as _fk
from oms.adapters.db.schema import id_column as _id

# A location's own drivers as a carrier service (migration 0013). Postal prefixes are
# space-separated and normalised; prices in minor units of `currency`; the cut-off "HH:MM".
local_delivery = sa.Table(
    "local_delivery",
    metadata,
    _fk("location_id", "locations.id"),
    sa.Column("postal_prefixes", sa.String(2000), nullable=False, server_default=""),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("base_minor", sa.BigInteger, nullable=False),
    sa.Column("per_kg_minor", sa.BigInteger, nullable=False),
    sa.Column("transit_days", sa.Integer, nullable=False),
    sa.Column("cut_off", sa.String(5), nullable=False),
    sa.Column("max_attempts", sa.Integer, nullable=False, server_default="3"),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("location_id"),
)

delivery_runs = sa.Table(
    "delivery_runs",
    metadata,
    _id(),
    _fk("location_id", "locations.id"),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("driver", sa.String(100)),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("started_at", UTCDateTime),
    sa.Column("finished_at", UTCDateTime),
    sa.Index("ix_delivery_runs_location_id_status", "location_id", "status"),
)

# One stop per shipment of a run. `waiting_shipment_id` is the shipment id while the stop
# waits for an outcome in an unfinished run, NULL after: unique, so the database itself
# refuses a shipment in two runs at once.
run_stops = sa.Table(
    "run_stops",
    metadata,
    _id(),
    _fk("run_id", "delivery_runs.id"),
    _fk("shipment_id", "shipments.id"),
    sa.Column("waiting_shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite")),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("outcome", sa.String(16)),
    sa.Column("reason", sa.String(16)),
    sa.Column("note", sa.String(500)),
    sa.Column("recipient", sa.String(100)),
    sa.Column("proof", sa.LargeBinary),
    sa.Column("proof_type", sa.String(16)),
    sa.Column("attempted_at", UTCDateTime),
    sa.Column("attempt", sa.Integer),
    sa.UniqueConstraint("run_id", "shipment_id"),
    sa.UniqueConstraint("waiting_shipment_id"),
    sa.Index("ix_run_stops_shipment_id", "shipment_id"),
)
