"""`oms db backup` while orders are being placed, and `oms db restore` read back."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oms.adapters.db.backup import BackupError, backup, restore, revision_of
from oms.adapters.db.migrate import current_head, known_revision, upgrade
from oms.bootstrap import bootstrap
from oms.config import Settings, get_settings
from oms.domain.access import SYSTEM
from oms.services import orders
from tests.builders import draft, stocked


def _counts(path: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(path)
    try:
        placed = conn.execute("SELECT count(*) FROM orders").fetchone()[0]
        lines = conn.execute("SELECT count(*) FROM order_lines").fetchone()[0]
        events = conn.execute(
            "SELECT count(*) FROM order_events WHERE type = 'order.placed'"
        ).fetchone()[0]
        return placed, lines, events
    finally:
        conn.close()


def test_a_backup_taken_while_orders_are_placed_is_one_consistent_state(tmp_path: Path) -> None:
    db = tmp_path / "oms.db"
    url = f"sqlite:///{db}"
    upgrade(url)
    container = bootstrap(Settings(database_url=url))
    stocked(container.uow(), "TEE", 100_000)
    stocked(container.uow(), "MUG", 100_000)
    stop = threading.Event()
    placed: list[int] = []

    def keep_placing() -> None:
        while not stop.is_set():
            order = orders.place_order(container.uow(), SYSTEM, draft(("TEE", 1), ("MUG", 2))).order
            placed.append(order.id)

    writer = threading.Thread(target=keep_placing)
    writer.start()
    try:
        for _ in range(3000):
            if len(placed) >= 20 or not writer.is_alive():
                break
            threading.Event().wait(0.01)
        assert len(placed) >= 20, "the writer stopped"
        copies = [tmp_path / f"copy-{i}.db" for i in range(3)]
        for copy in copies:
            assert backup(url, copy) == current_head()
    finally:
        stop.set()
        writer.join()
        container.close()
    final = _counts(db)[0]
    for copy in copies:
        n_orders, n_lines, n_events = _counts(copy)
        # Every order in the copy is whole (its two lines, its event): no torn state.
        assert 20 <= n_orders <= final
        assert n_lines == 2 * n_orders and n_events == n_orders
        assert sqlite3.connect(copy).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not list(tmp_path.glob("*.part"))


def test_restore_puts_the_backup_back_and_the_app_reads_it(tmp_path: Path) -> None:
    db, saved = tmp_path / "oms.db", tmp_path / "saved.db"
    url = f"sqlite:///{db}"
    upgrade(url)
    container = bootstrap(Settings(database_url=url))
    stocked(container.uow(), "TEE", 10)
    kept = orders.place_order(container.uow(), SYSTEM, draft(("TEE", 1))).order
    backup(url, saved)
    later = orders.place_order(container.uow(), SYSTEM, draft(("TEE", 2))).order
    container.close()

    assert restore(url, saved, known_revision) == current_head()
    again = bootstrap(Settings(database_url=url))
    try:
        uow = again.uow()
        assert uow.run(lambda: uow.orders.get(kept.id), write=False) is not None
        assert uow.run(lambda: uow.orders.get(later.id), write=False) is None
    finally:
        again.close()


def test_restore_refuses_what_is_not_an_oms_database_at_a_known_migration(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'oms.db'}"
    upgrade(url)
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("hello " * 1000)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    future = tmp_path / "future.db"
    backup(url, future)
    with sqlite3.connect(future) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(BackupError, match="not a SQLite database"):
        restore(url, not_sqlite, known_revision)
    with pytest.raises(BackupError, match="not an oms database"):
        restore(url, other, known_revision)
    with pytest.raises(BackupError, match="does not know"):
        restore(url, future, known_revision)
    with pytest.raises(BackupError, match="pg_dump"):
        backup("postgresql://x@127.0.0.1/oms", tmp_path / "pg.db")
    assert revision_of(tmp_path / "oms.db") == current_head()


def test_the_cli_backs_up_and_restores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from oms.cli import app

    url = f"sqlite:///{tmp_path / 'oms.db'}"
    upgrade(url)
    monkeypatch.setenv("OMS_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        saved = tmp_path / "saved.db"
        result = runner.invoke(app, ["db", "backup", str(saved)])
        assert result.exit_code == 0, result.output
        assert "backed up to" in result.output and saved.exists()
        result = runner.invoke(app, ["db", "restore", str(saved)])
        assert result.exit_code == 0 and "restored" in result.output, result.output
        result = runner.invoke(app, ["db", "restore", str(tmp_path / "missing.db")])
        assert result.exit_code == 1 and "does not exist" in " ".join(result.output.split())
    finally:
        get_settings.cache_clear()
