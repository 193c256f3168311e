"""What every table module builds on: the metadata and its naming convention, the id type,
aware UTC times, and the id and foreign-key columns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = sa.MetaData(naming_convention=NAMING)

# BIGINT on PostgreSQL; INTEGER on SQLite, where only INTEGER PRIMARY KEY auto-increments.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, also on SQLite, which stores no offset."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to storage; oms stores aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        aware: datetime = value
        return aware.replace(tzinfo=UTC) if aware.tzinfo is None else aware.astimezone(UTC)


def id_column() -> sa.Column[int]:
    return sa.Column("id", Id, primary_key=True, autoincrement=True)


def fk_column(name: str, target: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, Id, sa.ForeignKey(target), nullable=nullable)


# Indexes PostgreSQL alone has (a GIN of trigrams, a b-tree in byte order for LIKE 'start%'):
# declared here as PostgreSQL makes them, marked so that autogenerate leaves them out of
# its comparison on SQLite (migrate.include_object), where no migration makes them.
PATTERN = "text_pattern_ops"
ONLY = "only_on"


def pg_only(index: sa.Index) -> sa.Index:
    index.info[ONLY] = "postgresql"
    return index


def trigram_index(name: str, column: str) -> sa.Index:
    """Part of a text, anywhere in it (LIKE '%part%', '%end'), by trigrams (pg_trgm)."""
    return sa.Index(name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})
