"""Held-back rows written at the driver level: each statement compiled once, its rows sent
through the DBAPI cursor (on PostgreSQL in one pipeline, one round trip for all).

SQLAlchemy's per-execute machinery (cache look-up, parameter processing, result set-up,
events) cost more than the statements themselves on the intake path. The statements are
the adapters' own SQLAlchemy constructs, compiled here by SQLAlchemy for the connection's
dialect, with SQLAlchemy's own bind processors applied to each value: the SQL and the
values are those `Connection.execute` would send.

`write` also runs a placement's conditional stock updates last (`Last`): on PostgreSQL the
rows are locked first (`FOR NO KEY UPDATE`, in id order, by a statement of its own, so
that the update that follows reads every hold committed before the lock), then updated,
each only if that much is available; the answer says whether every row took.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect

# (statement, dialect name, parameter names) -> compiled form; the statements are the
# adapters' prebuilt ones, so this stays small (bounded all the same).
_CACHE: dict[tuple[Any, str, tuple[str, ...]], _Compiled] = {}
_CACHE_LIMIT = 256
_LOCK_PG = "SELECT id FROM stock WHERE id = ANY(%(ids)s) ORDER BY id FOR NO KEY UPDATE"
# stock.py's _RESERVE for all the rows at once (live holds counted as `live_held` counts
# them), failing with division_by_zero unless every row took: in a pipeline that also
# commits, the failure turns the COMMIT into a rollback.
_RESERVE_PG = """WITH taken AS (
  UPDATE stock SET reserved = stock.reserved + r.q
  FROM unnest(%(ids)s::bigint[], %(qs)s::integer[]) AS r(id, q)
  WHERE stock.id = r.id
    AND stock.on_hand - stock.reserved - coalesce((SELECT sum(hold_units.quantity)
      FROM hold_units WHERE hold_units.stock_id = stock.id
      AND hold_units.expires_at > %(now)s), 0) >= r.q
  RETURNING stock.id)
SELECT 1 / (CASE WHEN count(*) = %(n)s THEN 1 ELSE 0 END) FROM taken"""
_SHORT = "22012"  # division_by_zero: _RESERVE_PG found a row short
_AFTER_LOCK = frozenset({"reservations", "stock_ledger"})


@dataclass(slots=True)
class _Compiled:
    sql: str
    positions: tuple[str, ...] | None  # qmark/numeric styles: the names in order
    processors: tuple[tuple[str, Callable[[Any], Any]], ...]
    constants: dict[str, Any]  # the statement's own literal values, processed
    result_types: tuple[Any, ...]  # the SQLAlchemy type of each result column
    # Their result processors, made at the first fetch from the driver's type codes (as
    # SQLAlchemy makes them: a numeric's may depend on the code).
    results: tuple[Callable[[Any], Any] | None, ...] | None = None

    def params(self, row: dict[str, Any], memo: dict[tuple[int, Any], Any]) -> Any:
        """The driver's parameters for one row. `memo`: values already processed in this
        batch (a placement's rows carry the same time many times over)."""
        values = {**self.constants, **row} if self.constants else dict(row)
        for name, processor in self.processors:
            if name in values:
                v = values[name]
                if type(v) is not datetime:
                    values[name] = processor(v)
                    continue
                key = (id(processor), v)
                found = memo.get(key, memo)
                if found is memo:
                    found = memo[key] = processor(v)
                values[name] = found
        if self.positions is None:
            return values
        return tuple(values[name] for name in self.positions)


@dataclass(frozen=True, slots=True)
class Last:
    """Conditional updates to run after the held rows, each meant to touch one row."""

    statement: sa.Update
    rows: list[dict[str, Any]]  # each with stock_id, quantity and now
    lock_ids: list[int]


def any_of(
    column: sa.ColumnElement[Any], name: str, element: sa.types.TypeEngine[Any]
) -> dict[str, sa.ColumnElement[bool]]:
    """`column` among the values of the list parameter `name`, by dialect, with one
    statement text for any number of values (an expanding IN cannot run here): PostgreSQL
    `= ANY(array)`, SQLite `IN (SELECT value FROM json_each(:name))`, the list sent as JSON."""
    values = sa.func.json_each(sa.bindparam(name, type_=sa.JSON)).table_valued("value")
    return {
        "postgresql": column == sa.any_(sa.bindparam(name, type_=ARRAY(element))),
        "sqlite": column.in_(sa.select(values.c.value)),
    }


def compiled(dialect: Dialect, statement: Any, keys: tuple[str, ...]) -> _Compiled:
    key = (statement, dialect.name, keys)
    found = _CACHE.get(key)
    if found is not None:
        return found
    target = statement
    if isinstance(statement, sa.Insert) and statement._returning:
        target = statement.table.insert()  # nothing reads the returned rows back
    c = target.compile(dialect=dialect, column_keys=list(keys))
    processors = {k: p for k, p in c._bind_processors.items() if p is not None}
    constants = {}
    for bind, name in c.bind_names.items():
        if name in keys:
            continue
        if bind.required or bind.callable is not None:
            raise ValueError(f"rows for {statement} lack {name}")
        value = bind.value
        constants[name] = processors.pop(name)(value) if name in processors else value
    positions = tuple(c.positiontup) if c.positiontup else None
    types = tuple(column.type for column in c._result_columns)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    made = _CACHE[key] = _Compiled(str(c), positions, tuple(processors.items()), constants, types)
    return made


def write(
    conn: sa.Connection,
    held: Sequence[tuple[Any, list[dict[str, Any]]]],
    last: Last | None,
    *,
    commit: bool = False,
) -> bool:
    """Write the held rows, then run `last`; False if one of its updates touched no row.
    `commit` (PostgreSQL): COMMIT in the same pipeline, so that the stock rows stay locked
    for that one round trip only; a refused update rolls the transaction back instead."""
    dialect = conn.dialect
    raw = conn.connection.dbapi_connection
    assert raw is not None
    batches = [
        (compiled(dialect, s, tuple(rows[0])), rows, s.table.name in _AFTER_LOCK)
        for s, rows in held
        if rows
    ]
    try:
        if dialect.name == "postgresql":
            return _write_pg(raw, batches, last, commit)
        return _write_plain(raw, dialect, batches, last)
    except dialect.loaded_dbapi.Error as failed:
        if getattr(failed, "sqlstate", None) == _SHORT:
            return False
        raise _as_sqlalchemy(failed, dialect) from failed


def fetch_one(conn: sa.Connection, statement: Any, params: dict[str, Any]) -> Any:
    """One statement at the driver level (compiled once, as `write` does): its first row,
    or None. For a statement run once per placement inside SQLite's write lock."""
    rows = _fetch(conn, statement, params, one=True)
    return rows[0] if rows else None


def fetch_all(conn: sa.Connection, statement: Any, params: dict[str, Any]) -> list[Any]:
    """One statement's rows at the driver level, as tuples: compiled once, SQLAlchemy's
    bind and result processors applied, so the values are those `Connection.execute`
    gives. For the reads of every placement (token, products, stock, ids); a statement
    with an expanding IN cannot run here (use `any_of`: one text for any number of values)."""
    return _fetch(conn, statement, params, one=False)


def _fetch(conn: sa.Connection, statement: Any, params: dict[str, Any], *, one: bool) -> list[Any]:
    before = getattr(conn, "before", None)
    if before is not None:  # rows held back (deferred.py) that it must see are written first
        conn = before(statement)
    dialect = conn.dialect
    raw = conn.connection.dbapi_connection
    assert raw is not None
    c = compiled(dialect, statement, tuple(params))
    sql, args = c.sql, c.params(params, {})
    cursor = raw.cursor()
    try:
        if conn._has_events or conn.engine._has_events:
            # Listeners (statement counts, tracing) see it as they see SQLAlchemy's own.
            for listener in conn.dispatch.before_cursor_execute:
                sql, args = listener(conn, cursor, sql, args, None, False)
        cursor.execute(sql, args)
        rows: list[Any] = []
        if cursor.description is not None:
            rows = list(cursor.fetchmany(1) if one else cursor.fetchall())
        results = c.results
        if results is None and cursor.description is not None:
            made = tuple(
                kind._cached_result_processor(dialect, column[1])
                for kind, column in zip(c.result_types, cursor.description, strict=False)
            )
            results = c.results = made if any(made) else ()
    except dialect.loaded_dbapi.Error as failed:
        raise _as_sqlalchemy(failed, dialect, conn, raw, cursor) from failed
    finally:
        cursor.close()
    if results:
        rows = [
            tuple(v if p is None or v is None else p(v) for p, v in zip(results, row, strict=False))
            for row in rows
        ]
    return rows


def _as_sqlalchemy(
    failed: Exception,
    dialect: Dialect,
    conn: sa.Connection | None = None,
    raw: Any = None,
    cursor: Any = None,
) -> sa.exc.StatementError:
    """The driver's error as SQLAlchemy raises it (what the unit of work's retry and the
    unique-key checks read), without the parameters. A lost connection is invalidated, as
    SQLAlchemy does, so that the pool replaces it and a read can run again."""
    gone = False
    if conn is not None and dialect.is_disconnect(failed, raw, cursor):  # type: ignore[arg-type]
        conn.invalidate(failed)
        gone = True
    return sa.exc.DBAPIError.instance(
        None,
        None,
        failed,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=gone,
        dialect=dialect,
    )


def _write_pg(raw: Any, batches: list[Any], last: Last | None, commit: bool) -> bool:
    memo: dict[tuple[int, Any], Any] = {}
    with raw.pipeline(), raw.cursor() as cursor:
        # Rows whose foreign keys name a stock row take FOR KEY SHARE on it: written after
        # this transaction holds the row's own lock, so that busy rows shared by many
        # placements do not turn into multixacts (PostgreSQL's shared row locks).
        later = [(c, rows) for c, rows, after in batches if after and last is not None]
        for c, rows, after in batches:
            if not (after and last is not None):
                cursor.executemany(c.sql, [c.params(r, memo) for r in rows])
        if last is not None:
            ids = [r["stock_id"] for r in last.rows]
            cursor.execute(_LOCK_PG, {"ids": sorted(last.lock_ids)})
            cursor.execute(
                _RESERVE_PG,
                {"ids": ids, "qs": [r["quantity"] for r in last.rows],
                 "now": last.rows[0]["now"], "n": len(ids)},
            )  # fmt: skip
        for c, rows in later:
            cursor.executemany(c.sql, [c.params(r, memo) for r in rows])
        if commit:
            raw.commit()
    return True


def _write_plain(raw: Any, dialect: Dialect, batches: list[Any], last: Last | None) -> bool:
    memo: dict[tuple[int, Any], Any] = {}
    cursor = raw.cursor()
    try:
        for c, rows, _ in batches:
            cursor.executemany(c.sql, [c.params(r, memo) for r in rows])
        if last is None:
            return True
        c = compiled(dialect, last.statement, tuple(last.rows[0]))
        cursor.executemany(c.sql, [c.params(r, memo) for r in last.rows])
        return bool(cursor.rowcount == len(last.rows))
    finally:
        cursor.close()
