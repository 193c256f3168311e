"""The migrated schema is the one the code declares, on both databases (make check runs
`alembic check` on SQLite only), and the indexes that only a migration makes exist."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from oms.adapters.db.migrate import include_object
from oms.adapters.db.tables import metadata


def test_the_migrations_make_the_declared_schema(db_url: str) -> None:
    engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_part_of_a_name_has_a_trigram_index_on_postgresql(db_url: str) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("a PostgreSQL index; SQLite scans for part of a name")
    engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        found = conn.execute(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"),
            {"n": "ix_orders_customer_name_trgm"},
        ).scalar_one()
    engine.dispose()
    assert "gin" in found and "gin_trgm_ops" in found and "lower" in found
