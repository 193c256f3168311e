"""Orders, their lines and their timeline in SQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from oms.adapters.db import driver_sql
from oms.adapters.db import order_facts as facts
from oms.adapters.db.base import Repository, from_minor, to_minor, unique_violation
from oms.adapters.db.order_search import page, texts_on
from oms.adapters.db.outbox import outbox_rows
from oms.adapters.db.tables import (
    counters,
    history_orders,
    order_events,
    order_lines,
    orders,
    outbox,
)
from oms.domain.errors import ConcurrentUpdate
from oms.domain.inventory.model import Backorder
from oms.domain.money import Money
from oms.domain.notifications.topics import topic_of
from oms.domain.orders.events import OrderEventType, StoredEvent
from oms.domain.orders.model import (
    Address,
    Customer,
    Order,
    OrderIdentity,
    OrderLine,
    Totals,
    order_number,
)
from oms.domain.orders.status import WAITS_FOR_STOCK, OrderStatus
from oms.services.ports.orders import (
    DeliveredOrder,
    OrderAlreadyPlaced,
    OrderFilter,
    PlacedOrderRef,
)

if TYPE_CHECKING:
    from oms.adapters.db.uow import SqlUnitOfWork

_QUANTITIES = (
    "allocated_quantity",
    "backordered_quantity",
    "shipped_quantity",
    "delivered_quantity",
    "cancelled_quantity",
    "returned_quantity",
)
_OPEN = [s.value for s in WAITS_FOR_STOCK]


def _line(m: Any, currency: str) -> OrderLine:
    return OrderLine(
        id=m["id"],
        sku=m["sku"],
        product_id=m["product_id"],
        quantity=m["quantity"],
        unit_price=from_minor(m["unit_price_minor"], currency),
        discount=from_minor(m["discount_minor"], currency),
        tax=from_minor(m["tax_minor"], currency),
        **{name: m[name] for name in _QUANTITIES},
    )


def _order(m: Any, lines: list[OrderLine]) -> Order:
    cur = m["currency"]
    money = {
        k: Money(from_minor(m[f"{k}_minor"], cur), cur)
        for k in ("subtotal", "shipping", "tax", "total", "discount")
    }
    return Order(
        id=m["id"],
        number=m["number"],
        channel=m["channel"],
        external_id=m["external_id"],
        status=OrderStatus(m["status"]),
        customer=Customer(
            m["customer_email"], m["customer_name"], m["customer_phone"], m["customer_language"]
        ),
        shipping_address=Address(
            name=m["ship_name"],
            line1=m["ship_line1"],
            line2=m["ship_line2"],
            city=m["ship_city"],
            postal_code=m["ship_postal_code"],
            country=m["ship_country"],
        ),
        currency=cur,
        priority=m["priority"],
        totals=Totals(**money),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        version=m["version"],
        held_from=OrderStatus(m["held_from"]) if m["held_from"] else None,
        tracking_token=m["tracking_token"],
        lines=lines,
        prices_include_tax=m["prices_include_tax"],
        paid_total=from_minor(m["paid_minor"], cur),
        refunded_total=from_minor(m["refunded_minor"], cur),
        exchange_of=m["exchange_of_id"],
        exchanges=list(m["exchanges"] or []),
    )


# Statements of the order-intake path, built once (see stock.py for why).
_BY_KEY = sa.select(orders.c.id, orders.c.request_hash).where(
    orders.c.idempotency_key == sa.bindparam("key")
)
_BY_REF = sa.select(orders.c.id, orders.c.request_hash).where(
    orders.c.channel == sa.bindparam("channel"), orders.c.external_id == sa.bindparam("ref")
)
# PostgreSQL hands out the ids and the number in one round trip (sequences are not rolled
# back, so gaps are possible, as with any serial column); SQLite's writer holds the
# database's one write lock (BEGIN IMMEDIATE), so the next ids are simply the largest + 1.
_NEXT_IDS_PG = sa.text(
    "SELECT nextval('orders_id_seq'), nextval('order_number_seq'),"
    " ARRAY(SELECT nextval('order_lines_id_seq') FROM generate_series(1, :lines))"
)
_LAST_ORDER = sa.select(sa.func.coalesce(sa.func.max(orders.c.id), 0)).scalar_subquery()
_LAST_LINE = sa.select(sa.func.coalesce(sa.func.max(order_lines.c.id), 0)).scalar_subquery()
_LAST_IDS = sa.select(_LAST_ORDER, _LAST_LINE)
_NEXT_COUNTER = (
    counters.update()
    .where(counters.c.name == "order_number")
    .values(value=counters.c.value + 1)
    .returning(counters.c.value, _LAST_ORDER, _LAST_LINE)
)
_INSERT_ORDER = orders.insert()
# RETURNING makes SQLAlchemy send all the lines as one multi-row INSERT ("insertmanyvalues");
# without it psycopg sends one statement per line. The ids are known already.
_INSERT_LINES = order_lines.insert().returning(order_lines.c.id, sort_by_parameter_order=True)
_INSERT_EVENTS = order_events.insert()
_INSERT_OUTBOX = outbox.insert()


def _quantities(line: OrderLine) -> tuple[object, ...]:
    """What save() compares to know a line changed: its units, and (an edit) its quantity,
    discount and tax."""
    return (*(getattr(line, name) for name in _QUANTITIES), line.quantity, line.discount, line.tax)


def _line_row(order: Order, i: int, line: OrderLine) -> dict[str, Any]:
    cur = order.currency
    return {
        "id": line.id,
        "order_id": order.id,
        "line_no": i + 1,
        "product_id": line.product_id,
        "sku": line.sku,
        "quantity": line.quantity,
        "unit_price_minor": to_minor(line.unit_price, cur),
        "discount_minor": to_minor(line.discount, cur),
        "tax_minor": to_minor(line.tax, cur),
        **{name: getattr(line, name) for name in _QUANTITIES},
    }


# The events of the edits that change the order's header (domain/orders/edits.py).
_EDITS = frozenset(
    {
        OrderEventType.LINE_QUANTITY_CHANGED,
        OrderEventType.LINE_ADDED,
        OrderEventType.LINE_REMOVED,
        OrderEventType.ADDRESS_CHANGED,
        OrderEventType.PRIORITY_CHANGED,
    }
)


def _header(order: Order) -> dict[str, Any]:
    """The header fields an edit may change: address, priority, totals."""
    a, t, cur = order.shipping_address, order.totals, order.currency
    address = ("name", "line1", "line2", "city", "postal_code", "country")
    totals = ("subtotal", "shipping", "tax", "total", "discount")
    return {
        **{f"ship_{k}": getattr(a, k) for k in address},
        **{f"{k}_minor": to_minor(getattr(t, k).amount, cur) for k in totals},
        "priority": order.priority,
    }


class SqlOrders(Repository):
    def __init__(self, uow: SqlUnitOfWork) -> None:
        super().__init__(uow)
        # Line quantities as get() read them, per order: what save() compares against.
        self._loaded: dict[int, dict[int, tuple[object, ...]]] = {}

    def find_placed(
        self, idempotency_key: str | None, channel: str, external_id: str | None
    ) -> PlacedOrderRef | None:
        if idempotency_key:
            row = self.conn.execute(_BY_KEY, {"key": idempotency_key}).first()
            if row:
                return PlacedOrderRef(row.id, row.request_hash, by_key=True)
        if external_id:
            row = self.conn.execute(_BY_REF, {"channel": channel, "ref": external_id}).first()
            if row:
                return PlacedOrderRef(row.id, row.request_hash, by_key=False)
        return None

    def placed_refs(self, channel: str, external_ids: Sequence[str]) -> set[str]:
        if not external_ids:
            return set()
        query = sa.select(orders.c.external_id).where(
            orders.c.channel == channel, orders.c.external_id.in_(list(external_ids))
        )
        return {row.external_id for row in self.conn.execute(query)}

    def next_identity(self, lines: int) -> OrderIdentity:
        if self.postgres:
            order_id, n, line_ids = driver_sql.fetch_one(self.conn, _NEXT_IDS_PG, {"lines": lines})
            return OrderIdentity(order_id, order_number(n), tuple(sorted(line_ids)))
        row = driver_sql.fetch_one(self.conn, _NEXT_COUNTER, {})
        if row is not None:
            value, last_order, last_line = row
        else:  # the first order of this database
            self.conn.execute(counters.insert().values(name="order_number", value=1))
            value = 1
            last_order, last_line = self.conn.execute(_LAST_IDS).one()
        return OrderIdentity(
            last_order + 1, order_number(value), tuple(range(last_line + 1, last_line + 1 + lines))
        )

    def add(self, order: Order, idempotency_key: str | None, request_hash: str, actor: str) -> None:
        cur = order.currency
        address = order.shipping_address
        values = {
            "id": order.id,
            "number": order.number,
            "channel": order.channel,
            "external_id": order.external_id,
            "idempotency_key": idempotency_key,
            "request_hash": request_hash,
            "status": order.status.value,
            "held_from": None,
            "customer_email": order.customer.email.lower(),
            "customer_name": order.customer.name,
            "customer_phone": order.customer.phone,
            "customer_language": order.customer.language,
            "ship_name": address.name,
            "ship_line1": address.line1,
            "ship_line2": address.line2,
            "ship_city": address.city,
            "ship_postal_code": address.postal_code,
            "ship_country": address.country,
            "currency": cur,
            "priority": order.priority,
            "subtotal_minor": to_minor(order.totals.subtotal.amount, cur),
            "shipping_minor": to_minor(order.totals.shipping.amount, cur),
            "tax_minor": to_minor(order.totals.tax.amount, cur),
            "total_minor": to_minor(order.totals.total.amount, cur),
            "discount_minor": to_minor(order.totals.discount.amount, cur),
            "prices_include_tax": order.prices_include_tax,
            "paid_minor": to_minor(order.paid_total, cur),
            "refunded_minor": to_minor(order.refunded_total, cur),
            "exchange_of_id": order.exchange_of,
            "exchanges": order.exchanges,
            "version": order.version,
            "created_at": order.created_at,
            "updated_at": order.updated_at,
            "tracking_token": order.tracking_token,
        }
        try:
            self.conn.execute(_INSERT_ORDER, values)
        except sa.exc.IntegrityError as error:
            if unique_violation(error, "idempotency_key", "external_id"):
                raise OrderAlreadyPlaced() from None
            raise
        self.conn.execute(
            _INSERT_LINES, [_line_row(order, i, line) for i, line in enumerate(order.lines)]
        )
        self._loaded[order.id] = {line.id: _quantities(line) for line in order.lines}
        self._add_events(order, actor, order.created_at, new=True)

    def next_line_ids(self, count: int) -> tuple[int, ...]:
        if count <= 0:
            return ()
        if self.postgres:
            rows = self.conn.execute(
                sa.text("SELECT nextval('order_lines_id_seq') FROM generate_series(1, :n)"),
                {"n": count},
            )
            return tuple(sorted(r[0] for r in rows))
        last = self.conn.execute(_LAST_IDS).one()[1]
        return tuple(range(last + 1, last + 1 + count))

    def add_lines(self, order: Order, line_ids: Sequence[int]) -> None:
        wanted = set(line_ids)
        rows = [_line_row(order, i, ln) for i, ln in enumerate(order.lines) if ln.id in wanted]
        if rows:
            self.conn.execute(_INSERT_LINES, rows)
        loaded = self._loaded.setdefault(order.id, {})
        for line in order.lines:
            if line.id in wanted:
                loaded[line.id] = _quantities(line)

    def get(self, order_id: int, *, lock: bool = False) -> Order | None:
        query = orders.select().where(orders.c.id == order_id)
        if lock and self.postgres:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        if row is None:
            return None
        order = self._with_lines([row._mapping])[0]
        self._loaded[order.id] = {line.id: _quantities(line) for line in order.lines}
        return order

    def _with_lines(self, headers: Sequence[Any]) -> list[Order]:
        ids = [m["id"] for m in headers]
        currency = {m["id"]: m["currency"] for m in headers}
        lines: dict[int, list[OrderLine]] = defaultdict(list)
        if ids:
            rows = self.conn.execute(
                order_lines.select()
                .where(order_lines.c.order_id.in_(ids))
                .order_by(order_lines.c.order_id, order_lines.c.line_no)
            )
            for r in rows:
                m = r._mapping
                lines[m["order_id"]].append(_line(m, currency[m["order_id"]]))
        return [_order(m, lines[m["id"]]) for m in headers]

    def save(self, order: Order, actor: str, now: datetime) -> None:
        order.updated_at = now
        values = {
            "status": order.status.value,
            "held_from": order.held_from.value if order.held_from else None,
            "paid_minor": to_minor(order.paid_total, order.currency),
            "refunded_minor": to_minor(order.refunded_total, order.currency),
            "exchanges": order.exchanges,
            "version": order.version + 1,
            "updated_at": now,
        }
        if any(e.type is OrderEventType.DELIVERED for e in order.events):
            values["delivered_at"] = now  # the time its order.delivered event gets
        if any(e.type in _EDITS for e in order.events):
            values.update(_header(order))  # only an edit changes address, priority, totals
        result = self.conn.execute(
            orders.update()
            .where(orders.c.id == order.id, orders.c.version == order.version)
            .values(**values)
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"order {order.number} was changed by someone else")
        order.version += 1
        # The version matched, so the lines are stored as get() read them: write only what
        # the verbs changed (nothing, for confirm, hold and release).
        loaded = self._loaded.get(order.id, {})
        cur = order.currency
        changed = [
            {
                "line_id": line.id,
                **{name: getattr(line, name) for name in _QUANTITIES},
                "quantity": line.quantity,
                "discount_minor": to_minor(line.discount, cur),
                "tax_minor": to_minor(line.tax, cur),
            }
            for line in order.lines
            if loaded.get(line.id) != _quantities(line)
        ]
        if changed:
            self.conn.execute(
                order_lines.update().where(order_lines.c.id == sa.bindparam("line_id")),
                changed,
            )
        self._loaded[order.id] = {line.id: _quantities(line) for line in order.lines}
        self._add_events(order, actor, now)

    def search(self, flt: OrderFilter) -> list[Order]:
        # SQLite's order_texts serves "contains" and "ends with" (looked up once, if asked)
        texts = bool(flt.q) and texts_on(self.conn)
        query = page(flt, self.postgres, texts)
        return self._with_lines([r._mapping for r in self.conn.execute(query)])

    def delivered(
        self, after_id: int | None, limit: int, by: datetime | None = None
    ) -> list[DeliveredOrder]:
        query = (
            sa.select(orders.c.id, orders.c.channel, orders.c.delivered_at)
            .where(
                orders.c.status == OrderStatus.DELIVERED.value,
                orders.c.delivered_at.is_not(None),
                # Imported history is done already: completing it would date it today.
                ~sa.exists().where(history_orders.c.order_id == orders.c.id),
            )
            .order_by(orders.c.id)
            .limit(limit)
        )
        if by is not None:  # ix_orders_delivered_at: the delivered orders until then only
            query = query.where(orders.c.delivered_at <= by)
        if after_id is not None:
            query = query.where(orders.c.id > after_id)
        return [DeliveredOrder(r.id, r.channel, r.delivered_at) for r in self.conn.execute(query)]

    def backorders(self, product_ids: Sequence[int]) -> list[Backorder]:
        rows = self.conn.execute(
            sa.select(
                order_lines.c.id,
                order_lines.c.product_id,
                order_lines.c.backordered_quantity,
                orders.c.priority,
                orders.c.created_at,
                orders.c.id,
            )
            .join(orders, orders.c.id == order_lines.c.order_id)
            .where(
                order_lines.c.product_id.in_(list(product_ids)),
                order_lines.c.backordered_quantity > 0,
                orders.c.status.in_(_OPEN),
            )
        )
        return [Backorder(*r) for r in rows]

    def waiting_orders(self) -> list[int]:
        rows = self.conn.execute(
            sa.select(orders.c.id)
            .where(
                orders.c.status.in_(_OPEN),
                orders.c.id.in_(
                    sa.select(order_lines.c.order_id).where(order_lines.c.backordered_quantity > 0)
                ),
            )
            .order_by(orders.c.id)
        )
        return [r[0] for r in rows]

    def _add_events(self, order: Order, actor: str, at: datetime, *, new: bool = False) -> None:
        """The events the order's verbs recorded, stamped with who and when; then forgotten.
        Those someone must hear about go to the outbox too, in the same transaction.
        `new`: the order was just inserted, so it has no stored facts to merge with."""
        told = [
            (topic.value, order.id, {"order_id": order.id, "number": order.number, **e.data})
            for e in order.events
            if (topic := topic_of(e.type.value)) is not None
        ]
        if told:
            self.conn.execute(_INSERT_OUTBOX, outbox_rows(told, at))
        if order.events:
            self.conn.execute(
                _INSERT_EVENTS,
                [
                    {
                        "order_id": order.id,
                        "type": e.type.value,
                        "from_status": e.from_status.value if e.from_status else None,
                        "to_status": e.to_status.value if e.to_status else None,
                        "actor": actor,
                        "at": at,
                        "data": e.data,
                    }
                    for e in order.events
                ],
            )
            events, created = order.events, order.created_at
            cur = order.currency
            lines = [_line_row(order, i, line) for i, line in enumerate(order.lines)]
            own = facts.own_figures(
                order,
                lines,
                to_minor(order.totals.total.amount, cur),
                to_minor(order.paid_total, cur),
                to_minor(order.refunded_total, cur),
            )
            facts.record(
                self.conn,
                ((order.id, order.channel, created, e.type.value, at) for e in events),
                {order.id: {**own, "channel": order.channel, "created_at": created}},
                new=new,
            )
            order.events.clear()

    def id_by_tracking_token(self, token: str) -> int | None:
        return self.conn.execute(
            sa.select(orders.c.id).where(orders.c.tracking_token == token)
        ).scalar()

    def events(self, order_id: int) -> list[StoredEvent]:
        rows = self.conn.execute(
            order_events.select()
            .where(order_events.c.order_id == order_id)
            .order_by(order_events.c.id)
        )
        return [StoredEvent(**r._mapping) for r in rows]
