"""Reads at the driver level (adapters/db/driver_sql.py fetch_all, fetch_one) give what
SQLAlchemy's `Connection.execute` gives, value for value and type for type, on both
databases; listeners see them; a read inside a block of held-back rows sees those rows.
Rows written at the driver level (`write`) are those SQLAlchemy writes, and refused as it
refuses them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from oms.adapters.db import driver_sql
from oms.adapters.db.tables import order_events, orders, products, stock, stock_ledger
from oms.domain.access import SYSTEM
from oms.services import orders as order_service
from oms.services.ports import UnitOfWork
from tests.builders import draft, stocked


def _both(uow: UnitOfWork, statement: Any, params: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    def work() -> tuple[list[Any], list[Any]]:
        conn = uow.conn  # type: ignore[attr-defined]
        plain = [tuple(row) for row in conn.execute(statement, params)]
        return driver_sql.fetch_all(conn, statement, params), plain

    return uow.run(work, write=False)


def test_rows_and_their_types_are_sqlalchemys(uow: UnitOfWork) -> None:
    stocked(uow, "MUG", 5)
    stocked(uow, "TEE", 3)
    statements: list[tuple[Any, dict[str, Any]]] = [
        # every column of the table: times (text on SQLite, a processor turns them back),
        # booleans, integers, strings, nulls
        (products.select().where(products.c.sku == sa.bindparam("sku")), {"sku": "MUG"}),
        (products.select().order_by(products.c.sku), {}),
        # a numeric expression: its processor depends on the driver's type code
        (
            sa.select(
                products.c.sku,
                (sa.cast(products.c.price_minor, sa.Numeric(12, 2)) / 100).label("price"),
            ).order_by(products.c.sku),
            {},
        ),
        (sa.select(stock.c.on_hand - stock.c.reserved).order_by(stock.c.id), {}),
        (products.select().where(products.c.sku == "none such"), {}),
    ]
    for statement, params in statements:
        fetched, plain = _both(uow, statement, params)
        assert fetched == plain
        assert [tuple(map(type, row)) for row in fetched] == [
            tuple(map(type, row)) for row in plain
        ]
    fetched, _ = _both(uow, statements[2][0], {})
    assert [type(row[1]) for row in fetched] == [Decimal, Decimal]


def test_fetch_one_gives_the_first_row_or_none(uow: UnitOfWork) -> None:
    stocked(uow, "MUG", 5)
    by_sku = sa.select(products.c.sku).where(products.c.sku == sa.bindparam("sku"))

    def work() -> tuple[Any, Any]:
        conn = uow.conn  # type: ignore[attr-defined]
        return (
            driver_sql.fetch_one(conn, by_sku, {"sku": "MUG"}),
            driver_sql.fetch_one(conn, by_sku, {"sku": "none such"}),
        )

    assert uow.run(work, write=False) == (("MUG",), None)


def test_listeners_see_driver_level_statements(uow: UnitOfWork) -> None:
    stocked(uow, "MUG", 5)
    engine = uow.engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        uow.run(lambda: uow.products.by_skus(["MUG"]), write=False)
        uow.run(
            lambda: driver_sql.fetch_all(
                uow.conn,  # type: ignore[attr-defined]
                sa.select(products.c.id).where(products.c.sku == sa.bindparam("sku")),
                {"sku": "MUG"},
            ),
            write=False,
        )
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert sum("FROM products" in s for s in seen) == 2


def test_a_driver_level_read_in_a_block_sees_the_rows_held_back(uow: UnitOfWork) -> None:
    stocked(uow, "MUG", 5)

    def work() -> int:
        with uow.deferred_inserts():
            placed = order_service.place_order(uow, SYSTEM, draft(("MUG", 2))).order
            row = driver_sql.fetch_one(
                uow.conn,  # type: ignore[attr-defined]
                sa.select(sa.func.count()).select_from(orders).where(orders.c.id == placed.id),
                {},
            )
            return int(row[0])

    assert uow.run(work) == 1


def _rows_of_both_ways(uow: UnitOfWork, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Write `rows` through SQLAlchemy, then again at the driver level (the same values
    with `actor` marked), and compare what each wrote."""

    def work() -> None:
        conn = uow.conn  # type: ignore[attr-defined]
        conn.execute(table.insert(), rows)
        again = [{**row, "actor": "driver"} for row in rows]
        assert driver_sql.write(conn, [(table.insert(), again)], None)

    uow.run(work)
    columns = [c for c in table.c if c.name not in ("id", "actor")]

    def read(actor: str) -> list[tuple[Any, ...]]:
        query = sa.select(*columns).where(table.c.actor == actor).order_by(table.c.id)
        return [tuple(row) for row in uow.conn.execute(query)]  # type: ignore[attr-defined]

    plain, driver = uow.run(lambda: (read("plain"), read("driver")), write=False)
    assert len(plain) == len(rows)
    assert driver == plain


def test_several_rows_written_at_the_driver_level_are_sqlalchemys(uow: UnitOfWork) -> None:
    stocked(uow, "MUG", 5)
    order = order_service.place_order(uow, SYSTEM, draft(("MUG", 1))).order
    at = datetime(2026, 12, 6, 15, 30, 0, 123456, tzinfo=UTC)
    events = [
        {"order_id": order.id, "type": "note", "from_status": None, "to_status": None,
         "actor": "plain", "at": at, "data": {"text": "naïve ' \" , {} []", "n": 1.5}},
        {"order_id": order.id, "type": "note", "from_status": "placed", "to_status": None,
         "actor": "plain", "at": at, "data": {}},
        {"order_id": order.id, "type": "other", "from_status": None, "to_status": "x",
         "actor": "plain", "at": at, "data": {"list": [1, None, "two"]}},
    ]  # fmt: skip
    _rows_of_both_ways(uow, order_events, events)
    stock_id = uow.run(lambda: uow.conn.execute(sa.select(stock.c.id)).scalar(), write=False)  # type: ignore[attr-defined]
    ledger = [
        {
            "stock_id": stock_id,
            "kind": "count",
            "on_hand_delta": d,
            "reserved_delta": 0,
            "reason": None,
            "order_id": None,
            "order_line_id": None,
            "actor": "plain",
            "at": at,
        }
        for d in (1, -2, 3)
    ]  # fmt: skip  (a column of nulls only)
    _rows_of_both_ways(uow, stock_ledger, ledger)


def test_several_rows_one_too_long_for_its_column_are_refused_not_cut_short(
    uow: UnitOfWork,
) -> None:
    if uow.engine.dialect.name != "postgresql":  # type: ignore[attr-defined]
        pytest.skip("SQLite does not hold strings to their declared length")
    stocked(uow, "MUG", 5)
    order = order_service.place_order(uow, SYSTEM, draft(("MUG", 1))).order
    at = datetime(2026, 12, 6, tzinfo=UTC)
    rows = [
        {"order_id": order.id, "type": kind, "actor": "a", "at": at, "data": {}}
        for kind in ("note", "x" * 65)
    ]

    def work() -> None:
        assert driver_sql.write(uow.conn, [(order_events.insert(), rows)], None)  # type: ignore[attr-defined]

    with pytest.raises(sa.exc.DataError, match="too long"):
        uow.run(work)
    count = sa.select(sa.func.count()).select_from(order_events).where(order_events.c.actor == "a")
    assert uow.run(lambda: uow.conn.execute(count).scalar(), write=False) == 0  # type: ignore[attr-defined]
