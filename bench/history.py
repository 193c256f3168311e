"""A year of order history for the page benches: the demo's finished orders, copied.

`oms demo` runs every order through the real use cases, which takes minutes per thousand
orders; a page bench at 100,000 orders needs history, not a replay. So this copies the
orders the demo *finished* (delivered, completed, cancelled), with everything that hangs
off them (lines, timeline, shipments and their lines, carrier events, the completed pick
lists), until the database holds the number of orders asked for. Each copy is moved back
in time by a day more than the one before, so the history spans as many days as there are
copies (300 demo orders -> about 400 days for 100,000), and gets its own customer emails
(one address per three copies: repeat customers), order numbers, tracking numbers and
tokens. Orders still open stay the demo's own: the work of today is today's, as in a shop
with a year behind it.

Nothing here goes through the domain: these are copies of rows the domain wrote, written
with plain INSERTs in batches, then the id sequences and the order-number counter moved
past them and the planner's statistics refreshed (ANALYZE), as a running database would
have them. A bench tool, not a way to make data for anything else.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.tables import (
    counters,
    order_events,
    order_lines,
    orders,
    pick_list_lines,
    pick_lists,
    shipment_events,
    shipment_lines,
    shipments,
)
from oms.domain.fulfilment.tracking import format_tracking_number
from oms.domain.orders.model import order_number

FINISHED = ("delivered", "completed", "cancelled")
CLOSED_PICK_LISTS = ("completed", "cancelled")
BATCH = 5_000
# Tables in the order they are written (each refers only to those before it), with the
# columns that point at another copied table.
COPIED: tuple[tuple[sa.Table, dict[str, str]], ...] = (
    (pick_lists, {}),
    (pick_list_lines, {"pick_list_id": "pick_lists"}),
    (orders, {}),
    (order_lines, {"order_id": "orders"}),
    (order_events, {"order_id": "orders"}),
    (shipments, {"order_id": "orders", "pick_list_id": "pick_lists"}),
    (shipment_lines, {"shipment_id": "shipments", "order_line_id": "order_lines"}),
    (shipment_events, {"shipment_id": "shipments"}),
)


def _source(conn: sa.Connection) -> dict[str, list[dict[str, Any]]]:
    """The rows to copy: finished orders and what hangs off them, closed pick lists."""
    finished = sa.select(orders.c.id).where(orders.c.status.in_(FINISHED))
    of_shipments = sa.select(shipments.c.id).where(shipments.c.order_id.in_(finished))
    closed = sa.select(pick_lists.c.id).where(pick_lists.c.status.in_(CLOSED_PICK_LISTS))
    queries = {
        "pick_lists": pick_lists.select().where(pick_lists.c.id.in_(closed)),
        "pick_list_lines": pick_list_lines.select().where(
            pick_list_lines.c.pick_list_id.in_(closed)
        ),
        "orders": orders.select().where(orders.c.id.in_(finished)),
        "order_lines": order_lines.select().where(order_lines.c.order_id.in_(finished)),
        "order_events": order_events.select().where(order_events.c.order_id.in_(finished)),
        "shipments": shipments.select().where(shipments.c.order_id.in_(finished)),
        "shipment_lines": shipment_lines.select().where(
            shipment_lines.c.shipment_id.in_(of_shipments)
        ),
        "shipment_events": shipment_events.select().where(
            shipment_events.c.shipment_id.in_(of_shipments)
        ),
    }
    return {
        name: [dict(row._mapping) for row in conn.execute(query.order_by(sa.text("id")))]
        for name, query in queries.items()
    }


def _shifted(value: Any, back: timedelta) -> Any:
    if isinstance(value, datetime | date):
        return value - back
    return value


class _Copier:
    """Copy k of the source rows: new ids after the highest, dates `k` days earlier."""

    def __init__(self, conn: sa.Connection) -> None:
        self.next_id = {
            table.name: (conn.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1
            for table, _ in COPIED
        }
        if conn.dialect.name == "postgresql":
            last = conn.execute(sa.text("SELECT last_value FROM order_number_seq")).scalar()
        else:
            query = sa.select(counters.c.value).where(counters.c.name == "order_number")
            last = conn.execute(query).scalar()
        self.next_number = (last or 0) + 1

    def copy(self, k: int, source: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict]]:
        back = timedelta(days=k)
        new_ids: dict[str, dict[int, int]] = {}
        out: dict[str, list[dict[str, Any]]] = {}
        for table, refs in COPIED:
            ids = new_ids[table.name] = {}
            rows = out[table.name] = []
            for row in source[table.name]:
                copy = {key: _shifted(value, back) for key, value in row.items()}
                copy["id"] = ids[row["id"]] = self.next_id[table.name]
                self.next_id[table.name] += 1
                for column, target in refs.items():
                    if copy[column] is not None:
                        copy[column] = new_ids[target].get(copy[column])
                self._unique(table.name, copy, k)
                rows.append(copy)
        return out

    def _unique(self, table: str, row: dict[str, Any], k: int) -> None:
        """The columns that must differ from copy to copy."""
        if table == "orders":
            row["number"] = order_number(self.next_number)
            self.next_number += 1
            local, _, domain = row["customer_email"].partition("@")
            row["customer_email"] = f"{local}.h{k // 3}@{domain}"
            row["tracking_token"] = secrets.token_urlsafe(32)
            row["idempotency_key"] = None
            if row["external_id"]:
                row["external_id"] = f"{row['external_id']}-h{k}"
        elif table == "shipments" and row["tracking_number"]:
            country = row["tracking_number"][-2:]
            row["tracking_number"] = format_tracking_number("HX", row["id"], country)


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def grow(engine: sa.Engine, total_orders: int) -> int:
    """Copy finished orders until the database holds `total_orders`; returns how many were
    added. Raises if the demo finished none (nothing to copy)."""
    with engine.begin() as conn:
        have = conn.execute(sa.select(sa.func.count()).select_from(orders)).scalar_one()
        source = _source(conn)
        per_copy = len(source["orders"])
        if have >= total_orders:
            return 0
        if per_copy == 0:
            raise SystemExit("the demo finished no order: nothing to copy")
        copier = _Copier(conn)
    added = 0
    k = 0
    while have + added < total_orders:
        k += 1
        rows = copier.copy(k, source)
        room = total_orders - have - added
        if len(rows["orders"]) > room:  # the last copy: only as many orders as fit
            _trim(rows, room)
        with engine.begin() as conn:
            for table, _ in COPIED:
                for batch in _batches(rows[table.name]):
                    conn.execute(table.insert(), batch)
        added += len(rows["orders"])
    with engine.begin() as conn:
        _move_counters(conn, copier)
    _analyze(engine)
    return added


def _trim(rows: dict[str, list[dict[str, Any]]], keep: int) -> None:
    kept_orders = {row["id"] for row in rows["orders"][:keep]}
    rows["orders"] = rows["orders"][:keep]
    for name in ("order_lines", "order_events", "shipments"):
        rows[name] = [r for r in rows[name] if r["order_id"] in kept_orders]
    kept_shipments = {r["id"] for r in rows["shipments"]}
    for name in ("shipment_lines", "shipment_events"):
        rows[name] = [r for r in rows[name] if r["shipment_id"] in kept_shipments]


def _move_counters(conn: sa.Connection, copier: _Copier) -> None:
    """Sequences and the order-number counter past the copies, so new orders still fit."""
    last_number = copier.next_number - 1
    if conn.dialect.name == "postgresql":
        for table, _ in COPIED:
            conn.execute(
                sa.text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                {"t": table.name, "v": copier.next_id[table.name] - 1},
            )
        conn.execute(sa.text("SELECT setval('order_number_seq', :v)"), {"v": last_number})
    else:
        conn.execute(
            counters.update().where(counters.c.name == "order_number").values(value=last_number)
        )


def _analyze(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(sa.text("ANALYZE"))
