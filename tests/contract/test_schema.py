"""The migrated schema is the one the code declares, on both databases (make check runs
`alembic check` on SQLite only), and the indexes that only a migration makes exist."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from oms.adapters.db.migrate import include_object_on
from oms.adapters.db.tables import metadata


def test_the_migrations_make_the_declared_schema(db_url: str) -> None:
    engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "include_object": include_object_on(conn.dialect.name)},
        )
        assert compare_metadata(context, metadata) == []
    engine.dispose()


@pytest.mark.parametrize(
    ("index", "expression"),
    [
        ("ix_orders_customer_name_trgm", "lower((customer_name)::text)"),
        ("ix_products_name_trgm", "lower((name)::text)"),
    ],
)
def test_searches_for_part_of_a_text_have_trigram_indexes_on_postgresql(
    db_url: str, index: str, expression: str
) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("a PostgreSQL index; SQLite scans for part of a text")
    engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        found = conn.execute(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": index}
        ).scalar_one()
    engine.dispose()
    assert f"USING gin ({expression} gin_trgm_ops)" in found


def test_the_start_of_a_sku_has_a_pattern_index_on_postgresql(db_url: str) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("a PostgreSQL index; SQLite's LIKE is case-insensitive and scans")
    engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        found = conn.execute(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_products_sku_pattern'")
        ).scalar_one()
    engine.dispose()
    assert "btree (sku text_pattern_ops)" in found


def test_loyalty_reads_the_orders_by_customer_from_an_index_on_postgresql(db_url: str) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("a PostgreSQL index; SQLite computes loyalty in Python")
    engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        found = conn.execute(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_order_facts_customer'")
        ).scalar_one()
    engine.dispose()
    assert 'customer COLLATE "C"' in found and "INCLUDE" in found and "NOT cancelled" in found
