"""Alembic environment: migrations run on the URL the config carries (or OMS_DATABASE_URL)."""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

from oms.adapters.db.engine import normalise_url
from oms.adapters.db.migrate import include_object_on
from oms.adapters.db.tables import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url") or normalise_url(
    os.environ.get("OMS_DATABASE_URL", "sqlite:///./oms.db")
)
parsed = sa.engine.make_url(url).difference_update_query(["pgbouncer"])
# No server-side prepared statements: migrations may go through PgBouncer (transaction mode).
postgres = parsed.get_backend_name() == "postgresql"
engine = sa.create_engine(
    parsed,
    poolclass=sa.pool.NullPool,
    connect_args={"prepare_threshold": None} if postgres else {},
)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object_on(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
