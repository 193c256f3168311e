"""The reports' reads in SQL: each order's first event of each kind, its promises and the
location it shipped from, in one grouped query; the open orders with their parcels' dates."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from oms.adapters.db.base import Repository
from oms.adapters.db.flow_sql import PgFlow
from oms.adapters.db.stage_sql import PgStageReports
from oms.adapters.db.tables import (
    history_orders,
    locations,
    order_facts,
    order_lines,
    orders,
    shipments,
)
from oms.domain.fulfilment.model import ON_THE_WAY
from oms.domain.fulfilment.shipment import IN_WAREHOUSE
from oms.domain.insight.aging import OpenOrder
from oms.domain.insight.stages import ALL_DAYS, OrderTimes
from oms.domain.orders.status import IN_PROGRESS, OrderStatus
from oms.services.ports.insight import TimesQuery

f = order_facts


class SqlTimelines(PgStageReports, PgFlow):
    def order_times(self, query: TimesQuery) -> list[OrderTimes]:
        """From order_facts (the first event of each kind, kept as events are written;
        promises, location and carrier, kept as shipments are)."""
        stmt = (
            sa.select(
                f,
                locations.c.code,
                locations.c.time_zone,
                locations.c.working_days,
            )
            .select_from(f.outerjoin(locations, locations.c.id == f.c.location_id))
            .where(f.c.placed_at.is_not(None))
        )
        if query.delivered_only:
            stmt = stmt.where(f.c.delivered_at.is_not(None))
        if query.since is not None:
            stmt = stmt.where(f.c.created_at >= query.since)
        if query.until is not None:
            stmt = stmt.where(f.c.created_at < query.until)
        if query.channel:
            stmt = stmt.where(f.c.channel == query.channel)
        if query.location:
            stmt = stmt.where(locations.c.code == query.location)
        return [
            OrderTimes(
                order_id=r.order_id,
                channel=r.channel,
                placed=r.placed_at,
                confirmed=r.confirmed_at,
                shipped=r.shipped_at,
                delivered=r.delivered_at,
                cancelled=r.cancelled_at,
                picked=r.picked_at,
                packed=r.packed_at,
                return_requested=r.return_requested_at,
                return_received=r.return_received_at,
                return_refunded=r.return_refunded_at,
                promised=r.promised,
                ship_by=r.ship_by,
                location=r.code,
                carrier=r.carrier,
                time_zone=r.time_zone or "UTC",
                working_days=r.working_days or ALL_DAYS,
            )
            for r in self.conn.execute(stmt)
        ]


_WAREHOUSE = [s.value for s in IN_WAREHOUSE]
_ON_THE_WAY = [s.value for s in ON_THE_WAY]
_OPEN = [s.value for s in IN_PROGRESS]


def open_orders_statement(channel: str | None, include_history: bool) -> sa.Select[Any]:
    backordered = (
        sa.select(
            order_lines.c.order_id,
            sa.func.sum(order_lines.c.backordered_quantity).label("units"),
        )
        .group_by(order_lines.c.order_id)
        .subquery("backordered")
    )
    st = shipments.c.status
    parcels = (
        sa.select(
            shipments.c.order_id,
            sa.func.min(sa.case((st.in_(_WAREHOUSE), shipments.c.ship_by))).label("ship_by"),
            sa.func.min(sa.case((st.in_(_ON_THE_WAY), shipments.c.promised_delivery_date))).label(
                "promised"
            ),
            sa.func.min(shipments.c.location_id).label("location_id"),
        )
        .group_by(shipments.c.order_id)
        .subquery("parcels")
    )
    stmt = (
        sa.select(
            orders.c.id,
            orders.c.number,
            orders.c.channel,
            orders.c.status,
            orders.c.created_at,
            backordered.c.units,
            parcels.c.ship_by,
            parcels.c.promised,
            locations.c.code,
            locations.c.time_zone,
        )
        .select_from(
            orders.outerjoin(backordered, backordered.c.order_id == orders.c.id)
            .outerjoin(parcels, parcels.c.order_id == orders.c.id)
            .outerjoin(locations, locations.c.id == parcels.c.location_id)
        )
        .where(orders.c.status.in_(_OPEN))
    )
    if channel:
        stmt = stmt.where(orders.c.channel == channel)
    if not include_history:
        stmt = stmt.where(~sa.exists().where(history_orders.c.order_id == orders.c.id))
    return stmt


class SqlOpenOrders(Repository):
    def open_orders(self, channel: str | None, include_history: bool) -> list[OpenOrder]:
        return [
            OpenOrder(
                order_id=r.id,
                number=r.number,
                channel=r.channel,
                status=OrderStatus(r.status),
                placed=r.created_at,
                backordered_units=int(r.units or 0),
                ship_by=r.ship_by,
                promised=r.promised,
                location=r.code,
                time_zone=r.time_zone or "UTC",
            )
            for r in self.conn.execute(open_orders_statement(channel, include_history))
        ]
