"""SQLite's WAL checkpoints run outside the write gate, every CHECKPOINT_EVERY writes of a
process (adapters/db/engine.py WriteGate.checkpoint_if_due), not inside the commit that
crossed SQLite's own threshold, where every writer of every process waited for them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from oms.adapters.db import engine as engine_module
from oms.adapters.db.engine import _GATES, CHECKPOINT_EVERY, WriteGate
from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.services import orders
from tests.builders import draft, stocked

ROW = 8192  # bytes of each write: two pages and more


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite on disk only: PostgreSQL has no WAL file of oms' to checkpoint."""
    path = tmp_path / "oms.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def _database(container: Container) -> Path:
    return Path(str(container.engine.url.database))


def _writes(container: Container, n: int) -> None:
    uow = container.uow()
    for i in range(n):
        uow.run(
            lambda i=i: uow.conn.execute(
                sa.text("INSERT INTO scratch (x, blob) VALUES (:x, randomblob(:n))"),
                {"x": i, "n": ROW},
            )
        )


def _scratch(container: Container) -> None:
    with container.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE scratch (x INTEGER, blob BLOB)"))


def test_sqlite_checks_no_point_itself_on_the_engines_connections(container: Container) -> None:
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_the_wal_stays_the_size_of_the_writes_between_two_checkpoints(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scratch(container)
    wal = Path(f"{_database(container)}-wal")
    n = 4 * CHECKPOINT_EVERY
    # Without checkpoints (as with SQLite's own turned off and nothing instead) the WAL
    # holds every write...
    monkeypatch.setattr(engine_module, "CHECKPOINT_EVERY", 10**9)
    _writes(container, n)
    unchecked = wal.stat().st_size
    assert unchecked > n * ROW
    # ...with them it is reused from its start after each one.
    monkeypatch.setattr(engine_module, "CHECKPOINT_EVERY", CHECKPOINT_EVERY)
    _writes(container, 1)  # the first checkpoint: everything so far copied
    grown = wal.stat().st_size
    _writes(container, n)
    assert wal.stat().st_size == grown  # written over, not grown
    with container.engine.connect() as conn:
        count = conn.exec_driver_sql("SELECT count(*) FROM scratch").scalar()
    assert count == 2 * n + 1  # nothing lost on the way


def test_the_checkpoint_runs_with_the_gate_free_after_the_placements_are_answered(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 100)
    gate = _GATES[container.engine]
    seen: list[bool] = []
    real = WriteGate.checkpoint_if_due

    def spy(self: WriteGate) -> None:
        if self._writes >= engine_module.CHECKPOINT_EVERY:
            seen.append(self._threads.locked())
        real(self)

    monkeypatch.setattr(WriteGate, "checkpoint_if_due", spy)
    for _ in range(2 * CHECKPOINT_EVERY):
        orders.place_order(container.uow(), SYSTEM, draft(("TEE", 1)))
    assert seen and not any(seen)  # due, and never with the gate held
    assert gate._writes < CHECKPOINT_EVERY


def test_a_wal_beyond_its_limit_is_checkpointed_whatever_the_count(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scratch(container)
    wal = Path(f"{_database(container)}-wal")
    monkeypatch.setattr(engine_module, "CHECKPOINT_EVERY", 10**9)
    monkeypatch.setattr(engine_module, "WAL_LIMIT", 8 * ROW)
    n = 4 * CHECKPOINT_EVERY
    _writes(container, n)
    assert wal.stat().st_size < n * ROW / 4  # a few writes' worth, not all of them


def test_disposing_of_the_engine_closes_the_checkpoints_connection(container: Container) -> None:
    _scratch(container)
    _writes(container, CHECKPOINT_EVERY + 1)
    gate = _GATES[container.engine]
    assert gate._checkpointer is not None
    container.close()
    assert gate._checkpointer is None
    _writes(container, CHECKPOINT_EVERY + 1)  # a disposed engine still works: it reopens
    assert gate._checkpointer is not None
