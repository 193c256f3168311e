"""Group commit on SQLite: placements of one process that wait for the write lock at the
same time share one transaction and one COMMIT.

SQLite admits one writer at a time, so at a busy intake every placement queues for the
write lock (`WriteGate`), and each pays a `BEGIN IMMEDIATE` and a `COMMIT` inside it, a third
of the time the lock is held (docs/performance.md). Here the first thread to arrive leads:
it takes the gate once, then runs its own job and those of every thread that queued
meanwhile, each inside a SAVEPOINT of its own, and commits them together. A job that
raises is rolled back to its savepoint alone and its thread gets the error, as if it had
run by itself; the others' rows stay. Every thread returns only after the COMMIT that
holds its rows, and should the COMMIT fail, every job of the batch gets that error (none
of them was acknowledged). The leader serves batches until its own job is done, then
hands the lead to the first thread still waiting.

Only work that reads what it needs inside its own job and whose rows depend on nothing
outside it may be grouped: the jobs of a batch see each other's rows (one transaction),
exactly as they would have seen them one after the other.
"""

from __future__ import annotations

import threading
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from oms.adapters.db.engine import WRITE, checkpoint_if_due, write_gate

T = TypeVar("T")
B = TypeVar("B", bound="Leading")
# Jobs one transaction takes at most: a bound on how long the others wait for the lock.
BATCH_LIMIT = 16


class _Job(Generic[T]):
    def __init__(self, work: Callable[..., T]) -> None:
        self.work = work
        self.value: Any = None
        self.error: BaseException | None = None
        self.done = False
        self.lead = False  # handed the lead while waiting
        self.wake = threading.Event()

    def finish(self, error: BaseException | None = None) -> None:
        if error is not None:
            self.error = error
        self.done = True
        self.wake.set()

    def result(self) -> T:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[no-any-return]


class Leading(ABC):
    """The leader's protocol: the first thread to arrive serves batches (`_commit`) of the
    jobs queued meanwhile until its own is done, then hands the lead to the first waiting."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._waiting: list[_Job[Any]] = []
        self._leading = False
        self.transactions = 0  # committed or not: how many batches ran (tests, stats)
        self.jobs = 0

    def _submit(self, job: _Job[T]) -> T:
        with self._lock:
            self._waiting.append(job)
            lead = not self._leading
            self._leading = True
        while not lead:
            job.wake.wait()
            job.wake.clear()
            if job.done:
                return job.result()
            lead = job.lead
        try:
            while not job.done:
                self._commit()
        finally:
            with self._lock:
                if self._waiting:
                    self._waiting[0].lead = True
                    self._waiting[0].wake.set()
                else:
                    self._leading = False
        return job.result()

    @abstractmethod
    def _commit(self) -> None:
        """Take a batch of waiting jobs, run them, and finish each one."""

    def _failed(self, batch: list[_Job[Any]], error: BaseException) -> None:
        """A batch that failed as a whole (or never got a connection): every job of it
        without an outcome of its own gets the error; re-raised unless an Exception."""
        for job in batch or self._take():
            if job.error is None and not job.done:
                job.finish(error)
        if not isinstance(error, Exception):
            raise error

    def _take(self) -> list[_Job[Any]]:
        with self._lock:
            batch = self._waiting[: self._limit]
            del self._waiting[: self._limit]
            return batch


class GroupCommit(Leading):
    """The batches of one SQLite engine in this process."""

    def __init__(self, engine: Engine, limit: int = BATCH_LIMIT) -> None:
        super().__init__(limit)
        self._engine = engine

    def run(self, work: Callable[[sa.Connection], T]) -> T:
        """Run `work(conn)` in a write transaction shared with the jobs queued meanwhile,
        inside a savepoint of its own; its result once that transaction committed."""
        return self._submit(_Job(work))

    def _commit(self) -> None:
        batch: list[_Job[Any]] = []
        try:
            with self._engine.connect() as plain, write_gate(self._engine, True):
                # The batch is taken once the gate is passed: whoever queued while the
                # lock was busy (another process writing) joins it.
                batch = self._take()
                self.transactions += 1
                self.jobs += len(batch)
                conn = plain.execution_options(**{WRITE: True})
                with conn.begin():
                    raw = conn.connection.dbapi_connection
                    assert raw is not None
                    for job in batch:
                        _in_savepoint(raw, conn, job)
        except BaseException as error:
            self._failed(batch, error)  # no connection, the gate or the COMMIT failed
        finally:
            for job in batch:
                if not job.done:
                    job.finish()
        checkpoint_if_due(self._engine)  # once every job of the batch has its answer


def _in_savepoint(raw: Any, conn: sa.Connection, job: _Job[Any]) -> None:
    # The savepoint at the driver level: SQLAlchemy's begin_nested costs more than the
    # statement, and this runs inside the write lock.
    raw.execute("SAVEPOINT oms_job")
    try:
        job.value = job.work(conn)
    except Exception as error:  # the job's own failure: undone alone
        raw.execute("ROLLBACK TO oms_job")
        raw.execute("RELEASE oms_job")
        job.error = error
        return
    raw.execute("RELEASE oms_job")


class PerEngine(Generic[B]):
    """One batcher per engine of one kind of database in this process, made at first use
    (every placement asks: no lock once it exists); None for an engine of another kind."""

    def __init__(self, dialect: str, make: Callable[[Engine], B]) -> None:
        self._dialect = dialect
        self._make = make
        self._made: weakref.WeakKeyDictionary[Engine, B] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, engine: Engine) -> B | None:
        if engine.dialect.name != self._dialect:
            return None
        found = self._made.get(engine)
        if found is not None:
            return found
        with self._lock:
            found = self._made.get(engine)
            if found is None:
                found = self._made[engine] = self._make(engine)
            return found


# The engine's group commit: SQLite only (PostgreSQL has its batches: pg_batches.py).
group_commit = PerEngine("sqlite", GroupCommit)
