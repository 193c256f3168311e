"""The reads of the service, returns, cash and loyalty reports: per order its facts (lines'
units, first delivery, promises, parcels, damage, returns' reasons, money), the lines of
its returns, the refunds and labels they cost, and the stock on hand by location."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.business_sql import PgBusiness
from oms.adapters.db.tables import (
    locations,
    order_facts,
    order_lines,
    order_problems,
    orders,
    products,
    refunds,
    return_lines,
    returns,
    shipment_lines,
    shipments,
    stock,
)
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.insight.money_loyalty import StockPosition
from oms.domain.insight.quality import OrderFacts, ReturnCosts, ReturnedLine
from oms.domain.orders.problems import ProblemReason
from oms.domain.orders.status import OrderStatus
from oms.domain.payments.model import RefundStatus
from oms.domain.returns.reasons import ReturnReason
from oms.domain.returns.status import ReturnStatus
from oms.services.ports.insight import TimesQuery

_NOT_REJECTED = returns.c.status != ReturnStatus.REJECTED.value


def _window(stmt: sa.Select[Any], q: TimesQuery) -> sa.Select[Any]:
    if q.since is not None:
        stmt = stmt.where(orders.c.created_at >= q.since)
    if q.until is not None:
        stmt = stmt.where(orders.c.created_at < q.until)
    if q.channel:
        stmt = stmt.where(orders.c.channel == q.channel)
    return stmt


class SqlBusinessFacts(PgBusiness):
    def order_facts(self, q: TimesQuery) -> list[OrderFacts]:
        ids = _window(sa.select(orders.c.id), q).subquery("chosen")
        lines = (
            sa.select(
                order_lines.c.order_id,
                sa.func.sum(order_lines.c.quantity).label("units"),
                sa.func.sum(order_lines.c.delivered_quantity).label("delivered"),
                sa.func.sum(order_lines.c.cancelled_quantity).label("cancelled"),
                sa.func.sum(
                    order_lines.c.cancelled_quantity * order_lines.c.unit_price_minor
                ).label("cancelled_minor"),
            )
            .where(order_lines.c.order_id.in_(sa.select(ids.c.id)))
            .group_by(order_lines.c.order_id)
            .subquery("lines")
        )
        parcels = (
            sa.select(
                shipments.c.order_id,
                sa.func.max(shipments.c.promised_delivery_date).label("promised"),
                sa.func.count().label("parcels"),
                sa.func.min(shipments.c.location_id).label("location_id"),
            )
            .where(
                shipments.c.status != ShipmentStatus.CANCELLED.value,
                shipments.c.order_id.in_(sa.select(ids.c.id)),
            )
            .group_by(shipments.c.order_id)
            .subquery("parcels")
        )
        stmt = _window(
            sa.select(
                orders.c.id,
                orders.c.channel,
                orders.c.customer_email,
                orders.c.created_at,
                orders.c.status,
                orders.c.currency,
                orders.c.total_minor,
                orders.c.paid_minor,
                orders.c.refunded_minor,
                lines.c.units,
                lines.c.delivered,
                lines.c.cancelled,
                lines.c.cancelled_minor,
                order_facts.c.delivered_at,
                parcels.c.promised,
                parcels.c.parcels,
                locations.c.time_zone,
            ).select_from(
                orders.outerjoin(lines, lines.c.order_id == orders.c.id)
                .outerjoin(order_facts, order_facts.c.order_id == orders.c.id)
                .outerjoin(parcels, parcels.c.order_id == orders.c.id)
                .outerjoin(locations, locations.c.id == parcels.c.location_id)
            ),
            q,
        )
        damaged = {
            r[0]
            for r in self.conn.execute(
                sa.select(order_problems.c.order_id).where(
                    order_problems.c.reason == ProblemReason.DAMAGED.value,
                    order_problems.c.order_id.in_(sa.select(ids.c.id)),
                )
            )
        }
        reasons: dict[int, set[ReturnReason]] = defaultdict(set)
        for order_id, reason in self.conn.execute(
            sa.select(returns.c.order_id, return_lines.c.reason)
            .select_from(returns.join(return_lines, return_lines.c.return_id == returns.c.id))
            .where(_NOT_REJECTED, returns.c.order_id.in_(sa.select(ids.c.id)))
        ):
            reasons[order_id].add(ReturnReason(reason))
        out = []
        for r in self.conn.execute(stmt):
            cancelled = r.status == OrderStatus.CANCELLED.value
            out.append(
                OrderFacts(
                    order_id=r.id,
                    channel=r.channel,
                    customer=r.customer_email,
                    placed=r.created_at,
                    cancelled=cancelled,
                    currency=r.currency,
                    booked_minor=0 if cancelled else r.total_minor - int(r.cancelled_minor or 0),
                    paid_minor=r.paid_minor,
                    refunded_minor=r.refunded_minor,
                    delivered=r.delivered_at,
                    promised=r.promised,
                    time_zone=r.time_zone or "UTC",
                    units=int(r.units or 0),
                    delivered_units=int(r.delivered or 0),
                    cancelled_units=int(r.cancelled or 0),
                    parcels=int(r.parcels or 0),
                    damage_reported=r.id in damaged,
                    returned=r.id in reasons,
                    return_reasons=frozenset(reasons.get(r.id, ())),
                )
            )
        return out

    def delivered_units(self, q: TimesQuery) -> dict[str, int]:
        stmt = sa.select(order_lines.c.sku, sa.func.sum(order_lines.c.delivered_quantity))
        if q.since or q.until or q.channel:  # every order's lines: no join to make
            stmt = _window(
                stmt.select_from(orders.join(order_lines, order_lines.c.order_id == orders.c.id)),
                q,
            )
        stmt = stmt.group_by(order_lines.c.sku)
        return {sku: int(n or 0) for sku, n in self.conn.execute(stmt) if n}

    def returned_lines(self, q: TimesQuery) -> list[ReturnedLine]:
        price = (
            sa.select(order_lines.c.unit_price_minor)
            .where(
                order_lines.c.order_id == returns.c.order_id,
                order_lines.c.sku == return_lines.c.sku,
            )
            .limit(1)
            .scalar_subquery()
        )
        currency = (
            sa.select(orders.c.currency)
            .where(orders.c.id == returns.c.order_id)
            .correlate(returns)  # not the orders a window joins
            .scalar_subquery()
        )
        stmt = (
            sa.select(
                returns.c.order_id,
                return_lines.c.sku,
                return_lines.c.reason,
                return_lines.c.quantity,
                return_lines.c.damaged_quantity,
                price.label("price"),
                currency.label("currency"),  # one look-up per return, not a join of orders
            )
            .select_from(returns.join(return_lines, return_lines.c.return_id == returns.c.id))
            .where(_NOT_REJECTED)
        )
        if q.since or q.until or q.channel:
            stmt = _window(stmt.join(orders, orders.c.id == returns.c.order_id), q)
        return [
            ReturnedLine(
                r.order_id,
                r.sku,
                ReturnReason(r.reason),
                r.quantity,
                r.damaged_quantity,
                int(r.price or 0),
                r.currency,
            )
            for r in self.conn.execute(stmt)
        ]

    def return_costs(self, q: TimesQuery) -> ReturnCosts:
        paid = _window(
            sa.select(refunds.c.currency, sa.func.sum(refunds.c.amount_minor))
            .select_from(refunds.join(orders, orders.c.id == refunds.c.order_id))
            .where(
                refunds.c.return_id.is_not(None),
                refunds.c.status == RefundStatus.SUCCEEDED.value,
            )
            .group_by(refunds.c.currency),
            q,
        )
        labels = _window(
            sa.select(returns.c.label_cost_currency, sa.func.sum(returns.c.label_cost_minor))
            .select_from(returns.join(orders, orders.c.id == returns.c.order_id))
            .where(returns.c.label_cost_minor.is_not(None))
            .group_by(returns.c.label_cost_currency),
            q,
        )
        return ReturnCosts(
            refunds={c: int(n) for c, n in self.conn.execute(paid) if n},
            labels={c: int(n) for c, n in self.conn.execute(labels) if n and c},
        )

    def stock_positions(self, today: date, days: int) -> list[StockPosition]:
        held = (
            sa.select(
                locations.c.code,
                products.c.currency,
                sa.func.sum(stock.c.on_hand).label("units"),
                sa.func.sum(stock.c.on_hand * products.c.price_minor).label("value"),
            )
            .select_from(
                stock.join(products, products.c.id == stock.c.product_id).join(
                    locations, locations.c.id == stock.c.location_id
                )
            )
            .group_by(locations.c.code, products.c.currency)
        )
        since = today - timedelta(days=days)
        gone = (
            sa.select(
                locations.c.code,
                products.c.currency,
                sa.func.sum(shipment_lines.c.quantity).label("units"),
            )
            .select_from(
                shipments.join(shipment_lines, shipment_lines.c.shipment_id == shipments.c.id)
                .join(locations, locations.c.id == shipments.c.location_id)
                .join(products, products.c.id == shipment_lines.c.product_id)
            )
            .where(
                shipments.c.ship_date >= since,
                shipments.c.ship_date < today,
                shipments.c.status != ShipmentStatus.CANCELLED.value,
            )
            .group_by(locations.c.code, products.c.currency)
        )
        shipped = {(r.code, r.currency): int(r.units or 0) for r in self.conn.execute(gone)}
        return [
            StockPosition(
                r.code,
                r.currency,
                int(r.units or 0),
                int(r.value or 0),
                shipped.get((r.code, r.currency), 0),
                days,
            )
            for r in self.conn.execute(held)
        ]
