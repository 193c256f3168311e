"""The back office's read queries in SQL: the orders list (keyset-paged) and the work counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.base import from_minor
from oms.adapters.db.customer_service import SqlCustomerServiceViews
from oms.adapters.db.late import is_late
from oms.adapters.db.order_search import matching, searched, texts_on
from oms.adapters.db.stock_views import SqlStockViews
from oms.adapters.db.tables import (
    locations,
    order_lines,
    orders,
    pick_lists,
    products,
    returns,
    shipments,
)
from oms.domain.fulfilment.model import PickListStatus
from oms.domain.fulfilment.shipment import NOT_DONE, ShipmentStatus
from oms.domain.money import Money
from oms.domain.orders.status import IN_PROGRESS, WAITS_FOR_STOCK, OrderStatus
from oms.domain.returns.status import TO_APPROVE, TO_INSPECT
from oms.services.views import OrderQuery, OrderRow, StatusCount, WorkCounts

_OPEN = [s.value for s in WAITS_FOR_STOCK]
_ORDERS_IN_PROGRESS = sorted(s.value for s in IN_PROGRESS)
_NOT_DONE = sorted(s.value for s in NOT_DONE)
_RETURNS_WAITING = sorted(s.value for s in TO_APPROVE | TO_INSPECT)
_SORT_COLUMNS = {
    "placed": orders.c.id,
    "customer": orders.c.customer_name,
    "total": orders.c.total_minor,
}


def _late_ids(today: date) -> sa.Select[Any]:
    """Orders with a shipment late to deliver or to ship (Shipment.is_late)."""
    return sa.select(shipments.c.order_id).where(is_late(today))


def _waiting_for(sku: str) -> sa.Select[Any]:
    """Orders with a line waiting for stock of this SKU (ix_order_lines_backordered)."""
    product = sa.select(products.c.id).where(products.c.sku == sku).scalar_subquery()
    return sa.select(order_lines.c.order_id).where(
        order_lines.c.product_id == product, order_lines.c.backordered_quantity > 0
    )


def _filtered(
    query: OrderQuery, today: date, postgres: bool, texts: bool
) -> tuple[sa.Select[Any], Any]:
    """The orders the filters keep, and the column that is the order id in it (the search
    table's on SQLite when newest first reads it: order_search.searched)."""
    select, newest = orders.select(), orders.c.id
    if query.q and query.q.strip():
        if query.sort.value.lstrip("-") == "placed":
            select, newest = searched(select, query.q, postgres, texts)
        else:
            select = select.where(matching(query.q, postgres, texts))
    if query.status:
        select = select.where(orders.c.status == query.status.value)
    if query.channel:
        select = select.where(orders.c.channel == query.channel)
    if query.placed_from:
        select = select.where(orders.c.created_at >= query.placed_from)
    if query.placed_to:
        select = select.where(orders.c.created_at < query.placed_to)
    if query.late:
        select = select.where(orders.c.id.in_(_late_ids(today)))
    if query.waiting_for:
        select = select.where(
            orders.c.status.in_(_OPEN), orders.c.id.in_(_waiting_for(query.waiting_for))
        )
    return select, newest


def _beyond(column: Any, value: Any, descending: bool) -> sa.ColumnElement[bool]:
    """Past the cursor in the sort's direction."""
    return column < value if descending else column > value  # type: ignore[no-any-return]


def _sorted(filtered: tuple[sa.Select[Any], Any], query: OrderQuery) -> sa.Select[Any]:
    """Order by the sort column then id, both the same way; start after the cursor."""
    select, newest = filtered
    descending = query.sort.value.startswith("-")
    column = _SORT_COLUMNS[query.sort.value.lstrip("-")]
    placed = column is orders.c.id
    column = newest if placed else column
    keys = [column] if placed else [column, orders.c.id]
    if query.after is not None:
        value, last_id = query.after
        if placed:
            select = select.where(_beyond(column, last_id, descending))
        else:
            select = select.where(
                sa.or_(
                    _beyond(column, value, descending),
                    sa.and_(column == value, _beyond(orders.c.id, last_id, descending)),
                )
            )
    order_by = [k.desc() if descending else k.asc() for k in keys]
    return select.order_by(*order_by).limit(query.limit)


class SqlViews(SqlStockViews, SqlCustomerServiceViews):
    def orders(self, query: OrderQuery, today: date) -> list[OrderRow]:
        headers = [
            r._mapping
            for r in self.conn.execute(
                _sorted(_filtered(query, today, self.postgres, texts_on(self.conn)), query)
            )
        ]
        ids = [m["id"] for m in headers]
        units = self._units(ids)
        late = self._late(ids, today)
        return [_row(m, units.get(m["id"], (0, 0, 0)), m["id"] in late) for m in headers]

    def _units(self, ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
        if not ids:
            return {}
        c = order_lines.c
        rows = self.conn.execute(
            sa.select(
                c.order_id,
                sa.func.sum(c.quantity),
                sa.func.sum(c.backordered_quantity),
                sa.func.sum(c.shipped_quantity),
            )
            .where(c.order_id.in_(ids))
            .group_by(c.order_id)
        )
        return {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in rows}

    def _late(self, ids: Sequence[int], today: date) -> set[int]:
        if not ids:
            return set()
        return set(
            self.conn.execute(_late_ids(today).where(shipments.c.order_id.in_(ids))).scalars()
        )

    def work_counts(self, today: date) -> WorkCounts:
        return WorkCounts(
            orders=self._by_status(orders.c.status, orders.c.created_at, _ORDERS_IN_PROGRESS),
            shipments=self._by_status(shipments.c.status, shipments.c.updated_at, _NOT_DONE),
            to_pick=self._count(
                sa.select(sa.func.count()).where(
                    shipments.c.status == ShipmentStatus.OPEN.value,
                    shipments.c.pick_list_id.is_(None),
                )
            ),
            open_pick_lists=self._count(
                sa.select(sa.func.count()).where(pick_lists.c.status == PickListStatus.OPEN.value)
            ),
            late_orders=self._count(
                sa.select(sa.func.count(sa.distinct(shipments.c.order_id))).where(is_late(today))
            ),
            waiting_for_stock=self._count(
                sa.select(sa.func.count(sa.distinct(order_lines.c.order_id)))
                .join(orders, orders.c.id == order_lines.c.order_id)
                .where(order_lines.c.backordered_quantity > 0, orders.c.status.in_(_OPEN))
            ),
            returns=self._by_status(returns.c.status, returns.c.updated_at, _RETURNS_WAITING),
        )

    def _by_status(self, status: Any, since: Any, among: list[str]) -> dict[str, StatusCount]:
        """Count and oldest per status, of the statuses still being worked on only: an
        index range on status each, however long the history."""
        rows = self.conn.execute(
            sa.select(status, sa.func.count(), sa.func.min(since))
            .where(status.in_(among))
            .group_by(status)
        )
        return {r[0]: StatusCount(r[0], r[1], r[2]) for r in rows}

    def _count(self, select: sa.Select[Any]) -> int:
        return int(self.conn.execute(select).scalar_one())

    def time_zones(self) -> dict[int, str]:
        rows = self.conn.execute(
            sa.select(locations.c.id, locations.c.time_zone).order_by(
                locations.c.ships.desc(), locations.c.priority.desc(), locations.c.id
            )
        )
        return {r[0]: r[1] for r in rows}


def _row(m: Any, units: tuple[int, int, int], late: bool) -> OrderRow:
    currency = m["currency"]
    return OrderRow(
        id=m["id"],
        number=m["number"],
        status=OrderStatus(m["status"]),
        channel=m["channel"],
        customer_name=m["customer_name"],
        customer_email=m["customer_email"],
        total=Money(from_minor(m["total_minor"], currency), currency),
        total_minor=m["total_minor"],
        created_at=m["created_at"],
        units=units[0],
        backordered=units[1],
        shipped=units[2],
        late=late,
    )
