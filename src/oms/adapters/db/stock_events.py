"""`stock.changed`: one outbox event per product whose available stock at shipping locations
a transaction changed, with the new figure; written just before that transaction commits
(coalesced: one per SKU however many rows and moves), and only while a webhook subscribes.

The repositories that change a row's available (reserve, release, on hand, holds) note its
id in the unit of work; `tell` turns the ids into events. Whether anyone subscribes is read
from the webhooks at most every SUBSCRIBERS_TTL seconds per process (at once after a
subscription changes in this process), so the intake path pays nothing while nobody listens.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.holds import live_held
from oms.adapters.db.tables import locations, outbox, products, stock, webhooks

TOPIC = "stock.changed"
SUBSCRIBERS_TTL = 5.0
_seen: dict[str, tuple[float, bool]] = {}  # database url -> (when read, anyone subscribed)

_NOW = sa.bindparam("now", type_=stock.c.updated_at.type)
_AVAILABLE = (
    sa.select(
        products.c.sku,
        sa.func.sum(stock.c.on_hand - stock.c.reserved - live_held(_NOW)),
    )
    .select_from(
        stock.join(locations, locations.c.id == stock.c.location_id).join(
            products, products.c.id == stock.c.product_id
        )
    )
    .where(
        stock.c.product_id.in_(
            sa.select(stock.c.product_id)
            .where(stock.c.id.in_(sa.bindparam("ids", expanding=True)))
            .scalar_subquery()
        ),
        locations.c.ships.is_(True),
    )
    .group_by(products.c.sku)
    .order_by(products.c.sku)
)


def forget_subscribers(url: str) -> None:
    """A subscription changed in this process: read them again at the next transaction."""
    _seen.pop(url, None)


def anyone_listens(conn: sa.Connection, url: str) -> bool:
    """Whether `tell` would write anything (read at most every SUBSCRIBERS_TTL seconds)."""
    return _subscribed(conn, url)


def _subscribed(conn: sa.Connection, url: str) -> bool:
    when, anyone = _seen.get(url, (-SUBSCRIBERS_TTL, False))
    if time.monotonic() - when < SUBSCRIBERS_TTL:
        return anyone
    rows = conn.execute(sa.select(webhooks.c.events).where(webhooks.c.deleted_at.is_(None)))
    anyone = any(TOPIC in (events or []) for (events,) in rows)
    _seen[url] = (time.monotonic(), anyone)
    return anyone


def tell(conn: sa.Connection, url: str, stock_ids: Iterable[int], now: datetime) -> None:
    """Before commit: one `stock.changed` per product of these rows, if anyone listens."""
    ids = sorted(set(stock_ids))
    if not ids or not _subscribed(conn, url):
        return
    found: list[Any] = list(conn.execute(_AVAILABLE, {"ids": ids, "now": now}))
    rows = [
        {"topic": TOPIC, "order_id": None, "data": {"sku": sku, "available": int(n)},
         "created_at": now}
        for sku, n in found
    ]  # fmt: skip
    if rows:
        conn.execute(outbox.insert(), rows)
