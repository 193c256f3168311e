"""The reports' reads in SQL: each delivered order's first event of each kind, its promises
and the location it shipped from, in one grouped query."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from oms.adapters.db.base import Repository
from oms.adapters.db.tables import UTCDateTime, locations, order_events, orders, shipments
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.insight.stages import ALL_DAYS, OrderTimes
from oms.domain.orders.events import OrderEventType as E
from oms.services.ports.insight import TimesQuery

_KINDS = {
    "placed": E.PLACED,
    "confirmed": E.CONFIRMED,
    "shipped": E.SHIPPED,
    "delivered": E.DELIVERED,
    "cancelled": E.CANCELLED,
}
ev = order_events


def _first(kind: E) -> sa.ColumnElement[Any]:
    return sa.type_coerce(sa.func.min(sa.case((ev.c.type == kind.value, ev.c.at))), UTCDateTime)


# Per order: its promises (the latest of its shipments), and the first location and carrier.
_SHIPPED = (
    sa.select(
        shipments.c.order_id,
        sa.func.max(shipments.c.promised_delivery_date).label("promised"),
        sa.func.max(shipments.c.ship_by).label("ship_by"),
        sa.func.min(shipments.c.location_id).label("location_id"),
        sa.func.min(shipments.c.carrier).label("carrier"),
    )
    .where(shipments.c.status != ShipmentStatus.CANCELLED.value)
    .group_by(shipments.c.order_id)
    .subquery("shipped")
)


class SqlTimelines(Repository):
    def order_times(self, query: TimesQuery) -> list[OrderTimes]:
        firsts = [_first(kind).label(name) for name, kind in _KINDS.items()]
        s = _SHIPPED
        keys = (
            orders.c.id,
            orders.c.channel,
            s.c.promised,
            s.c.ship_by,
            s.c.carrier,
            locations.c.code,
            locations.c.time_zone,
            locations.c.working_days,
        )
        stmt = (
            sa.select(*keys, *firsts)
            .select_from(
                orders.join(ev, ev.c.order_id == orders.c.id)
                .outerjoin(s, s.c.order_id == orders.c.id)
                .outerjoin(locations, locations.c.id == s.c.location_id)
            )
            .where(ev.c.type.in_([k.value for k in _KINDS.values()]))
            .group_by(*keys)
        )
        if query.delivered_only:
            delivered = sa.func.min(sa.case((ev.c.type == E.DELIVERED.value, ev.c.at)))
            stmt = stmt.having(delivered.is_not(None))
        if query.since is not None:
            stmt = stmt.where(orders.c.created_at >= query.since)
        if query.until is not None:
            stmt = stmt.where(orders.c.created_at < query.until)
        if query.channel:
            stmt = stmt.where(orders.c.channel == query.channel)
        if query.location:
            stmt = stmt.where(locations.c.code == query.location)
        return [
            OrderTimes(
                order_id=r.id,
                channel=r.channel,
                placed=r.placed,
                confirmed=r.confirmed,
                shipped=r.shipped,
                delivered=r.delivered,
                cancelled=r.cancelled,
                promised=r.promised,
                ship_by=r.ship_by,
                location=r.code,
                carrier=r.carrier,
                time_zone=r.time_zone or "UTC",
                working_days=r.working_days or ALL_DAYS,
            )
            for r in self.conn.execute(stmt)
            if r.placed is not None
        ]
