"""Customer service's read queries in SQL: the queue, one reason at a time, each read off
the index of the few rows still waiting (never the history), and one customer's view,
read off the customer's email index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.base import Repository, from_minor
from oms.adapters.db.late import is_late, late_kind_column, late_since
from oms.adapters.db.tables import (
    order_events,
    order_lines,
    order_problems,
    orders,
    refunds,
    return_lines,
    returns,
    shipments,
)
from oms.domain.fulfilment.model import late_kind_of
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.money import Money
from oms.domain.orders.status import WAITS_FOR_STOCK, OrderStatus
from oms.domain.payments.model import RefundStatus
from oms.domain.returns.status import TO_INSPECT, ReturnStatus
from oms.services.customer_service import (
    Customer,
    CustomerOrder,
    CustomerReturn,
    CustomerTotals,
    QueueAfter,
    QueueItem,
    Where,
    Why,
    day_start,
)

_WAITING = sorted(s.value for s in WAITS_FOR_STOCK)
_TO_INSPECT = sorted(s.value for s in TO_INSPECT)
_DATED = {Why.LATE}  # `since` is a date there: the promised or the ship-by date


def _reason(why: Why, today: date, placed_before: datetime) -> sa.Subquery:
    """The orders waiting for this reason, as (order_id, since, detail): one row per order."""
    s, r = shipments.c, returns.c
    select: sa.Select[Any]
    if why is Why.LATE:  # ix_shipments_status_promised and ix_shipments_status_ship_by
        mine = shipments.alias("mine")
        first = (  # the kind of the order's shipment due first
            sa.select(late_kind_column(mine))
            .where(mine.c.order_id == s.order_id, is_late(today, t=mine))
            .order_by(late_since(mine), mine.c.id)
            .limit(1)
            .scalar_subquery()
        )
        select = (
            sa.select(s.order_id, sa.func.min(late_since()))
            .where(is_late(today))
            .group_by(s.order_id)
        )
        return _named(select, first)
    if why is Why.EXCEPTION:  # ix_shipments_status_promised (status first)
        select = (
            sa.select(s.order_id, sa.func.min(sa.func.coalesce(s.last_event_at, s.updated_at)))
            .where(s.status == ShipmentStatus.EXCEPTION.value)
            .group_by(s.order_id)
        )
    elif why is Why.RETURN_TO_INSPECT:  # ix_returns_status_id
        select = (
            sa.select(r.order_id, sa.func.min(sa.func.coalesce(r.received_at, r.updated_at)))
            .where(r.status.in_(_TO_INSPECT))
            .group_by(r.order_id)
        )
    elif why is Why.ON_HOLD:  # ix_orders_status_id, then each held order's events
        held_at = (
            sa.select(sa.func.max(order_events.c.at))
            .where(
                order_events.c.order_id == orders.c.id,
                order_events.c.to_status == OrderStatus.ON_HOLD.value,
            )
            .scalar_subquery()
        )
        select = sa.select(
            orders.c.id, sa.func.coalesce(held_at, orders.c.updated_at).label("since")
        ).where(orders.c.status == OrderStatus.ON_HOLD.value)
    elif why is Why.BACKORDERED_LONG:  # ix_orders_status_id and ix_order_lines_backordered
        select = sa.select(orders.c.id, orders.c.created_at).where(
            orders.c.status.in_(_WAITING),
            orders.c.created_at < placed_before,
            orders.c.id.in_(
                sa.select(order_lines.c.order_id).where(order_lines.c.backordered_quantity > 0)
            ),
        )
    elif why is Why.REFUND_FAILED:  # ix_refunds_status_id
        f = refunds.c
        select = (
            sa.select(f.order_id, sa.func.min(f.updated_at))
            .where(f.status == RefundStatus.FAILED.value)
            .group_by(f.order_id)
        )
    elif why is Why.PROBLEM:  # ix_order_problems_resolved_at_reported_at
        p = order_problems.c
        mine = order_problems.alias("mine")
        oldest = (  # the reason of the order's oldest open problem
            sa.select(mine.c.reason)
            .where(mine.c.order_id == p.order_id, mine.c.resolved_at.is_(None))
            .order_by(mine.c.reported_at, mine.c.id)
            .limit(1)
            .scalar_subquery()
        )
        select = (
            sa.select(p.order_id, sa.func.min(p.reported_at))
            .where(p.resolved_at.is_(None))
            .group_by(p.order_id)
        )
        return _named(select, oldest)
    else:  # pragma: no cover - every reason has its query
        raise ValueError(f"no query finds {why}")
    return _named(select, sa.null())


def _named(select: Any, detail: Any) -> sa.Subquery:
    """Name the columns alike whatever each reason calls them: order_id, since, detail."""
    first, second = select.selected_columns
    named: sa.Select[Any] = select.with_only_columns(
        first.label("order_id"), second.label("since"), detail.label("detail")
    )
    return named.subquery()


def _after(why: Why, since: Any, order_id: Any, after: QueueAfter) -> sa.ColumnElement[bool]:
    """Past the cursor in (since, order id, reason) order; the reason is this query's own,
    so comparing it is known here: an equal (since, id) is past only for a later reason."""
    tie = order_id > after.order_id if why.value <= after.why.value else order_id >= after.order_id
    if why in _DATED:
        # since is the start of a day: past the cursor's instant when its day is later, or
        # equal when the cursor is itself a day's start
        day = after.since.astimezone(UTC).date()
        if after.since == day_start(day):
            return sa.or_(since > day, sa.and_(since == day, tie))
        return since > day  # type: ignore[no-any-return]
    return sa.or_(since > after.since, sa.and_(since == after.since, tie))


def _where(status: str, shipment_rows: Sequence[Any], today: date) -> Where:
    live = [m for m in shipment_rows if m["status"] != ShipmentStatus.CANCELLED.value]
    latest = max(live, key=lambda m: m["id"]) if live else None
    promised = [m["promised_delivery_date"] for m in live if m["promised_delivery_date"]]
    late = any(
        late_kind_of(ShipmentStatus(m["status"]), m["ship_by"], m["promised_delivery_date"], today)
        is not None
        for m in live
    )
    return Where(
        OrderStatus(status),
        ShipmentStatus(latest["status"]) if latest else None,
        max(promised) if promised else None,
        late,
    )


class SqlCustomerServiceViews(Repository):
    def service_queue(
        self, why: Why, today: date, placed_before: datetime, after: QueueAfter | None, limit: int
    ) -> list[QueueItem]:
        sub = _reason(why, today, placed_before)
        select = (
            sa.select(sub.c.order_id, orders.c.number, sub.c.since, sub.c.detail)
            .join(orders, orders.c.id == sub.c.order_id)
            .order_by(sub.c.since, sub.c.order_id)
            .limit(limit)
        )
        if after is not None:
            select = select.where(_after(why, sub.c.since, sub.c.order_id, after))
        return [
            QueueItem(r.order_id, r.number, why, _instant(r.since), r.detail)
            for r in self.conn.execute(select)
        ]

    def service_counts(self, today: date, placed_before: datetime) -> dict[Why, int]:
        counts: dict[Why, int] = {}
        for why in Why:
            sub = _reason(why, today, placed_before)
            counts[why] = int(
                self.conn.execute(sa.select(sa.func.count()).select_from(sub)).scalar_one()
            )
        return counts

    def where_orders_are(self, order_ids: list[int], today: date) -> dict[int, Where]:
        if not order_ids:
            return {}
        statuses = {
            r.id: r.status
            for r in self.conn.execute(
                sa.select(orders.c.id, orders.c.status).where(orders.c.id.in_(order_ids))
            )
        }
        found: dict[int, list[Any]] = defaultdict(list)
        rows = self.conn.execute(  # ix_shipments_order_id
            sa.select(
                shipments.c.order_id,
                shipments.c.id,
                shipments.c.status,
                shipments.c.promised_delivery_date,
                shipments.c.ship_by,
            ).where(shipments.c.order_id.in_(order_ids))
        )
        for r in rows:
            found[r.order_id].append(r._mapping)
        return {i: _where(status, found[i], today) for i, status in statuses.items()}

    def customer(self, email: str, today: date, limit: int) -> Customer | None:
        o = orders.c
        mine = o.customer_email == email  # ix_orders_customer_email_id
        headers = [
            r._mapping
            for r in self.conn.execute(
                orders.select().where(mine).order_by(o.id.desc()).limit(limit)
            )
        ]
        if not headers:
            return None
        where = self.where_orders_are([m["id"] for m in headers], today)
        phone = self.conn.execute(
            sa.select(o.customer_phone)
            .where(mine, o.customer_phone.is_not(None))
            .order_by(o.id.desc())
            .limit(1)
        ).scalar()
        return Customer(
            email=email,
            name=headers[0]["customer_name"],
            phone=phone,
            orders=[_customer_order(m, where[m["id"]]) for m in headers],
            returns=self._returns(mine),
            totals=self._totals(mine),
        )

    def _returns(self, mine: sa.ColumnElement[bool]) -> list[CustomerReturn]:
        units = (
            sa.select(sa.func.sum(return_lines.c.quantity))
            .where(return_lines.c.return_id == returns.c.id)
            .scalar_subquery()
        )
        rows = self.conn.execute(
            sa.select(
                returns.c.id,
                returns.c.number,
                returns.c.order_id,
                orders.c.number.label("order_number"),
                returns.c.status,
                units.label("units"),
                returns.c.created_at,
            )
            .join(orders, orders.c.id == returns.c.order_id)
            .where(mine)
            .order_by(returns.c.id.desc())
        )
        return [
            CustomerReturn(
                r.id,
                r.number,
                r.order_id,
                r.order_number,
                ReturnStatus(r.status),
                int(r.units or 0),
                r.created_at,
            )
            for r in rows
        ]

    def _totals(self, mine: sa.ColumnElement[bool]) -> CustomerTotals:
        o, ol = orders.c, order_lines.c
        count = int(self.conn.execute(sa.select(sa.func.count()).where(mine)).scalar_one())
        spent = {
            cur: from_minor(int(minor), cur)
            for cur, minor in self.conn.execute(
                sa.select(o.currency, sa.func.sum(o.total_minor))
                .where(mine, o.status != OrderStatus.CANCELLED.value)
                .group_by(o.currency)
                .order_by(o.currency)
            )
        }
        delivered, returned = self.conn.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(ol.delivered_quantity), 0),
                sa.func.coalesce(sa.func.sum(ol.returned_quantity), 0),
            )
            .join(orders, o.id == ol.order_id)
            .where(mine)
        ).one()
        return CustomerTotals(count, spent, int(delivered), int(returned))


def _instant(since: date | datetime) -> datetime:
    if isinstance(since, datetime):
        return since if since.tzinfo else since.replace(tzinfo=UTC)
    return datetime.combine(since, time(), UTC)


def _customer_order(m: Any, where: Where) -> CustomerOrder:
    cur = m["currency"]
    return CustomerOrder(
        id=m["id"],
        number=m["number"],
        channel=m["channel"],
        total=Money(from_minor(m["total_minor"], cur), cur),
        created_at=m["created_at"],
        where=where,
    )
