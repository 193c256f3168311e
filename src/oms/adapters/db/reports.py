"""The reports' reads in SQL: each order's first event of each kind, its promises and the
location it shipped from, in one grouped query; the open orders with their parcels' dates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from oms.adapters.db.base import Repository
from oms.adapters.db.flow_sql import PgFlow
from oms.adapters.db.schema import UTCDateTime
from oms.adapters.db.stage_sql import PgStageReports
from oms.adapters.db.tables import (
    history_orders,
    locations,
    order_facts,
    order_lines,
    orders,
    shipments,
)
from oms.adapters.db.tables_facts import FIRSTS
from oms.domain.fulfilment.model import ON_THE_WAY
from oms.domain.fulfilment.shipment import IN_WAREHOUSE
from oms.domain.insight.aging import BUCKETS, Aging, OpenOrder, aging_counted
from oms.domain.insight.stages import ALL_DAYS, OrderTimes
from oms.domain.orders.status import IN_PROGRESS, OrderStatus
from oms.services.ports.insight import TimesQuery

f = order_facts


# What order_times reads of order_facts (not the hours, money and flags the SQL reads).
_READ = ("order_id", "channel", *FIRSTS, "promised", "ship_by", "carrier")


class SqlTimelines(PgStageReports, PgFlow):
    def order_times(self, query: TimesQuery) -> list[OrderTimes]:
        """From order_facts (the first event of each kind, kept as events are written;
        promises, location and carrier, kept as shipments are)."""
        stmt = (
            sa.select(
                *(f.c[c] for c in _READ),
                locations.c.code,
                locations.c.time_zone,
                locations.c.working_days,
                locations.c.country,
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
                country=r.country,
            )
            for r in self.conn.execute(stmt)
        ]


_WAREHOUSE = [s.value for s in IN_WAREHOUSE]
_ON_THE_WAY = [s.value for s in ON_THE_WAY]
_OPEN = [s.value for s in IN_PROGRESS]


def open_orders_statement(
    channel: str | None, include_history: bool, oldest: int | None = None
) -> sa.Select[Any]:
    """The open orders (found by the index on status), each with its backordered units
    and its parcels' dates: lines and shipments grouped for the open orders only."""
    o = orders.c
    found = sa.select(o.id, o.number, o.channel, o.status, o.created_at).where(o.status.in_(_OPEN))
    if channel:
        found = found.where(o.channel == channel)
    if not include_history:
        found = found.where(~sa.exists().where(history_orders.c.order_id == o.id))
    if oldest is not None:  # only the oldest: their lines and parcels only
        found = found.order_by(o.created_at, o.id).limit(oldest)
    open_ = found.cte("open_orders")  # read once (PostgreSQL keeps a CTE used twice)
    chosen = sa.select(open_.c.id)
    backordered = (
        sa.select(
            order_lines.c.order_id,
            sa.func.sum(order_lines.c.backordered_quantity).label("units"),
        )
        # only lines waiting for stock (the partial index ix_order_lines_backordered)
        .where(order_lines.c.backordered_quantity > 0, order_lines.c.order_id.in_(chosen))
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
        .where(shipments.c.order_id.in_(chosen))
        .group_by(shipments.c.order_id)
        .subquery("parcels")
    )
    return sa.select(
        open_,
        backordered.c.units,
        parcels.c.ship_by,
        parcels.c.promised,
        locations.c.code,
        locations.c.time_zone,
    ).select_from(
        open_.outerjoin(backordered, backordered.c.order_id == open_.c.id)
        .outerjoin(parcels, parcels.c.order_id == open_.c.id)
        .outerjoin(locations, locations.c.id == parcels.c.location_id)
    )


_DAY = 86400
_BOUNDS = [below * _DAY for _, below in BUCKETS if below is not None]


class SqlOpenOrders(Repository):
    def aging(self, channel: str | None, include_history: bool, now: datetime) -> Aging | None:
        """PostgreSQL: buckets, backorders and late counted in one grouped query over the
        open orders (no row per order to Python), then the 50 oldest read alone."""
        if not self.postgres:
            return None
        x = open_orders_statement(channel, include_history).subquery("x")
        at = sa.literal(now, UTCDateTime)
        seconds = sa.extract("epoch", at - x.c.created_at)
        bucket = sa.func.width_bucket(seconds, sa.literal(_BOUNDS, ARRAY(sa.Numeric)))
        today = sa.cast(sa.func.timezone(sa.func.coalesce(x.c.time_zone, "UTC"), at), sa.Date)
        to_deliver = sa.func.coalesce(x.c.promised < today, False)
        to_ship = sa.and_(~to_deliver, sa.func.coalesce(x.c.ship_by < today, False))
        stmt = sa.select(
            bucket,
            sa.func.count(),
            sa.func.count().filter(sa.func.coalesce(x.c.units, 0) != 0),
            sa.func.count().filter(sa.or_(to_deliver, to_ship)),
            sa.func.count().filter(to_ship),
            sa.func.count().filter(to_deliver),
        ).group_by(bucket)
        counts, ship, deliver = {}, 0, 0
        for i, n, backorders, late, late_ship, late_deliver in self.conn.execute(stmt):
            counts[BUCKETS[i][0]] = (n, backorders, late)
            ship, deliver = ship + late_ship, deliver + late_deliver
        oldest = self._rows(open_orders_statement(channel, include_history, oldest=50))
        return aging_counted(now, counts, oldest, (ship, deliver), 50)

    def open_orders(self, channel: str | None, include_history: bool) -> list[OpenOrder]:
        return self._rows(open_orders_statement(channel, include_history))

    def _rows(self, stmt: sa.Select[Any]) -> list[OpenOrder]:
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
            for r in self.conn.execute(stmt)
        ]
