"""Backup and restore of the embedded SQLite database with SQLite's online backup API.

`backup` copies a database that is being served and written: SQLite copies it page by
page and starts over on its own if a write lands between steps, so the copy is one
consistent state of the database, never a torn file (unlike copying the file with cp).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from oms.adapters.db.engine import normalise_url

# The whole copy in one step: in WAL mode a reader blocks no writer, and a copy made in
# several steps would start over each time a write lands between two of them.
PAGES_PER_STEP = -1


class BackupError(Exception):
    """The database or the file cannot be backed up or restored; the message says why."""


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL; BackupError for anything else."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(
            "oms db backup and restore are for the embedded SQLite database; for "
            "PostgreSQL use pg_dump / pg_restore (or pg_basebackup): docs/operations.md"
        )
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise BackupError(f"{database or 'an in-memory database'} is not a file")
    return Path(database)


def _copy(
    source: sqlite3.Connection,
    target: sqlite3.Connection,
    progress: Callable[[int, int], None] | None,
) -> None:
    def step(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    source.backup(target, pages=PAGES_PER_STEP, progress=step, sleep=0.005)


def revision_of(path: Path) -> str | None:
    """The Alembic revision recorded in an SQLite file (None: not an oms database)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"{path} cannot be opened: {error}") from None
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()
        if not ok or ok[0] != "ok":
            raise BackupError(f"{path} is damaged: {ok[0] if ok else 'no answer'}")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    except sqlite3.DatabaseError as error:
        if "no such table" in str(error):
            return None
        raise BackupError(f"{path} is not a SQLite database: {error}") from None
    finally:
        conn.close()


def backup(url: str, target: Path, progress: Callable[[int, int], None] | None = None) -> str:
    """Copy the served database at `url` into `target` (written whole, then renamed into
    place, so a failed backup leaves no half file); returns its migration revision."""
    source_path = sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"{source_path} does not exist")
    if target.exists() and target.resolve() == source_path.resolve():
        raise BackupError("the backup would overwrite the database itself")
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        _copy(source, copy, progress)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        copy.close()
        source.close()
    revision = revision_of(partial)
    if revision is None:
        partial.unlink()
        raise BackupError(f"{source_path} is not an oms database (no migration recorded)")
    os.replace(partial, target)
    return revision


def restore(
    url: str,
    source: Path,
    known: Callable[[str], bool],
    progress: Callable[[int, int], None] | None = None,
) -> str:
    """Replace the database at `url` with the backup `source`, after checking the backup is
    an undamaged oms database at a migration this oms knows (`known`). Run it with the
    server and workers stopped: they would go on with what they had read before."""
    target_path = sqlite_path(url)
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    revision = revision_of(source)
    if revision is None:
        raise BackupError(f"{source} is not an oms database (no migration recorded)")
    if not known(revision):
        raise BackupError(
            f"{source} is at migration {revision}, which this version of oms does not know"
        )
    backup_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        target.execute("PRAGMA journal_mode=WAL")
        _copy(backup_conn, target, progress)
    finally:
        target.close()
        backup_conn.close()
    return revision
