"""Incoming stock and the stock reports' reads in SQL: demand, shipments and stock value
are summed in the database (one row per product or location comes back, not one per order
line); the cost price per product is chosen there too (the lowest, ties by supplier code)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa

from oms.adapters.db.base import Repository
from oms.adapters.db.planning import _CANCELLED
from oms.adapters.db.tables import (
    UTCDateTime,
    locations,
    order_lines,
    orders,
    products,
    shipment_lines,
    shipments,
    stock,
)
from oms.adapters.db.tables_planning import (
    purchase_order_lines,
    purchase_orders,
    supplier_products,
    suppliers,
)
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.planning.purchase_orders import OPEN
from oms.services.ports.stock_planning import (
    Demand,
    Holding,
    IncomingLine,
    LocationValue,
    UnitCost,
)

po, pol, sp = purchase_orders, purchase_order_lines, supplier_products


def _weekdays(text: str) -> frozenset[int]:
    return frozenset(int(c) for c in text if c.isdigit())


class SqlStockPlanning(Repository):
    def incoming(self, product_ids: Sequence[int] | None = None) -> list[IncomingLine]:
        query = (
            sa.select(
                locations.c.code,
                pol.c.product_id,
                pol.c.sku,
                po.c.id,
                pol.c.quantity - pol.c.received_quantity,
                po.c.expected_on,
            )
            .select_from(
                po.join(pol, pol.c.purchase_order_id == po.c.id).join(
                    locations, locations.c.id == po.c.location_id
                )
            )
            .where(
                po.c.status.in_([s.value for s in OPEN]),
                pol.c.quantity > pol.c.received_quantity,
            )
            .order_by(locations.c.code, po.c.expected_on, po.c.id, pol.c.id)
        )
        if product_ids is not None:
            query = query.where(pol.c.product_id.in_(list(product_ids)))
        return [
            IncomingLine(r[0], r[1], r[2], r[3], int(r[4]), r[5]) for r in self.conn.execute(query)
        ]

    def holdings(self) -> list[Holding]:
        rows = self.conn.execute(
            sa.select(
                locations.c.code,
                locations.c.working_days,
                locations.c.country,
                products.c.id,
                products.c.sku,
                products.c.name,
                stock.c.on_hand,
                stock.c.reserved,
            )
            .select_from(
                stock.join(products, products.c.id == stock.c.product_id).join(
                    locations, locations.c.id == stock.c.location_id
                )
            )
            .where((stock.c.on_hand > 0) | (stock.c.reserved > 0))
            .order_by(locations.c.code, products.c.sku)
        )
        return [
            Holding(r[0], _weekdays(r[1]), r[2], r[3], r[4], r[5], int(r[6]), int(r[7]))
            for r in rows
        ]

    def _mistake(self) -> sa.ColumnElement[bool]:
        """An order cancelled whole within a day of placing, nothing of the line shipped:
        counted zero (domain/planning/demand.counted_units)."""
        at, placed = _CANCELLED.c.at, orders.c.created_at
        if self.postgres:
            within = at - placed <= sa.text("interval '1 day'")
        else:
            within = sa.func.julianday(at) - sa.func.julianday(placed) <= 1
        return sa.and_(at.is_not(None), order_lines.c.shipped_quantity == 0, within)

    def demand(self, since: datetime, until: datetime) -> dict[int, Demand]:
        counted = sa.case((self._mistake(), 0), else_=order_lines.c.quantity)
        last = sa.case((self._mistake(), None), else_=orders.c.created_at)
        rows = self.conn.execute(
            sa.select(
                order_lines.c.product_id,
                sa.func.sum(counted),
                sa.type_coerce(sa.func.max(last), UTCDateTime),
            )
            .select_from(
                orders.join(order_lines, order_lines.c.order_id == orders.c.id).outerjoin(
                    _CANCELLED, _CANCELLED.c.order_id == orders.c.id
                )
            )
            .where(orders.c.created_at >= since, orders.c.created_at < until)
            .group_by(order_lines.c.product_id)
        )
        found: dict[int, Demand] = {}
        for r in rows:
            units = int(r[1] or 0)
            if units > 0:
                found[r[0]] = Demand(units, r[2])
        return found

    def shipped(self, first: date, last: date) -> dict[tuple[str, int], int]:
        rows = self.conn.execute(
            sa.select(
                locations.c.code,
                shipment_lines.c.product_id,
                sa.func.sum(shipment_lines.c.quantity),
            )
            .select_from(
                shipments.join(shipment_lines, shipment_lines.c.shipment_id == shipments.c.id).join(
                    locations, locations.c.id == shipments.c.location_id
                )
            )
            .where(
                shipments.c.ship_date >= first,
                shipments.c.ship_date <= last,
                shipments.c.status != ShipmentStatus.CANCELLED.value,
            )
            .group_by(locations.c.code, shipment_lines.c.product_id)
        )
        return {(r[0], r[1]): int(r[2] or 0) for r in rows}

    def _costs(self) -> sa.Subquery:
        rank = (
            sa.func.row_number()
            .over(partition_by=sp.c.product_id, order_by=(sp.c.cost_minor, suppliers.c.code))
            .label("rank")
        )
        ranked = (
            sa.select(
                sp.c.product_id, suppliers.c.code, suppliers.c.currency, sp.c.cost_minor, rank
            )
            .select_from(sp.join(suppliers, suppliers.c.id == sp.c.supplier_id))
            .subquery()
        )
        return sa.select(ranked).where(ranked.c.rank == 1).subquery("unit_costs")

    def unit_costs(self) -> dict[int, UnitCost]:
        costs = self._costs()
        rows = self.conn.execute(
            sa.select(costs.c.product_id, costs.c.code, costs.c.currency, costs.c.cost_minor)
        )
        return {r[0]: UnitCost(r[1], r[2], int(r[3])) for r in rows}

    def value_by_location(self) -> list[LocationValue]:
        costs = self._costs()
        rows = self.conn.execute(
            sa.select(
                locations.c.code,
                costs.c.currency,
                sa.func.count(),
                sa.func.sum(stock.c.on_hand),
                sa.func.sum(stock.c.on_hand * sa.func.coalesce(costs.c.cost_minor, 0)),
            )
            .select_from(
                stock.join(locations, locations.c.id == stock.c.location_id).outerjoin(
                    costs, costs.c.product_id == stock.c.product_id
                )
            )
            .where(stock.c.on_hand > 0)
            .group_by(locations.c.code, costs.c.currency)
            .order_by(locations.c.code, costs.c.currency)
        )
        return [LocationValue(r[0], r[1], int(r[2]), int(r[3] or 0), int(r[4] or 0)) for r in rows]
