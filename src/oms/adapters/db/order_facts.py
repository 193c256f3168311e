"""Keeping `order_facts` (tables_facts.py) true: the writers of order events hand their new
events here, in the same transaction, and each order gets one upsert that keeps, for every
kind, the earliest time seen (what the reports called "the first event of the kind" when
they grouped the events themselves). `refill()` makes the table from the events, whole."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from oms.adapters.db.schema import metadata
from oms.adapters.db.tables_facts import FIRSTS, order_facts

orders, order_events = metadata.tables["orders"], metadata.tables["order_events"]

_COLUMN = {kind: column for column, kind in FIRSTS.items()}


def _upsert(insert: Any) -> Any:
    stmt = insert(order_facts)
    new, old = stmt.excluded, order_facts.c
    earliest = {
        name: sa.case(
            (
                sa.and_(new[name].is_not(None), sa.or_(old[name].is_(None), new[name] < old[name])),
                new[name],
            ),
            else_=old[name],
        )
        for name in FIRSTS
    }
    return stmt.on_conflict_do_update(index_elements=[old.order_id], set_=earliest)


_UPSERT = {"postgresql": _upsert(pg_insert), "sqlite": _upsert(sqlite_insert)}


def record(
    conn: sa.Connection,
    events: Iterable[tuple[int, str, datetime, str, datetime]],
) -> None:
    """(order id, channel, order created at, event type, event at) for new events: one
    row per order, only for orders with a kind the table keeps."""
    rows: dict[int, dict[str, Any]] = {}
    for order_id, channel, created_at, kind, at in events:
        column = _COLUMN.get(kind)
        if column is None:
            continue
        row = rows.get(order_id)
        if row is None:
            row = rows[order_id] = {
                "order_id": order_id,
                "channel": channel,
                "created_at": created_at,
                **dict.fromkeys(FIRSTS),
            }
        if row[column] is None or at < row[column]:
            row[column] = at
    if rows:
        conn.execute(_UPSERT[conn.dialect.name], list(rows.values()))


def refill() -> sa.Insert:
    """Every order's row made from its events, as one INSERT ... SELECT (the migration's
    backfill has its own copy; bench/insight.py runs this one after writing events
    straight into their table)."""
    e, o = order_events, orders
    firsts = [sa.func.min(sa.case((e.c.type == kind, e.c.at))) for kind in FIRSTS.values()]
    rows = (
        sa.select(o.c.id, o.c.channel, o.c.created_at, *firsts)
        .select_from(o.join(e, e.c.order_id == o.c.id))
        .where(e.c.type.in_(list(FIRSTS.values())))
        .group_by(o.c.id, o.c.channel, o.c.created_at)
    )
    return order_facts.insert().from_select(["order_id", "channel", "created_at", *FIRSTS], rows)
