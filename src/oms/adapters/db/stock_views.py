"""The stock pages' read queries in SQL: keyset-paged stock rows, a row's ledger newest first,
and backorders per product (through the partial index of the lines that wait)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.base import Repository
from oms.adapters.db.holds import live_held
from oms.adapters.db.tables import (
    locations,
    order_lines,
    orders,
    products,
    stock,
    stock_ledger,
)
from oms.domain.inventory.model import LedgerKind
from oms.domain.orders.status import WAITS_FOR_STOCK
from oms.services.stock_views import LedgerLine, StockLine, StockQuery, WaitingProduct

_OPEN = [s.value for s in WAITS_FOR_STOCK]
_NOW = sa.bindparam("now", type_=stock.c.updated_at.type)
_HELD = live_held(_NOW)
_COLUMNS = (
    stock.c.id,
    locations.c.code,
    locations.c.name,
    locations.c.id,
    products.c.sku,
    products.c.name,
    stock.c.on_hand,
    stock.c.reserved,
    locations.c.ships,
    stock.c.product_id,
    _HELD,
)
_ROWS = stock.join(locations, locations.c.id == stock.c.location_id).join(
    products, products.c.id == stock.c.product_id
)


def _waiting_lines() -> sa.Select[Any]:
    """Lines of open orders that wait for stock (ix_order_lines_backordered holds only those)."""
    return (
        sa.select(order_lines.c.product_id)
        .join(orders, orders.c.id == order_lines.c.order_id)
        .where(order_lines.c.backordered_quantity > 0, orders.c.status.in_(_OPEN))
    )


def _beyond(column: Any, value: Any, descending: bool) -> Any:
    return column < value if descending else column > value


def _filtered(query: StockQuery) -> sa.Select[Any]:
    select = sa.select(*_COLUMNS).select_from(_ROWS)
    if query.location:
        select = select.where(locations.c.code == query.location)
    if query.q and query.q.strip():
        q = query.q.strip()
        # The products first (one pass over them), then their rows by ix_stock_product_id.
        matching = sa.select(products.c.id).where(
            sa.or_(
                products.c.sku.startswith(q, autoescape=True),
                products.c.sku.startswith(q.upper(), autoescape=True),
                sa.func.lower(products.c.name).contains(q.lower(), autoescape=True),
            )
        )
        select = select.where(stock.c.product_id.in_(matching))
    if query.none_available:
        select = select.where(stock.c.on_hand - stock.c.reserved - _HELD <= 0)
    if query.waiting:
        select = select.where(stock.c.product_id.in_(_waiting_lines()))
    return select


def _by_sku(query: StockQuery, descending: bool) -> sa.Select[Any]:
    """Rows in SKU order, then location: walks the products' SKU index."""
    select = _filtered(query)
    if query.after is not None:
        sku, code = query.after
        select = select.where(
            sa.or_(
                _beyond(products.c.sku, sku, descending),
                sa.and_(products.c.sku == sku, _beyond(locations.c.code, code, descending)),
            )
        )
    keys = (products.c.sku, locations.c.code)
    return select.order_by(*(k.desc() if descending else k for k in keys)).limit(query.limit)


class SqlStockViews(Repository):
    def stock_lines(self, query: StockQuery) -> list[StockLine]:
        descending = query.sort.value.startswith("-")
        if query.sort.value.lstrip("-") == "location":
            rows = self._by_location(query, descending)
        else:
            rows = list(self.conn.execute(_by_sku(query, descending), self._now()))
        waiting = self._waiting({r[9] for r in rows})
        return [_line(r, waiting.get(r[9], 0)) for r in rows]

    def _by_location(self, query: StockQuery, descending: bool) -> list[Any]:
        """Rows in location order, then SKU: one location at a time (there are few), each
        walked in SKU order until the page is full, so no query sorts the whole table."""
        order = locations.c.code.desc() if descending else locations.c.code
        select = sa.select(locations.c.id, locations.c.code).order_by(order)
        if query.location:
            select = select.where(locations.c.code == query.location)
        if query.after is not None:
            code = query.after[0]
            select = select.where(
                sa.or_(_beyond(locations.c.code, code, descending), locations.c.code == code)
            )
        rows: list[Any] = []
        now = self._now()
        for location_id, code in self.conn.execute(select).all():
            part = _filtered(query).where(stock.c.location_id == location_id)
            if query.after is not None and code == query.after[0]:
                part = part.where(_beyond(products.c.sku, query.after[1], descending))
            sku = products.c.sku.desc() if descending else products.c.sku
            rows.extend(self.conn.execute(part.order_by(sku).limit(query.limit - len(rows)), now))
            if len(rows) >= query.limit:
                break
        return rows

    def _now(self) -> dict[str, Any]:
        return {"now": self._uow.now()}

    def _waiting(self, product_ids: set[int]) -> dict[int, int]:
        if not product_ids:
            return {}
        c = order_lines.c
        rows = self.conn.execute(
            sa.select(c.product_id, sa.func.sum(c.backordered_quantity))
            .join(orders, orders.c.id == c.order_id)
            .where(
                c.backordered_quantity > 0,
                c.product_id.in_(sorted(product_ids)),
                orders.c.status.in_(_OPEN),
            )
            .group_by(c.product_id)
        )
        return {r[0]: int(r[1]) for r in rows}

    def stock_locations(self) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            sa.select(locations.c.code, locations.c.name).order_by(locations.c.code)
        )
        return [(r[0], r[1]) for r in rows]

    def stock_line(self, location: str, sku: str) -> StockLine | None:
        found = self.conn.execute(
            sa.select(locations.c.id, locations.c.code, locations.c.name, locations.c.ships,
                      products.c.id, products.c.sku, products.c.name)
            .select_from(locations.join(products, sa.true()))  # one row of each, by unique keys
            .where(locations.c.code == location, products.c.sku == sku)
        ).first()  # fmt: skip
        if found is None:
            return None
        location_id, code, location_name, ships, product_id, sku, product_name = found
        levels = self.conn.execute(
            sa.select(stock.c.id, stock.c.on_hand, stock.c.reserved, _HELD).where(
                stock.c.location_id == location_id, stock.c.product_id == product_id
            ),
            self._now(),
        ).first()
        stock_id, on_hand, reserved, held = levels if levels else (None, 0, 0, 0)
        return StockLine(
            stock_id, code, location_name, location_id, sku, product_name, on_hand, reserved,
            self._waiting({product_id}).get(product_id, 0), ships, int(held),
        )  # fmt: skip

    def ledger_lines(self, stock_id: int, before_id: int | None, limit: int) -> list[LedgerLine]:
        c = stock_ledger.c
        select = (
            sa.select(c.id, c.kind, c.on_hand_delta, c.reserved_delta, c.actor, c.at, c.reason,
                      c.order_id, orders.c.number)
            .select_from(stock_ledger.outerjoin(orders, orders.c.id == c.order_id))
            .where(c.stock_id == stock_id)
            .order_by(c.id.desc())
            .limit(limit)
        )  # fmt: skip
        if before_id is not None:
            select = select.where(c.id < before_id)
        return [
            LedgerLine(r[0], LedgerKind(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8])
            for r in self.conn.execute(select)
        ]

    def waiting_products(self, after: tuple[str, int] | None, limit: int) -> list[WaitingProduct]:
        c = order_lines.c
        oldest = sa.func.min(orders.c.created_at)
        select = (
            sa.select(c.product_id, sa.func.sum(c.backordered_quantity),
                      sa.func.count(sa.distinct(c.order_id)), oldest)
            .join(orders, orders.c.id == c.order_id)
            .where(c.backordered_quantity > 0, orders.c.status.in_(_OPEN))
            .group_by(c.product_id)
            .order_by(oldest, c.product_id)
            .limit(limit)
        )  # fmt: skip
        if after is not None:
            since, product_id = datetime.fromisoformat(after[0]), after[1]
            select = select.having(
                sa.or_(oldest > since, sa.and_(oldest == since, c.product_id > product_id))
            )
        found = self.conn.execute(select).all()
        ids = [r[0] for r in found]
        names = self._products(ids)
        available = self._available(ids)
        return [
            WaitingProduct(r[0], *names[r[0]], int(r[1]), int(r[2]), r[3],
                           available.get(r[0], 0))
            for r in found
        ]  # fmt: skip

    def _products(self, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        if not ids:
            return {}
        rows = self.conn.execute(
            sa.select(products.c.id, products.c.sku, products.c.name).where(products.c.id.in_(ids))
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def _available(self, ids: Sequence[int]) -> dict[int, int]:
        """Free units at shipping locations (where backorders are served from)."""
        if not ids:
            return {}
        rows = self.conn.execute(
            sa.select(stock.c.product_id, sa.func.sum(stock.c.on_hand - stock.c.reserved - _HELD))
            .join(locations, locations.c.id == stock.c.location_id)
            .where(stock.c.product_id.in_(ids), locations.c.ships.is_(True))
            .group_by(stock.c.product_id),
            self._now(),
        )
        return {r[0]: int(r[1]) for r in rows}


def _line(r: Any, waiting: int) -> StockLine:
    return StockLine(
        stock_id=r[0], location=r[1], location_name=r[2], location_id=r[3], sku=r[4],
        product_name=r[5], on_hand=r[6], reserved=r[7], waiting=waiting, ships=r[8],
        held=int(r[10]),
    )  # fmt: skip
