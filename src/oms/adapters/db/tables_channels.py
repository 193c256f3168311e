"""The table of channels as records (migration 0015). Part of the one schema
(`schema.metadata`); `tables.py` imports and re-exports it. A channel name without a row is
a channel with the defaults (domain/channels/model.py), so orders carry the name, not a key."""

from __future__ import annotations

import sqlalchemy as sa

from oms.adapters.db.schema import UTCDateTime, metadata

channels = sa.Table(
    "channels",
    metadata,
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("currency", sa.String(3)),
    sa.Column("tax_inclusive", sa.Boolean, nullable=False),
    sa.Column("buffer_units", sa.Integer, nullable=False),
    sa.Column("buffer_percent", sa.Integer, nullable=False),
    sa.Column("hold_minutes", sa.Integer, nullable=False),
    # The webhooks' HMAC key: kept as given (verifying needs it), answered only when made.
    sa.Column("secret", sa.String(128)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("name"),
)
