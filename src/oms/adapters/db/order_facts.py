"""Keeping `order_facts` (tables_facts.py) true.

- The writers of order events hand their new events to `record()`, in the same transaction:
  each order gets one upsert that keeps, for every kind, the earliest time seen (what the
  reports called "the first event of the kind" when they grouped the events themselves),
  and the hours of each stage between those times, computed as the domain computes them.
  SqlOrders adds the order's own figures (e-mail, currency, money, units: `own_figures`).
- The writers of shipments, problems and returns call `refresh()` for their orders: the
  shipped and after-sale parts made again from those tables, one UPDATE.
- `refill()` makes the times of every order from the events, `refill_durations()` and
  `refresh_all()` the rest from them and the other tables (the bench, after writing rows
  straight into their tables; migration 0023 calls the last two for the rows it found,
  0019 keeps its own copy of the first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from oms.adapters.db.tables import (
    order_events,
    order_facts,
    order_lines,
    order_problems,
    orders,
    return_lines,
    returns,
    shipments,
)
from oms.adapters.db.tables_facts import (
    AFTER_SALE_PART,
    DURATIONS,
    FIRSTS,
    ORDER_PART,
    SHIPPED_PART,
)
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.orders.problems import ProblemReason
from oms.domain.returns.reasons import SELLERS_FAULT, ReturnReason
from oms.domain.returns.status import ReturnStatus

_COLUMN = {kind: column for column, kind in FIRSTS.items()}
f = order_facts


def hours(start: datetime | None, end: datetime | None) -> float | None:
    """A stage's hours as domain/insight/stages.py computes them (None: an end missing)."""
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 3600


def _pg_hours(start: Any, end: Any) -> Any:
    # float(exact seconds) / 3600: Python's timedelta.total_seconds() / 3600, to the bit
    return sa.cast(sa.extract("epoch", end - start), sa.Float) / 3600.0


def _pg_upsert(with_own: bool) -> Any:
    stmt = pg_insert(f)
    new, old = stmt.excluded, f.c
    earliest = {
        name: sa.case(
            (
                sa.and_(new[name].is_not(None), sa.or_(old[name].is_(None), new[name] < old[name])),
                new[name],
            ),
            else_=old[name],
        )
        for name in FIRSTS
    }
    durations = {h: _pg_hours(earliest[a], earliest[b]) for h, (a, b) in DURATIONS.items()}
    own = {name: new[name] for name in ORDER_PART} if with_own else {}
    return stmt.on_conflict_do_update(
        index_elements=[old.order_id], set_={**earliest, **durations, **own}
    )


_PG_UPSERT = {True: _pg_upsert(True), False: _pg_upsert(False)}


def _sqlite_upsert(with_own: bool) -> Any:
    stmt = sqlite_insert(f)
    kept = [*FIRSTS, *DURATIONS, *(ORDER_PART if with_own else ())]
    return stmt.on_conflict_do_update(
        index_elements=[f.c.order_id], set_={c: stmt.excluded[c] for c in kept}
    )


# Built once, as on PostgreSQL: a statement made at each call is compiled at each call
# (its cache key alone cost about a millisecond per order placed on SQLite).
_SQLITE_UPSERT = {True: _sqlite_upsert(True), False: _sqlite_upsert(False)}


def own_figures(
    order: Any, lines: Sequence[Mapping[str, Any]], total_minor: int, paid: int, refunded: int
) -> dict[str, Any]:
    """The order part of its row, from the order (customer, currency, status) and its lines
    as stored (quantity, delivered, cancelled, unit_price_minor): what `_ORDER_SQL` reads."""
    cancelled = order.status.value == "cancelled"
    cancelled_minor = sum(ln["cancelled_quantity"] * ln["unit_price_minor"] for ln in lines)
    return {
        "customer": order.customer.email.lower(),
        "currency": order.currency,
        "cancelled": cancelled,
        "booked_minor": 0 if cancelled else total_minor - cancelled_minor,
        "paid_minor": paid,
        "refunded_minor": refunded,
        "units": sum(ln["quantity"] for ln in lines),
        "delivered_units": sum(ln["delivered_quantity"] for ln in lines),
        "cancelled_units": sum(ln["cancelled_quantity"] for ln in lines),
    }


def record(
    conn: sa.Connection,
    events: Iterable[tuple[int, str, datetime, str, datetime]],
    own: Mapping[int, Mapping[str, Any]] | None = None,
    *,
    new: bool = False,
) -> None:
    """(order id, channel, order created at, event type, event at) for new events: one
    row per order, only for orders with a kind the table keeps. `own`: the order part of
    orders (`own_figures` with their channel and created_at), written with them, even
    without an event of a kind kept (a payment changes what is paid). `new`: orders just
    inserted, with no stored row to merge with (SQLite reads none then)."""
    own = own or {}
    rows = _firsts(events)
    for order_id, figures in own.items():
        if order_id not in rows:  # no kind kept, but its figures changed (a payment)
            rows[order_id] = _row(order_id, figures["channel"], figures["created_at"])
    if not rows:
        return
    postgres = conn.dialect.name == "postgresql"
    if not postgres and not new:
        _merge_stored(conn, rows)
    for row in rows.values():
        row.update({h: hours(row[a], row[b]) for h, (a, b) in DURATIONS.items()})
        if row["order_id"] in own:
            row.update({k: own[row["order_id"]][k] for k in ORDER_PART})
    for has_own in (True, False):
        group = [r for r in rows.values() if (r["order_id"] in own) is has_own]
        if not group:
            continue
        conn.execute((_PG_UPSERT if postgres else _SQLITE_UPSERT)[has_own], group)


def _row(order_id: int, channel: str, created_at: datetime) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "channel": channel,
        "created_at": created_at,
        **dict.fromkeys(FIRSTS),
    }


def _firsts(
    events: Iterable[tuple[int, str, datetime, str, datetime]],
) -> dict[int, dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for order_id, channel, created_at, kind, at in events:
        column = _COLUMN.get(kind)
        if column is None:
            continue
        row = rows.get(order_id)
        if row is None:
            row = rows[order_id] = _row(order_id, channel, created_at)
        if row[column] is None or at < row[column]:
            row[column] = at
    return rows


def _merge_stored(conn: sa.Connection, rows: dict[int, dict[str, Any]]) -> None:
    """SQLite: the earliest of the stored and the new times, merged here (the upsert then
    writes the merged row; SQLite has one writer at a time)."""
    stored = conn.execute(
        sa.select(f.c.order_id, *(f.c[c] for c in FIRSTS)).where(f.c.order_id.in_(list(rows)))
    )
    for r in stored:
        row = rows[r.order_id]
        for c in FIRSTS:
            old = r._mapping[c]
            if old is not None and (row[c] is None or old < row[c]):
                row[c] = old


# -- the parts made from other tables, as SQL over one order (correlated on order_facts) --

_LIVE_SHIPMENT = sa.and_(
    shipments.c.order_id == f.c.order_id, shipments.c.status != ShipmentStatus.CANCELLED.value
)
_LIVE_RETURN = sa.and_(
    returns.c.order_id == f.c.order_id, returns.c.status != ReturnStatus.REJECTED.value
)


def _of_shipments(value: Any) -> Any:
    return sa.select(value).where(_LIVE_SHIPMENT).scalar_subquery()


def _reason_returned(reasons: Iterable[ReturnReason]) -> Any:
    return sa.exists().where(
        _LIVE_RETURN,
        return_lines.c.return_id == returns.c.id,
        return_lines.c.reason.in_([r.value for r in reasons]),
    )


_SHIPPED_SQL: dict[str, Any] = {
    "promised": _of_shipments(sa.func.max(shipments.c.promised_delivery_date)),
    "ship_by": _of_shipments(sa.func.max(shipments.c.ship_by)),
    "location_id": _of_shipments(sa.func.min(shipments.c.location_id)),
    "carrier": _of_shipments(sa.func.min(shipments.c.carrier)),
    "parcels": _of_shipments(sa.func.count()),
}
_AFTER_SALE_SQL: dict[str, Any] = {
    "damage_reported": sa.exists().where(
        order_problems.c.order_id == f.c.order_id,
        order_problems.c.reason == ProblemReason.DAMAGED.value,
    ),
    "returned": _reason_returned(ReturnReason),  # a return not rejected, with a line
    "return_damaged": _reason_returned([ReturnReason.DAMAGED]),
    "sellers_fault_return": _reason_returned(SELLERS_FAULT),
}


def _of_order(value: Any) -> Any:
    return sa.select(value).where(orders.c.id == f.c.order_id).scalar_subquery()


def _of_lines(value: Any) -> Any:
    return (
        sa.select(sa.func.coalesce(value, 0))
        .where(order_lines.c.order_id == f.c.order_id)
        .scalar_subquery()
    )


_IS_CANCELLED = orders.c.status == "cancelled"
_CANCELLED_MINOR = (
    sa.select(
        sa.func.coalesce(
            sa.func.sum(order_lines.c.cancelled_quantity * order_lines.c.unit_price_minor), 0
        )
    )
    .where(order_lines.c.order_id == orders.c.id)
    .scalar_subquery()
)
_ORDER_SQL: dict[str, Any] = {
    "customer": _of_order(orders.c.customer_email),
    "currency": _of_order(orders.c.currency),
    "cancelled": _of_order(_IS_CANCELLED),
    # a cancelled order books nothing; else its total less its cancelled units at price
    "booked_minor": _of_order(
        sa.case((_IS_CANCELLED, 0), else_=orders.c.total_minor - _CANCELLED_MINOR)
    ),
    "paid_minor": _of_order(orders.c.paid_minor),
    "refunded_minor": _of_order(orders.c.refunded_minor),
    "units": _of_lines(sa.func.sum(order_lines.c.quantity)),
    "delivered_units": _of_lines(sa.func.sum(order_lines.c.delivered_quantity)),
    "cancelled_units": _of_lines(sa.func.sum(order_lines.c.cancelled_quantity)),
}
assert set(_SHIPPED_SQL) == set(SHIPPED_PART) and set(_AFTER_SALE_SQL) == set(AFTER_SALE_PART)
assert set(_ORDER_SQL) == set(ORDER_PART)


def refresh(
    conn: sa.Connection, order_ids: Iterable[int], part: Literal["shipped", "after_sale"]
) -> None:
    """One part of these orders made again, "shipped" (after a write to their shipments)
    or "after_sale" (to their problems or returns)."""
    ids = sorted(set(order_ids))
    if ids:
        values = _SHIPPED_SQL if part == "shipped" else _AFTER_SALE_SQL
        conn.execute(f.update().where(f.c.order_id.in_(ids)).values(**values))


def refresh_all(conn: sa.Connection, order_ids: Iterable[int] | None = None) -> None:
    """Every part but the times made again from the other tables: for these orders (the
    import: one UPDATE, correlated), or for all (None: the bench and the migration: one
    UPDATE ... FROM the tables grouped by order, a few seconds a million rows)."""
    if order_ids is not None:
        ids = sorted(set(order_ids))
        if ids:
            values = {**_SHIPPED_SQL, **_AFTER_SALE_SQL, **_ORDER_SQL}
            conn.execute(f.update().where(f.c.order_id.in_(ids)).values(**values))
        return
    x = _every_order()
    conn.execute(f.update().where(f.c.order_id == x.c.id).values(**{c: x.c[c] for c in _ALL_PARTS}))


_ALL_PARTS = (*ORDER_PART, *SHIPPED_PART, *AFTER_SALE_PART)


def _every_order() -> Any:
    """Each order's parts in one grouped select (what the correlated statements say)."""
    ln = order_lines.c
    lines = (
        sa.select(
            ln.order_id,
            sa.func.sum(ln.quantity).label("units"),
            sa.func.sum(ln.delivered_quantity).label("delivered"),
            sa.func.sum(ln.cancelled_quantity).label("cancelled"),
            sa.func.sum(ln.cancelled_quantity * ln.unit_price_minor).label("cancelled_minor"),
        )
        .group_by(ln.order_id)
        .subquery("l")
    )
    sh = shipments.c
    shipped = (
        sa.select(
            sh.order_id,
            sa.func.max(sh.promised_delivery_date).label("promised"),
            sa.func.max(sh.ship_by).label("ship_by"),
            sa.func.min(sh.location_id).label("location_id"),
            sa.func.min(sh.carrier).label("carrier"),
            sa.func.count().label("parcels"),
        )
        .where(sh.status != ShipmentStatus.CANCELLED.value)
        .group_by(sh.order_id)
        .subquery("s")
    )
    damaged = (
        sa.select(order_problems.c.order_id)
        .where(order_problems.c.reason == ProblemReason.DAMAGED.value)
        .distinct()
        .subquery("p")
    )
    rl = return_lines.c

    def has(reasons: Iterable[ReturnReason]) -> Any:
        return sa.func.max(sa.case((rl.reason.in_([r.value for r in reasons]), 1), else_=0))

    returned = (
        sa.select(
            returns.c.order_id,
            has(SELLERS_FAULT).label("fault"),
            has([ReturnReason.DAMAGED]).label("damaged"),
        )
        .select_from(returns.join(return_lines, rl.return_id == returns.c.id))
        .where(returns.c.status != ReturnStatus.REJECTED.value)
        .group_by(returns.c.order_id)
        .subquery("r")
    )
    o, zero = orders.c, sa.literal(0)
    cancelled = o.status == "cancelled"
    return (
        sa.select(
            o.id,
            o.customer_email.label("customer"),
            o.currency,
            cancelled.label("cancelled"),
            sa.case(
                (cancelled, zero),
                else_=o.total_minor - sa.func.coalesce(lines.c.cancelled_minor, zero),
            ).label("booked_minor"),
            o.paid_minor,
            o.refunded_minor,
            sa.func.coalesce(lines.c.units, zero).label("units"),
            sa.func.coalesce(lines.c.delivered, zero).label("delivered_units"),
            sa.func.coalesce(lines.c.cancelled, zero).label("cancelled_units"),
            shipped.c.promised,
            shipped.c.ship_by,
            shipped.c.location_id,
            shipped.c.carrier,
            sa.func.coalesce(shipped.c.parcels, zero).label("parcels"),
            damaged.c.order_id.is_not(None).label("damage_reported"),
            returned.c.order_id.is_not(None).label("returned"),
            sa.func.coalesce(returned.c.damaged, zero).cast(sa.Boolean).label("return_damaged"),
            sa.func.coalesce(returned.c.fault, zero).cast(sa.Boolean).label("sellers_fault_return"),
        )
        .select_from(
            orders.outerjoin(lines, lines.c.order_id == o.id)
            .outerjoin(shipped, shipped.c.order_id == o.id)
            .outerjoin(damaged, damaged.c.order_id == o.id)
            .outerjoin(returned, returned.c.order_id == o.id)
        )
        .subquery("x")
    )


def refill_durations(conn: sa.Connection) -> None:
    """Each stage's hours of every row from its times: one UPDATE on PostgreSQL; on SQLite
    (no exact interval arithmetic) read, computed here, and written back."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            f.update().values(**{h: _pg_hours(f.c[a], f.c[b]) for h, (a, b) in DURATIONS.items()})
        )
        return
    rows = conn.execute(sa.select(f.c.order_id, *(f.c[c] for c in FIRSTS))).all()
    values = [
        {
            "oid": r.order_id,
            **{h: hours(r._mapping[a], r._mapping[b]) for h, (a, b) in DURATIONS.items()},
        }
        for r in rows
    ]
    if values:
        conn.execute(
            f.update().where(f.c.order_id == sa.bindparam("oid")),
            values,
        )


def refill() -> sa.Insert:
    """Every order's times made from its events, as one INSERT ... SELECT (the migration's
    backfill has its own copy); then `refill_durations` and `refresh_all` (the bench)."""
    e, o = order_events, orders
    firsts = [sa.func.min(sa.case((e.c.type == kind, e.c.at))) for kind in FIRSTS.values()]
    rows = (
        sa.select(o.c.id, o.c.channel, o.c.created_at, *firsts)
        .select_from(o.join(e, e.c.order_id == o.c.id))
        .where(e.c.type.in_(list(FIRSTS.values())))
        .group_by(o.c.id, o.c.channel, o.c.created_at)
    )
    return f.insert().from_select(["order_id", "channel", "created_at", *FIRSTS], rows)
