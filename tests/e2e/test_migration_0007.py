"""Migration 0007 (archived products, a user's location) on both databases: it applies over
rows that exist, leaves them unarchived and unbound, and goes down and up again."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from oms.adapters.db.engine import normalise_url
from oms.adapters.db.migrate import alembic_config, upgrade


def _columns(engine: sa.Engine, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table)}


def test_migration_0007_applies_over_existing_rows_and_reverts(db_url: str) -> None:
    engine = sa.create_engine(normalise_url(db_url), poolclass=sa.pool.NullPool)
    try:
        command.downgrade(alembic_config(db_url), "0006")
        assert "archived" not in _columns(engine, "products")
        assert "location_id" not in _columns(engine, "users")
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO products (sku, name, price_minor, currency, created_at) "
                    "VALUES ('OLD', 'Old', 100, 'EUR', CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO users (name, role, disabled, created_at) "
                    "VALUES ('old', 'sales', false, CURRENT_TIMESTAMP)"
                )
            )
        upgrade(db_url)
        with engine.connect() as conn:
            archived = conn.execute(sa.text("SELECT archived FROM products WHERE sku = 'OLD'"))
            location = conn.execute(sa.text("SELECT location_id FROM users WHERE name = 'old'"))
            assert (archived.scalar_one(), location.scalar_one()) == (False, None)
        foreign = sa.inspect(engine).get_foreign_keys("users")
        assert [(f["constrained_columns"], f["referred_table"]) for f in foreign] == [
            (["location_id"], "locations")
        ]
    finally:
        upgrade(db_url)
        engine.dispose()
