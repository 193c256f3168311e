"""Group commit on PostgreSQL: the placements of one process that arrive together share
one transaction, one pipeline of writes and one COMMIT.

A placement on PostgreSQL plans from an unlocked read, holds back its rows and its
conditional stock updates, and writes them all in one pipeline at the end of its block
(deferred.py, driver_sql.py). Here the first thread to arrive leads (group_commit.Leading):
it runs its own placement and those of every thread that queued meanwhile, one after the
other, on one connection, each handing over its rows instead of writing them
(`deferred.Collected`). Then one pipeline writes every placement's rows, locks the union
of their stock rows in id order (one statement, so two processes' batches cannot lock in
opposite orders: no deadlock, unlike a batch that locks as each placement runs), reserves
their summed quantities only if all are available, and commits. Each thread returns only
after that COMMIT.

Each order still succeeds or fails on its own:
- a placement that fails by itself (a refusal, an unknown SKU) gets its error at once; it
  wrote nothing, and the others go on;
- a placement that would lock rows before the batch's one locking statement (a plan
  where a line waits is made again on locked rows; a hold converted; a retry that locks
  first) or needs its rows written before its block ends leaves the batch (RunAlone)
  before it does, and runs alone;
- if the batch's writes meet anything (a stock row short of the sum, a repeated
  Idempotency-Key, a deadlock), the transaction is rolled back whole and every placement
  of it runs again in a transaction of its own, exactly as without batches;
- should the connection be lost once the batch's writes and COMMIT are sent, every
  placement of the batch gets that error (none was acknowledged; the COMMIT may or may not
  have happened, as for a placement alone); lost before, or never made, each runs alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from oms.adapters.db import driver_sql, stock_events
from oms.adapters.db.deferred import Collected, RunAlone
from oms.adapters.db.engine import WRITE
from oms.adapters.db.group_commit import Leading, PerEngine, _Job

T = TypeVar("T")
BATCH_LIMIT = 16  # placements one transaction takes at most
Work = Callable[[sa.Connection, list[Collected] | None], T]


class _Refused(Exception):
    """The batch's writes were refused: rolled back, every placement runs alone."""


class PgBatches(Leading):
    """The batches of placements of one PostgreSQL engine in this process."""

    def __init__(self, engine: Engine, limit: int = BATCH_LIMIT) -> None:
        super().__init__(limit)
        self._engine = engine
        self._url = engine.url.render_as_string(hide_password=True)

    def run(self, work: Work[T]) -> T:
        """Run `work(conn, sink)` in a transaction shared with the placements queued
        meanwhile; the work appends what it holds back to `sink` (None when it is alone in
        its batch: it writes as usual). Its result once the batch committed; RunAlone if
        it must run in a transaction of its own."""
        return self._submit(_Job(work))

    def _commit(self) -> None:
        batch: list[_Job[Any]] = []
        writing = False  # the batch's rows and COMMIT sent: its outcome may be unknown
        try:
            with self._engine.connect() as plain:
                batch = self._take()
                self.transactions += 1
                self.jobs += len(batch)
                conn = plain.execution_options(**{WRITE: True})
                with conn.begin():
                    alone = len(batch) == 1
                    taken = [c for job in batch for c in _run(conn, job, alone)]
                    if taken:
                        writing = True
                        self._write(conn, taken)
        except (_Refused, sa.exc.DBAPIError) as error:
            batch = batch or self._take()  # no connection: none of them ran
            lost = (
                writing
                and isinstance(error, sa.exc.DBAPIError)
                and (
                    error.connection_invalidated
                    or self._engine.dialect.is_disconnect(error.orig, None, None)  # type: ignore[arg-type]
                )
            )
            for job in batch:
                if not job.done:
                    job.finish(error if lost else RunAlone("the batch was rolled back"))
        except BaseException as error:
            self._failed(batch, error)
        finally:
            for job in batch:
                if not job.done:
                    job.finish()

    def _write(self, conn: sa.Connection, taken: list[Collected]) -> None:
        # Each statement's rows, the statements in the order first seen (an order's row
        # before its lines'), and within one the rows of each set of columns together.
        held: dict[int, tuple[Any, dict[tuple[str, ...], list[dict[str, Any]]]]] = {}
        quantities: dict[int, int] = {}
        lock_ids: set[int] = set()
        last: driver_sql.Last | None = None
        touched: set[int] = set()
        for c in taken:
            for statement, rows in c.held:
                by_columns = held.setdefault(id(statement), (statement, {}))[1]
                for row in rows:
                    by_columns.setdefault(tuple(row), []).append(row)
            if c.last is not None:
                last = last or c.last
                for row in c.last.rows:
                    stock_id = row["stock_id"]
                    quantities[stock_id] = quantities.get(stock_id, 0) + row["quantity"]
                lock_ids.update(c.last.lock_ids)
            touched |= c.stock_touched
        if last is not None:
            # The earliest time counts the most checkout holds as live: never more than
            # what each placement alone would have found free.
            now = min(row["now"] for c in taken if c.last for row in c.last.rows)
            rows = [{"stock_id": s, "quantity": q, "now": now} for s, q in quantities.items()]
            last = driver_sql.Last(last.statement, rows, sorted(lock_ids))
        tell = bool(touched) and stock_events.anyone_listens(conn, self._url)
        if tell and last is None:
            raise _Refused("stock moved without a reservation: each placement alone")
        batches = [(st, rows) for st, by_columns in held.values() for rows in by_columns.values()]
        if not driver_sql.write(conn, batches, last, commit=not tell):
            raise _Refused("a stock row is short of the batch's sum")
        if tell and last is not None:  # stock.changed, then the COMMIT (leaving begin())
            stock_events.tell(conn, self._url, touched, last.rows[0]["now"])


def _run(conn: sa.Connection, job: _Job[Any], alone: bool) -> list[Collected]:
    """One placement of the batch, on the batch's connection: what it held back. A
    failure of its own ends it at once; a database error aborted the transaction. A batch
    of one placement runs it as a placement alone (sink None): it writes and commits its
    own rows, and any error of it is its own, as without batches."""
    sink: list[Collected] | None = None if alone else []
    try:
        job.value = job.work(conn, sink)
    except sa.exc.DBAPIError as error:
        if not alone:
            raise  # the transaction is aborted: the whole batch runs again, alone
        job.finish(error)
        return []
    except Exception as error:  # its own refusal, or RunAlone: it wrote nothing
        job.finish(error)
        return []
    return sink or []


# The engine's batches of placements: PostgreSQL only (SQLite has group_commit).
pg_batches = PerEngine("postgresql", PgBatches)
