"""SQLite's search table (migration 0024, adapters/db/order_search.py): an FTS5 table of
trigrams kept in step with the orders by triggers, read for "contains" and "ends with"
instead of a scan, and giving exactly the scan's answers."""

from __future__ import annotations

import random
import sqlite3
from typing import Any

import pytest
import sqlalchemy as sa

from oms.adapters.db.migrate import alembic_config
from oms.adapters.db.order_search import matching, searched, texts_on
from oms.adapters.db.tables import orders as orders_table
from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.orders.model import Customer
from oms.services import orders
from oms.services.ports.orders import OrderFilter
from tests.builders import draft, stocked

PEOPLE = [
    Customer("anne.martin@orange.fr", "Anne Martin", "+33612345678"),
    Customer("jurgen.mueller@web.de", "Jürgen Müller", "+4915112345678"),
    Customer("bob@example.com", "Bob Dupont", "0612345678"),
    Customer("a_b@x.io", "Ann Under", None),
    Customer("axb@x.io", "ÉMILE Zola-Marchand", "+33 6 98 76 54 32"),
    Customer('q"uote@x.io', 'Ann "Q" [Star*]', "+4420 7946 0958"),
]
SQL_TEXTS = (
    "SELECT rowid, email, name, phone, external_id FROM order_texts ORDER BY rowid",
    "SELECT id, customer_email, lower(customer_name), customer_phone, external_id"
    " FROM orders ORDER BY id",
)


@pytest.fixture
def sqlite_only(db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the search table is SQLite's; PostgreSQL has pg_trgm indexes")


def place_people(container: Container, copies: int = 1) -> list[int]:
    uow = container.uow()
    stocked(uow, "MUG", 1000)
    placed = []
    for n in range(copies):
        for i, customer in enumerate(PEOPLE):
            external = f"EXT-{n}-{i}" if i % 2 else None
            order = draft(("MUG", 1), customer=customer, external_id=external)
            placed.append(orders.place_order(uow, SYSTEM, order).order.id)
    return placed


def agree(container: Container) -> None:
    with container.engine.connect() as conn:
        table, source = (list(conn.exec_driver_sql(sql)) for sql in SQL_TEXTS)
    assert table == source


def test_the_triggers_keep_the_table_in_step_with_the_orders(
    sqlite_only: None, container: Container
) -> None:
    placed = place_people(container)
    agree(container)  # inserted with each order
    with container.engine.begin() as conn:
        conn.execute(
            orders_table.update()
            .where(orders_table.c.id == placed[0])
            .values(customer_name="Zoé Neuve", customer_email="zoe@neuve.fr", external_id="Z-1")
        )
        conn.execute(orders_table.update().values(status="confirmed"))  # not a searched column
    # A bare delete, for its trigger (oms deletes no order: its rows hang off it).
    raw = sqlite3.connect(container.engine.url.database or "")
    with raw:
        raw.execute("DELETE FROM orders WHERE id = ?", (placed[1],))
    raw.close()
    agree(container)
    uow = container.uow()
    assert [o.id for o in orders.list_orders(uow, SYSTEM, OrderFilter(q="neuve"))] == [placed[0]]


def texts_to_try(rng: random.Random) -> list[str]:
    """Parts of every stored value as people type them, and some that find nothing."""
    found: list[str] = []
    for c in PEOPLE:
        for value in (c.email, c.name, c.name.lower(), c.name.upper(), c.phone or "-"):
            for _ in range(6):
                start = rng.randrange(len(value))
                found.append(value[start : start + rng.randint(1, 12)])
        digits = "".join(ch for ch in c.phone or "" if ch.isdigit())
        found += [digits[-k:] for k in (4, 6, 9)] + ["@" + c.email.split("@")[1]]
    return [*found, "EXT-0-1", "EXT-0-3", "EXT-9-9", '"', '""Q', "*", "[St", "zzz", "an", "é"]


def answers(conn: sa.Connection, q: str, texts: bool, **cursor: Any) -> list[int]:
    select, newest = searched(sa.select(orders_table.c.id), q, postgres=False, texts=texts)
    if "before" in cursor:
        select = select.where(newest < cursor["before"])
    return list(conn.execute(select.order_by(newest.desc()).limit(7)).scalars())


def in_list(conn: sa.Connection, q: str, texts: bool) -> list[int]:
    condition = matching(q, postgres=False, texts=texts)
    by_name = sa.select(orders_table.c.id).where(condition)
    return list(
        conn.execute(by_name.order_by(orders_table.c.customer_name, orders_table.c.id)).scalars()
    )


def test_the_table_finds_what_the_scan_finds(sqlite_only: None, container: Container) -> None:
    placed = place_people(container, copies=3)
    rng = random.Random(16)
    with container.engine.connect() as conn:
        assert texts_on(conn)
        tried = 0
        for q in texts_to_try(rng):
            scan = answers(conn, q, texts=False)
            assert answers(conn, q, texts=True) == scan, q
            middle = placed[len(placed) // 2]
            assert answers(conn, q, True, before=middle) == answers(conn, q, False, before=middle)
            tried += bool(scan)
            # Sorted otherwise than newest first (the back office by name): through an IN.
            assert in_list(conn, q, texts=True) == in_list(conn, q, texts=False), q
        assert tried > 40  # most of them find something: the comparison says something


@pytest.mark.parametrize("q", ["martin", "@orange.fr", "12345678", "anne.mar", "Bob Dup"])
def test_contains_and_ends_with_read_the_trigram_index_newest_first(
    sqlite_only: None, container: Container, q: str
) -> None:
    place_people(container)
    with container.engine.connect() as conn:
        select, newest = searched(orders_table.select(), q, postgres=False, texts=True)
        statement = select.order_by(newest.desc()).limit(50).compile(conn)
        plan = [
            row[3]
            for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", tuple(statement.params.values())
            )
        ]
    assert any("VIRTUAL TABLE INDEX" in step for step in plan), plan
    assert not any(step.startswith("SCAN orders") for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan  # no sort: stops at 50


def test_the_migration_fills_the_table_from_the_orders_already_there(
    sqlite_only: None, container: Container, db_url: str
) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    place_people(container, copies=2)
    container.engine.dispose()
    config = alembic_config(db_url)
    before = ScriptDirectory.from_config(config).get_revision("0024").down_revision
    command.downgrade(config, str(before))
    with sa.create_engine(db_url).connect() as conn:
        assert (
            conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE 'order_texts%'"
            ).scalar_one()
            == 0
        )
    command.upgrade(alembic_config(db_url), "head")
    agree(container)
