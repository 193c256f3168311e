"""Engines for SQLite (WAL, one writer at a time) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

try:  # POSIX: writers of several processes queue on a file lock
    import fcntl
except ImportError:  # pragma: no cover - elsewhere SQLite's busy timeout alone decides
    fcntl = None  # type: ignore[assignment]

WRITE = "oms_write"
# Writes of one process between two checkpoints of SQLite's WAL (each write of a group
# commit holds the rows of many orders: 16 of them are a few hundred pages).
CHECKPOINT_EVERY = 16
# Bytes of WAL that make a checkpoint due sooner (a few large writes, an import); the WAL
# is cut back to this size when it starts over (journal_size_limit).
WAL_LIMIT = 16 * 1024 * 1024
log = logging.getLogger(__name__)


class WriteGate:
    """Lets one SQLite writer at a time in, across the threads and processes of a database.

    SQLite admits one writer anyway; without the gate, waiting writers poll in its busy
    handler, sleeping up to 100 ms between tries, which under load costs more than the
    writes themselves. Here a thread waits on a lock and a process on a file lock (the
    kernel wakes the next one the moment the lock is free), so writes follow each other
    back to back.
    """

    def __init__(self, lock_path: Path | None, database: str | None = None) -> None:
        self._threads = threading.Lock()
        self._file: IO[bytes] | None = None
        if lock_path is not None and fcntl is not None:
            self._file = lock_path.open("ab")
        self._database = database
        self._writes = 0  # since the last checkpoint, in this process
        self._checkpointing = threading.Lock()
        self._checkpointer: sqlite3.Connection | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._threads:
            if self._file is not None:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                if self._file is not None:
                    fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
                self._writes += 1

    def checkpoint_if_due(self) -> None:
        """Copy the WAL's pages into the database file (a passive checkpoint: it waits for
        no one and no writer waits for it) once this process wrote CHECKPOINT_EVERY times
        since the last one, or the WAL outgrew WAL_LIMIT. SQLite's own automatic
        checkpoint is off (engine connections): it ran inside the commit that crossed its
        threshold, with the gate held, so every writer of every process waited for its
        copy and fsync. Called by a writer once it left the gate (a group commit's leader
        once every placement of its batch has its answer); one checkpoint at a time per
        process."""
        if self._database is None:
            return
        if self._writes < CHECKPOINT_EVERY and not self._wal_beyond(WAL_LIMIT):
            return
        if not self._checkpointing.acquire(blocking=False):
            return  # another thread of this process is at it
        try:
            self._writes = 0
            if self._checkpointer is None:
                self._checkpointer = sqlite3.connect(
                    self._database, timeout=30, isolation_level=None, check_same_thread=False
                )
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as error:  # the next write tries again
            log.warning("WAL checkpoint failed: %s", error)
        finally:
            self._checkpointing.release()

    def close(self) -> None:
        """Close the checkpoints' connection (the engine was disposed of)."""
        with self._checkpointing:
            if self._checkpointer is not None:
                self._checkpointer.close()
                self._checkpointer = None

    def _wal_beyond(self, size: int) -> bool:
        try:
            return os.stat(f"{self._database}-wal").st_size > size
        except OSError:
            return False


_GATES: weakref.WeakKeyDictionary[Engine, WriteGate] = weakref.WeakKeyDictionary()


def checkpoint_if_due(engine: Engine) -> None:
    """SQLite: the WAL checkpoint this process owes, if due (WriteGate.checkpoint_if_due)."""
    gate = _GATES.get(engine)
    if gate is not None:
        gate.checkpoint_if_due()


def write_gate(engine: Engine, write: bool) -> AbstractContextManager[None]:
    """The gate a writing transaction passes on this engine (none on PostgreSQL or reads)."""
    gate = _GATES.get(engine) if write else None
    return gate.held() if gate else nullcontext()


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_engine(
    url: str, *, pool_size: int = 10, echo: bool = False, pgbouncer: bool = False
) -> Engine:
    """An engine that never logs bound parameters: they carry token and password hashes.

    Behind PgBouncer in transaction pooling mode (`pgbouncer=True`, or `?pgbouncer=1` in
    the URL), each transaction may run on another server connection, so psycopg must make
    no server-side prepared statements (`prepare_threshold=None`). oms keeps no other
    session state: no SET, no advisory lock, no LISTEN, no temporary table.
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo)
    parsed = make_url(url)
    flag = parsed.query.get("pgbouncer")
    if flag is not None:
        pgbouncer = pgbouncer or str(flag).lower() in ("1", "true", "yes", "on")
        parsed = parsed.difference_update_query(["pgbouncer"])
    engine = sa.create_engine(
        parsed,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=POOL_RECYCLE,
        echo=echo,
        hide_parameters=True,
        connect_args={"prepare_threshold": None} if pgbouncer else {},
    )
    _ping_when_idle(engine)
    return engine


# A pooled connection is pinged before use only when it sat idle this long: a busy server
# reuses its connections within milliseconds and pays no round trip per checkout (what
# `pool_pre_ping` costs), while one that waited (the database restarted, a proxy timed it
# out) is checked and replaced if dead. Connections are also replaced after POOL_RECYCLE.
IDLE_BEFORE_PING = 2.0
POOL_RECYCLE = 1800


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_BEFORE_PING:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error:
            alive = False
        if not alive:
            # The pool drops this connection and checks out a fresh one.
            raise sa.exc.DisconnectionError("a pooled connection was found dead")


def _sqlite_engine(url: str, echo: bool) -> Engine:
    engine = sa.create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=8,
        max_overflow=8,
    )

    database = make_url(url).database or ""
    on_disk = database not in ("", ":memory:") and not database.startswith("file:")
    gate = _GATES[engine] = (
        WriteGate(Path(f"{database}.write-lock"), database) if on_disk else WriteGate(None)
    )
    event.listen(engine, "engine_disposed", lambda _engine: gate.close())

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event issue BEGIN itself, so writers can say IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
            # The writers checkpoint outside the write gate instead (checkpoint_if_due).
            f"wal_autocheckpoint={0 if on_disk else 1000}",
            f"journal_size_limit={WAL_LIMIT}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # A writer takes the write lock at BEGIN: two writers never both read and then
        # both try to upgrade (which SQLite answers with "database is locked").
        immediate = conn.get_execution_options().get(WRITE, False)
        # On the driver's connection: SQLAlchemy's statement machinery cost more than the
        # BEGIN, and a writer issues it inside the write gate.
        conn.connection.driver_connection.execute(  # type: ignore[union-attr]
            "BEGIN IMMEDIATE" if immediate else "BEGIN"
        )

    return engine
