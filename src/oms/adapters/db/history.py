"""Imported history in SQL: orders, lines, timeline events and shipments written in bulk,
beside live orders and apart from stock (no reservation, no ledger row) and from the outbox
(nobody is told of history). Each order is marked in `history_orders`."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from oms.adapters.db import order_facts as facts
from oms.adapters.db.base import Repository
from oms.adapters.db.tables import (
    counters,
    history_orders,
    locations,
    order_events,
    order_lines,
    orders,
    products,
    shipment_lines,
    shipments,
)
from oms.domain.insight.history import HistoryOrder, HistoryProduct
from oms.domain.orders.lines import order_number
from oms.domain.orders.status import OrderStatus
from oms.services.ports.insight import HistoryLocation

_OPEN = {OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.PROCESSING}
_GONE = {OrderStatus.SHIPPED, OrderStatus.DELIVERED}
_IDS_PG = sa.text(
    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
)
_NUMBERS_PG = sa.text("SELECT nextval('order_number_seq') FROM generate_series(1, :n)")


class SqlHistory(Repository):
    def known(self, channel: str, external_ids: Sequence[str]) -> set[str]:
        rows = self.conn.execute(
            sa.select(orders.c.external_id).where(
                orders.c.channel == channel, self._among(orders.c.external_id, external_ids)
            )
        )
        return {r[0] for r in rows}

    def missing_products(self, skus: Iterable[str]) -> set[str]:
        wanted = set(skus)
        rows = self.conn.execute(
            sa.select(products.c.sku).where(self._among(products.c.sku, wanted))
        )
        return wanted - {r[0] for r in rows}

    def add_products(self, found: Sequence[HistoryProduct], now: datetime) -> None:
        if found:
            self._insert(
                products,
                [
                    {
                        "sku": p.sku,
                        "name": p.name,
                        "price_minor": p.price_minor,
                        "currency": p.currency,
                        "weight_grams": p.weight_grams,
                        "created_at": now,
                        "archived": True,
                    }
                    for p in found
                ],
            )

    def location(self, wanted: HistoryLocation, now: datetime) -> int:
        found = self.conn.execute(
            sa.select(locations.c.id).where(locations.c.code == wanted.code)
        ).scalar()
        if found is not None:
            return int(found)
        row = {
            "code": wanted.code,
            "name": wanted.name,
            "kind": "warehouse",
            "country": wanted.country,
            "postal_code": "00000",
            "ships": False,  # never sourced from: history only
            "priority": 0,
            "created_at": now,
            "time_zone": wanted.time_zone,
            "working_days": "01234",  # oms's default: sellers' days are not given
        }
        return int(
            self.conn.execute(locations.insert().returning(locations.c.id), row).scalar_one()
        )

    def add_orders(
        self, found: Sequence[HistoryOrder], location_id: int, actor: str, now: datetime
    ) -> None:
        if not found:
            return
        numbers = self._numbers(len(found))
        ids = self._insert(
            orders, [_order_row(o, n) for o, n in zip(found, numbers, strict=True)], ids=True
        )
        skus = {line.sku for o in found for line in o.lines}
        found_ids = sa.select(products.c.sku, products.c.id).where(
            self._among(products.c.sku, skus)
        )
        product_ids = {r.sku: r.id for r in self.conn.execute(found_ids)}
        line_rows = [
            _line_row(
                o,
                order_id,
                i,
                line.sku,
                product_ids[line.sku],
                line.quantity,
                line.unit_price_minor,
            )
            for o, order_id in zip(found, ids, strict=True)
            for i, line in enumerate(o.lines, start=1)
        ]
        line_ids = self._insert(order_lines, line_rows, ids=True)
        self._insert(
            order_events,
            [
                {
                    "order_id": order_id,
                    "type": e.type.value,
                    "from_status": e.from_status.value if e.from_status else None,
                    "to_status": e.to_status.value if e.to_status else None,
                    "actor": actor,
                    "at": e.at,
                    "data": e.data,
                }
                for o, order_id in zip(found, ids, strict=True)
                for e in o.events
            ],
        )
        facts.record(
            self.conn,
            (
                (order_id, o.channel, o.placed_at, e.type.value, e.at)
                for o, order_id in zip(found, ids, strict=True)
                for e in o.events
            ),
        )
        self._shipments(found, ids, list(zip(line_rows, line_ids, strict=True)), location_id)
        facts.refresh_all(self.conn, ids)  # its money, units and parcels, as stored
        self._insert(
            history_orders,
            [
                {"order_id": i, "source": o.channel, "imported_at": now}
                for o, i in zip(found, ids, strict=True)
            ],
        )

    def _shipments(
        self,
        found: Sequence[HistoryOrder],
        ids: Sequence[int],
        lines: list[tuple[dict[str, Any], int]],
        location_id: int,
    ) -> None:
        shipped = [(o, i) for o, i in zip(found, ids, strict=True) if o.shipment is not None]
        if not shipped:
            return
        rows = []
        for o, order_id in shipped:
            s = o.shipment
            assert s is not None
            rows.append(
                {
                    "order_id": order_id,
                    "location_id": location_id,
                    "status": s.status.value,
                    "carrier": s.carrier,
                    "ship_date": s.ship_date,
                    "promised_delivery_date": s.promised_delivery_date,
                    "ship_by": s.ship_by,
                    "last_event_at": s.last_event_at,
                    "version": 1,
                    "created_at": o.placed_at,
                    "updated_at": o.updated_at,
                }
            )
        shipment_ids = self._insert(shipments, rows, ids=True)
        by_order = {order_id: sid for (_, order_id), sid in zip(shipped, shipment_ids, strict=True)}
        self._insert(
            shipment_lines,
            [
                {
                    "shipment_id": by_order[row["order_id"]],
                    "order_line_id": line_id,
                    "product_id": row["product_id"],
                    "sku": row["sku"],
                    "quantity": row["quantity"],
                    "picked_quantity": row["quantity"],
                }
                for row, line_id in lines
                if row["order_id"] in by_order
            ],
        )

    def _among(self, column: sa.Column[str], values: Iterable[str]) -> sa.ColumnElement[bool]:
        """column IN values; on PostgreSQL as `= ANY(array)`, one parameter instead of a
        thousand (psycopg parses every placeholder of a statement in Python)."""
        if self.postgres:
            return column == sa.any_(sa.literal(list(values), type_=ARRAY(sa.String)))
        return column.in_(list(values))

    def _insert(self, table: sa.Table, rows: list[dict[str, Any]], ids: bool = False) -> list[int]:
        """Rows in one go, and their new ids in order when asked. PostgreSQL: ids from the
        table's sequence and COPY (an INSERT per row, even pipelined, is ten times slower);
        SQLite: one multi-row INSERT ... RETURNING."""
        if not rows:
            return []
        if not self.postgres:
            if not ids:
                self.conn.execute(table.insert(), rows)
                return []
            stmt = table.insert().returning(table.c.id, sort_by_parameter_order=True)
            return list(self.conn.execute(stmt, rows).scalars().all())
        new: list[int] = []
        if ids:
            new = sorted(
                self.conn.execute(_IDS_PG, {"table": table.name, "n": len(rows)}).scalars()
            )
            rows = [{**row, "id": i} for row, i in zip(rows, new, strict=True)]
        columns = list(rows[0])
        json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
        raw = self.conn.connection.driver_connection
        assert raw is not None
        names = ", ".join(columns)
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [json.dumps(row[c]) if c in json_columns else row[c] for c in columns]
                )
        return new

    def _numbers(self, n: int) -> list[str]:
        """n order numbers from the one counter live orders take theirs from."""
        if self.postgres:
            values = sorted(self.conn.execute(_NUMBERS_PG, {"n": n}).scalars())
            return [order_number(v) for v in values]
        last = self.conn.execute(
            counters.update()
            .where(counters.c.name == "order_number")
            .values(value=counters.c.value + n)
            .returning(counters.c.value)
        ).scalar()
        if last is None:  # the first orders of this database
            self.conn.execute(counters.insert().values(name="order_number", value=n))
            last = n
        return [order_number(v) for v in range(last - n + 1, last + 1)]


def _order_row(o: HistoryOrder, number: str) -> dict[str, Any]:
    c = o.customer
    return {
        "number": number,
        "channel": o.channel,
        "external_id": o.external_id,
        "request_hash": hashlib.sha256(f"{o.channel}:{o.external_id}".encode()).hexdigest(),
        "status": o.status.value,
        "customer_email": c.email,
        "customer_name": c.name,
        "ship_name": c.name,
        "ship_line1": "(street not given)",
        "ship_line2": c.region or None,
        "ship_city": c.city,
        "ship_postal_code": c.postal_code,
        "ship_country": c.country,
        "currency": o.currency,
        "priority": 0,
        "subtotal_minor": o.subtotal_minor,
        "shipping_minor": o.shipping_minor,
        "tax_minor": 0,
        "total_minor": o.subtotal_minor + o.shipping_minor,
        "version": 1,
        "created_at": o.placed_at,
        "updated_at": o.updated_at,
        "tracking_token": secrets.token_urlsafe(32),
        "prices_include_tax": True,  # consumer prices; the tax in them is not given
        "paid_minor": o.paid_minor,
        "exchanges": [],
    }


def _line_row(  # noqa: PLR0913
    o: HistoryOrder, order_id: int, line_no: int, sku: str, product_id: int, qty: int, price: int
) -> dict[str, Any]:
    """A line's units where the order's status says they are: allocated while open (no
    reservation is made: history holds no stock), shipped, delivered or cancelled."""
    status = o.status
    return {
        "order_id": order_id,
        "line_no": line_no,
        "product_id": product_id,
        "sku": sku,
        "quantity": qty,
        "unit_price_minor": price,
        "allocated_quantity": qty if status in _OPEN else 0,
        "backordered_quantity": 0,
        "shipped_quantity": qty if status in _GONE else 0,
        "delivered_quantity": qty if status is OrderStatus.DELIVERED else 0,
        "cancelled_quantity": qty if status is OrderStatus.CANCELLED else 0,
    }
