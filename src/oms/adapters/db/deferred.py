"""INSERTs held back until the end of a block: many orders placed in one transaction write
their new rows as one statement per table instead of several per order.

Only rows nothing reads back before the block ends: the new orders, their lines, events,
outbox rows and facts, their reservations and ledger rows. Every other statement (the
locked read of the stock rows, the conditional update that never oversells, ids from the
sequences) runs at once, so the guarantees are those of placing one by one. The rows are
written in the order their statements were first seen (an order before its lines, a line
before its reservations), before the transaction commits; should one fail, the whole
transaction is rolled back.

In a batch of placements (adapters/db/pg_batches.py) the block's rows and updates are not
written at its end but handed over (`collected`), to be written with the other
placements' in one pipeline; a statement that would need them written first ends the
placement's place in the batch (RunAlone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import util as sql_util

from oms.adapters.db import driver_sql
from oms.domain.errors import ConcurrentUpdate

DEFERRABLE = frozenset(
    {"orders", "order_lines", "order_events", "outbox", "order_facts", "reservations",
     "stock_ledger"}
)  # fmt: skip


class RunAlone(Exception):
    """A placement the batch cannot take (it needed its rows written before the end of its
    block, or the batch's rows met a conflict): it runs again in a transaction of its own."""


@dataclass(slots=True)
class Collected:
    """One placement's held rows and conditional updates, handed to its batch."""

    held: list[tuple[sa.Insert, list[dict[str, Any]]]]
    last: driver_sql.Last | None
    stock_touched: set[int] = field(default_factory=set)


class DeferredInserts:
    """A connection whose INSERTs of rows into DEFERRABLE tables wait for `flush`."""

    def __init__(
        self, conn: sa.Connection, *, updates_last: bool = False, batched: bool = False
    ) -> None:
        self._conn = conn
        self._held: dict[int, tuple[sa.Insert, list[dict[str, Any]]]] = {}
        # One order's placement: its conditional stock updates wait too, and run after the
        # rows, so that the stock rows stay locked for the last round trip only.
        self.updates_last = updates_last
        self._last: driver_sql.Last | None = None
        # In a batch: the rows are handed over at the end (`collected`), never flushed here.
        self.batched = batched

    def update_last(self, statement: sa.Update, rows: list[dict[str, Any]], ids: list[int]) -> None:
        """Run these conditional updates (each meant to touch one row; `ids` the rows) at
        the flush, after the held rows; ConcurrentUpdate there if one touches none."""
        assert self._last is None, "one set of conditional updates per block"
        self._last = driver_sql.Last(statement, rows, ids)

    def execute(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        if (
            kw
            or parameters is None
            or not isinstance(statement, sa.Insert)
            or statement.select is not None
            or statement.table.name not in DEFERRABLE
        ):
            return self.before(statement).execute(statement, parameters, **kw)
        rows = parameters if isinstance(parameters, list) else [parameters]
        self._held.setdefault(id(statement), (statement, []))[1].extend(rows)
        return None

    def before(self, statement: Any) -> sa.Connection:
        """Ready to run a statement not held back (here or at the driver level: see
        driver_sql.fetch_all): the held rows it must see are written; the plain
        connection to run it on."""
        if self.batched and (self._held or self._last is not None or _locks_rows(statement)):
            # Its rows would have to be written first, or it would lock rows before the
            # batch's one locking statement (batches of two processes could deadlock).
            raise RunAlone("this placement cannot wait for its batch's writes")
        if self.updates_last:
            # One placement: any other statement (a hold converted, which names the
            # new order) comes after the held rows and the conditional updates.
            self.flush()
        self.flush_table_reads(statement)
        return self._conn

    def flush_table_reads(self, statement: Any) -> None:
        """A statement that reads or writes a table with rows held back (anything but the
        statements of placing) writes them first, so it sees what it would have seen."""
        if self._held and _touches_deferrable(statement):
            self.flush()

    def discard(self) -> None:
        """Forget the rows held back (the block that made them was undone)."""
        self._held = {}
        self._last = None

    def flush(self, *, commit: bool = False) -> None:
        """Write the held rows, one statement per table (at the driver level: see
        driver_sql.py), then the conditional updates held for last; `commit`: and COMMIT
        with them (PostgreSQL, in the same round trip)."""
        if self.batched and (self._held or self._last is not None):
            raise RunAlone("this placement's rows were asked for before its batch writes them")
        held, self._held = self._held, {}
        last, self._last = self._last, None
        if not held and last is None and not commit:
            return
        if not driver_sql.write(self._conn, list(held.values()), last, commit=commit):
            raise ConcurrentUpdate("stock moved while the reservation was planned")

    def collected(self) -> Collected:
        """The rows and updates held (a batch writes them), forgotten here."""
        held, self._held = self._held, {}
        last, self._last = self._last, None
        return Collected(list(held.values()), last)

    def __getattr__(self, name: str) -> Any:
        # Any other way to run SQL (scalar, exec_driver_sql, execution_options, the DBAPI
        # connection, ...) writes the held rows first: only execute() knows what it reads.
        if name not in _PASSIVE:
            self.flush()
        return getattr(self._conn, name)


# Attributes that run no SQL.
_PASSIVE = frozenset({"dialect", "engine", "info", "closed", "invalidated"})

_LOCKING = re.compile(r"\bFOR\s+(NO\s+KEY\s+UPDATE|UPDATE|SHARE|KEY\s+SHARE)\b", re.IGNORECASE)
_WORDS = re.compile(r"\b(" + "|".join(sorted(DEFERRABLE)) + r")\b")


def _touches_deferrable(statement: Any) -> bool:
    if isinstance(statement, sa.TextClause):
        return _WORDS.search(statement.text) is not None
    if not isinstance(statement, sa.ClauseElement):
        return True  # a driver-level string: it may read anything
    found = sql_util.find_tables(
        statement, include_crud=True, include_selects=True, include_joins=True,
        include_aliases=True,
    )  # fmt: skip
    return any(isinstance(t, sa.Table) and t.name in DEFERRABLE for t in found)


def _locks_rows(statement: Any) -> bool:
    """Whether a statement may lock rows: a write, or a read FOR UPDATE / SHARE."""
    if isinstance(statement, sa.Select):
        return statement._for_update_arg is not None
    if isinstance(statement, sa.TextClause):
        return _LOCKING.search(statement.text) is not None
    if isinstance(statement, str):
        return _LOCKING.search(statement) is not None
    return isinstance(statement, sa.Insert | sa.Update | sa.Delete)
