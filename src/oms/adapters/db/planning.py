"""Planning's reads in SQL: order lines with their order's placing time and cancellation."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from oms.adapters.db.base import Repository
from oms.adapters.db.tables import UTCDateTime, order_events, order_lines, orders
from oms.domain.orders.events import OrderEventType
from oms.domain.planning.demand import OrderedLine

_CANCELLED = (
    sa.select(
        order_events.c.order_id,
        sa.type_coerce(sa.func.min(order_events.c.at), UTCDateTime).label("at"),
    )
    .where(order_events.c.type == OrderEventType.CANCELLED.value)
    .group_by(order_events.c.order_id)
    .subquery()
)


class SqlDemandLines(Repository):
    def ordered_lines(self, since: datetime, until: datetime) -> list[OrderedLine]:
        rows = self.conn.execute(
            sa.select(
                order_lines.c.sku,
                orders.c.created_at,
                order_lines.c.quantity,
                order_lines.c.shipped_quantity,
                _CANCELLED.c.at,
            )
            .select_from(
                orders.join(order_lines, order_lines.c.order_id == orders.c.id).outerjoin(
                    _CANCELLED, _CANCELLED.c.order_id == orders.c.id
                )
            )
            .where(orders.c.created_at >= since, orders.c.created_at < until)
        )
        return [OrderedLine(r[0], r[1], r[2], r[3], r[4]) for r in rows]
