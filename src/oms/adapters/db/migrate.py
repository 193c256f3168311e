"""Alembic, driven from code: `oms db upgrade` and the test fixtures use this."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Index
from sqlalchemy.engine import Engine

from oms.adapters.db.engine import normalise_url
from oms.adapters.db.schema import ONLY

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


# Indexes a migration makes on one database only (tables.py says why): autogenerate's
# comparison leaves them out, or it would propose to drop them.
MIGRATION_ONLY_INDEXES = frozenset(
    {
        "ix_orders_customer_name_trgm",
        "ix_orders_customer_phone_reversed",
        "ix_products_name_trgm",
        "ix_products_sku_pattern",
        "ix_order_facts_customer",
    }
)


# SQLite's FTS5 table of the orders' searched texts (migration 0024, order_search.py) and
# the shadow tables FTS5 keeps it in: made by the migration, not declared in the metadata.
MIGRATION_ONLY_TABLE_PREFIX = "order_texts"


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    if type_ == "table" and reflected and (name or "").startswith(MIGRATION_ONLY_TABLE_PREFIX):
        return False
    return not (type_ == "index" and reflected and name in MIGRATION_ONLY_INDEXES)


def include_object_on(dialect: str) -> Callable[[object, str | None, str, bool, object], bool]:
    """include_object, and the indexes declared for another database only (schema.pg_only)
    left out of the comparison on this one."""

    def include(
        obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
    ) -> bool:
        if type_ == "index" and isinstance(obj, Index) and obj.info.get(ONLY, dialect) != dialect:
            return False
        return include_object(obj, name, type_, reflected, compare_to)

    return include


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def current_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None if it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def known_revision(revision: str) -> bool:
    """A revision among this version's migrations."""
    from alembic.script import ScriptDirectory

    try:
        return (
            ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision)
            is not None
        )
    except Exception:  # alembic raises its own errors for unknown ids
        return False
