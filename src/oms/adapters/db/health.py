"""What operations read from the database itself: is it there and migrated (/readyz), and
how much work waits in the outbox (/metrics)."""

from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from oms.adapters.db.migrate import current_head, schema_revision
from oms.adapters.db.tables_after_sale import deliveries, outbox


@lru_cache(maxsize=1)
def _head() -> str | None:
    return current_head()  # reads the migration scripts: once per process


def readiness(engine: Engine) -> str | None:
    """None when the database answers and is at the migrations' head, else why not."""
    try:
        at = schema_revision(engine)
    except Exception as error:  # any driver error: the database is not reachable
        return f"database unreachable: {type(error).__name__}"
    head = _head()
    if at != head:
        return f"database at schema revision {at or 'none'}, not {head}: run oms db upgrade"
    return None


def outbox_backlog(engine: Engine) -> dict[str, int]:
    """Events not yet fanned out, and deliveries by status (pending, sent, dead)."""
    with engine.connect() as conn:
        new = conn.execute(
            sa.select(sa.func.count()).select_from(outbox).where(outbox.c.fanned_out == sa.false())
        ).scalar_one()
        rows = conn.execute(
            sa.select(deliveries.c.status, sa.func.count()).group_by(deliveries.c.status)
        ).all()
    counts = {"events_new": int(new)}
    counts.update({f"deliveries_{status}": int(n) for status, n in rows})
    return counts


def pool_figures(engine: Engine) -> dict[str, int]:
    """This process's connection pool: its size, connections checked out, overflow."""
    pool = engine.pool
    figures: dict[str, int] = {}
    for name in ("size", "checkedout", "overflow", "checkedin"):
        method = getattr(pool, name, None)
        if callable(method):
            figures[name] = int(method())
    return figures
