"""Operations commands: `oms db backup` and `oms db restore` (the embedded SQLite database),
and how `oms serve` sets up its logs and metrics for one or several worker processes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress

from oms.cli import console, db_app
from oms.config import get_settings

# Each server process keeps up to 2 x OMS_DB_POOL_SIZE connections (20 by default):
# four processes stay under PostgreSQL's default max_connections of 100.
MAX_DEFAULT_WORKERS = 4


def default_workers() -> int:
    """`oms serve`'s processes when --workers is not given: one per CPU core this process
    may run on, at most MAX_DEFAULT_WORKERS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def serve_environment(workers: int) -> dict[str, Any]:
    """Before uvicorn starts: several workers share their metrics through a folder
    (PROMETHEUS_MULTIPROC_DIR, a fresh one unless set); returns uvicorn's log config, its
    own lines as JSON like oms' (api/observe.py)."""
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="oms-metrics-")
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "oms.api.observe.JsonFormatter"}},
        "handlers": {"default": handler},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
        },
    }


@db_app.command("backup")
def db_backup(
    file: Path = typer.Argument(..., help="Where to write the copy (replaced if it exists)."),
) -> None:
    """Copy the SQLite database while it serves (SQLite's online backup API): one
    consistent state, whatever is being written. PostgreSQL: use pg_dump."""
    from oms.adapters.db.backup import BackupError, backup

    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("backing up", total=None)
            revision = backup(
                get_settings().database_url,
                file,
                lambda done, total: bar.update(task, completed=done, total=total),
            )
    except BackupError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    size = file.stat().st_size
    console.print(f"backed up to [bold]{file}[/] ({size:,} bytes, migration {revision})")


@db_app.command("restore")
def db_restore(
    file: Path = typer.Argument(..., help="A file written by oms db backup."),
) -> None:
    """Replace the SQLite database with a backup, after checking it is an undamaged oms
    database at a migration this oms knows. Stop `oms serve` and `oms worker` first."""
    from oms.adapters.db.backup import BackupError, restore
    from oms.adapters.db.migrate import current_head, known_revision

    url = get_settings().database_url
    try:
        revision = restore(url, file, known_revision)
    except BackupError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    console.print(f"restored [bold]{file}[/] (migration {revision})")
    if revision != current_head():
        console.print("Run [bold]oms db upgrade[/] to bring it to this version's schema.")
