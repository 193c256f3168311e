"""SQLite: an FTS5 table of trigrams over the orders' searched texts (email, name, phone,
external id), kept in step by triggers, so that the search box's "contains" and "ends with"
read an index instead of scanning the orders. Nothing on PostgreSQL (pg_trgm GIN indexes,
migrations 0006 and 0020).

Revision ID: 0024
Revises: 0021
Create Date: 2026-12-05 07:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# rowid = orders.id; `name` is lower(customer_name), as the search compares it. The
# tokenizer is case-sensitive: GLOB is, and the adapter checks each candidate with it.
CREATE = (
    "CREATE VIRTUAL TABLE order_texts USING fts5("
    "email, name, phone, external_id, tokenize = 'trigram case_sensitive 1')",
    "INSERT INTO order_texts (rowid, email, name, phone, external_id)"
    " SELECT id, customer_email, lower(customer_name), customer_phone, external_id FROM orders",
    "CREATE TRIGGER order_texts_insert AFTER INSERT ON orders BEGIN"
    " INSERT INTO order_texts (rowid, email, name, phone, external_id) VALUES (new.id,"
    " new.customer_email, lower(new.customer_name), new.customer_phone, new.external_id);"
    " END",
    "CREATE TRIGGER order_texts_update AFTER UPDATE OF"
    " customer_email, customer_name, customer_phone, external_id ON orders BEGIN"
    " UPDATE order_texts SET email = new.customer_email, name = lower(new.customer_name),"
    " phone = new.customer_phone, external_id = new.external_id WHERE rowid = new.id;"
    " END",
    "CREATE TRIGGER order_texts_delete AFTER DELETE ON orders BEGIN"
    " DELETE FROM order_texts WHERE rowid = old.id; END",
)
DROP = (
    "DROP TRIGGER IF EXISTS order_texts_insert",
    "DROP TRIGGER IF EXISTS order_texts_update",
    "DROP TRIGGER IF EXISTS order_texts_delete",
    "DROP TABLE IF EXISTS order_texts",
)


def _has_trigrams() -> bool:
    """FTS5's trigram tokenizer came with SQLite 3.34 (2020-12); older builds keep the scan
    (the adapter looks for the table before using it)."""
    import sqlite3

    return sqlite3.sqlite_version_info >= (3, 34, 0)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite" or not _has_trigrams():
        return
    for statement in CREATE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in DROP:
        op.execute(statement)
