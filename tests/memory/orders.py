"""Orders, their lines and their timeline in memory; `save` checks the version as the SQL
UPDATE ... WHERE version = :seen does."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from oms.domain.errors import ConcurrentUpdate
from oms.domain.inventory.model import Backorder
from oms.domain.notifications.topics import topic_of
from oms.domain.orders.events import OrderEventType, StoredEvent
from oms.domain.orders.model import Order, OrderIdentity, OrderLine
from oms.domain.orders.search import SearchKind, read_search
from oms.domain.orders.status import WAITS_FOR_STOCK, OrderStatus
from oms.services.ports.orders import (
    DeliveredOrder,
    OrderAlreadyPlaced,
    OrderFilter,
    PlacedOrderRef,
)
from tests.memory.base import MemoryRepository
from tests.memory.catalogue import stored_amount
from tests.memory.state import ConstraintViolation, OrderRecord

_QUANTITIES = (
    "allocated_quantity",
    "backordered_quantity",
    "shipped_quantity",
    "delivered_quantity",
    "cancelled_quantity",
    "returned_quantity",
)


def _as_stored(order: Order) -> Order:
    """A copy as the SQL columns would give it back: no pending events, the e-mail lower
    case, amounts in the currency's minor units."""
    stored = copy.deepcopy(order)
    stored.events = []
    stored.customer = replace(order.customer, email=order.customer.email.lower())
    cur = order.currency
    totals = order.totals
    stored.totals = replace(
        totals,
        **{
            name: replace(m, amount=stored_amount(m.amount, cur))
            for name, m in (
                ("subtotal", totals.subtotal),
                ("shipping", totals.shipping),
                ("tax", totals.tax),
                ("total", totals.total),
                ("discount", totals.discount),
            )
        },
    )
    for line in stored.lines:
        line.unit_price = stored_amount(line.unit_price, cur)
        line.discount = stored_amount(line.discount, cur)
        line.tax = stored_amount(line.tax, cur)
    stored.paid_total = stored_amount(order.paid_total, cur)
    stored.refunded_total = stored_amount(order.refunded_total, cur)
    return stored


def _check_line(line: OrderLine) -> None:
    """The table's check constraint `quantities_balance`."""
    parts = (line.allocated_quantity, line.backordered_quantity)
    total = sum(parts) + line.shipped_quantity + line.cancelled_quantity
    if min(parts) < 0 or total != line.quantity:
        raise ConstraintViolation(f"order line {line.id} out of balance")


class MemoryOrders(MemoryRepository):
    def find_placed(
        self, idempotency_key: str | None, channel: str, external_id: str | None
    ) -> PlacedOrderRef | None:
        records = sorted(self.state.orders.items())
        if idempotency_key:
            for _, r in records:
                if r.idempotency_key == idempotency_key:
                    return PlacedOrderRef(r.order.id, r.request_hash, by_key=True)
        if external_id:
            for _, r in records:
                if (r.order.channel, r.order.external_id) == (channel, external_id):
                    return PlacedOrderRef(r.order.id, r.request_hash, by_key=False)
        return None

    def placed_refs(self, channel: str, external_ids: Sequence[str]) -> set[str]:
        wanted = set(external_ids)
        return {
            r.order.external_id
            for r in self.state.orders.values()
            if r.order.channel == channel and r.order.external_id in wanted
        }

    def next_identity(self, lines: int) -> OrderIdentity:
        order_id = self.state.next_id("orders")
        number = f"SO-{self.state.next_id('order_number'):06d}"
        line_ids = tuple(self.state.next_id("order_lines") for _ in range(lines))
        return OrderIdentity(order_id, number, line_ids)

    def add(self, order: Order, idempotency_key: str | None, request_hash: str, actor: str) -> None:
        for r in self.state.orders.values():
            if idempotency_key is not None and r.idempotency_key == idempotency_key:
                raise OrderAlreadyPlaced()
            if order.external_id is not None and (r.order.channel, r.order.external_id) == (
                order.channel,
                order.external_id,
            ):
                raise OrderAlreadyPlaced()
            if order.id == r.order.id or order.number == r.order.number:
                raise ConstraintViolation(f"order {order.id} ({order.number}) exists")
        for line in order.lines:
            _check_line(line)
        self.state.orders[order.id] = OrderRecord(_as_stored(order), idempotency_key, request_hash)
        self._add_events(order, actor, order.created_at)

    def next_line_ids(self, count: int) -> tuple[int, ...]:
        return tuple(self.state.next_id("order_lines") for _ in range(count))

    def add_lines(self, order: Order, line_ids: Sequence[int]) -> None:
        record = self.state.orders.get(order.id)
        if record is None:
            raise ConstraintViolation(f"no order {order.id} for its new lines")
        stored = _as_stored(order)
        known = {line.id for line in record.order.lines}
        for line in stored.lines:
            if line.id in line_ids:
                if line.id in known:
                    raise ConstraintViolation(f"order line {line.id} exists")
                _check_line(line)
                record.order.lines.append(line)

    def get(self, order_id: int, *, lock: bool = False) -> Order | None:
        record = self.state.orders.get(order_id)
        return copy.deepcopy(record.order) if record else None

    def id_by_tracking_token(self, token: str) -> int | None:
        return next(
            (i for i, r in self.state.orders.items() if r.order.tracking_token == token), None
        )

    def save(self, order: Order, actor: str, now: datetime) -> None:
        order.updated_at = now
        record = self.state.orders.get(order.id)
        if record is None or record.order.version != order.version:
            raise ConcurrentUpdate(f"order {order.number} was changed by someone else")
        order.version += 1
        stored = record.order
        # What the SQL UPDATEs write: the header's status and version, the line quantities.
        stored.status, stored.held_from = order.status, order.held_from
        stored.version, stored.updated_at = order.version, now
        cur = order.currency
        stored.paid_total = stored_amount(order.paid_total, cur)
        stored.refunded_total = stored_amount(order.refunded_total, cur)
        stored.exchanges = list(order.exchanges)
        # ... and the header fields and line fields an edit changes.
        as_stored = _as_stored(order)
        stored.shipping_address, stored.priority = order.shipping_address, order.priority
        stored.totals = as_stored.totals
        given = {line.id: line for line in as_stored.lines}
        for line in stored.lines:
            if line.id in given:
                for name in (*_QUANTITIES, "quantity", "discount", "tax"):
                    setattr(line, name, getattr(given[line.id], name))
            _check_line(line)
        self._add_events(order, actor, now)

    def search(self, flt: OrderFilter) -> list[Order]:
        found = [
            r.order
            for _, r in sorted(self.state.orders.items(), reverse=True)
            if self._matches(r.order, flt)
        ]
        return copy.deepcopy(found[: flt.limit])

    def _matches(self, order: Order, flt: OrderFilter) -> bool:
        if flt.status and order.status.value != flt.status:
            return False
        if flt.channel and order.channel != flt.channel:
            return False
        if flt.customer_email and order.customer.email != flt.customer_email.lower():
            return False
        if flt.before_id is not None and order.id >= flt.before_id:
            return False
        return not flt.q or self._matches_text(order, flt.q.strip())

    def _matches_text(self, order: Order, q: str) -> bool:
        search = read_search(q)
        if search is None:
            return True
        if search.or_number is not None and order.number == search.or_number:
            return True
        if search.or_external_id is not None and order.external_id == search.or_external_id:
            return True
        if search.kind is SearchKind.EMAIL:
            return search.finds(order.customer.email)
        if search.kind is SearchKind.NUMBER:
            return search.finds(order.number)
        if search.kind is SearchKind.TRACKING:
            return any(
                s.order_id == order.id and search.finds(s.tracking_number)
                for s in self.state.shipments.values()
            ) or any(
                r.order_id == order.id and search.finds(r.tracking_number)
                for r in self.state.returns.values()
            )
        if search.kind is SearchKind.EXTERNAL_ID:
            return search.finds(order.external_id)
        if search.kind is SearchKind.PHONE:
            return search.finds(order.customer.phone)
        if search.finds(order.customer.name.lower()):
            return True
        return search.or_external_id is not None and search.finds(order.customer.email)

    def backorders(self, product_ids: Sequence[int]) -> list[Backorder]:
        wanted = set(product_ids)
        return [
            Backorder(
                line.id,
                line.product_id,
                line.backordered_quantity,
                r.order.priority,
                r.order.created_at,
                r.order.id,
            )
            for _, r in sorted(self.state.orders.items())
            if r.order.status in WAITS_FOR_STOCK
            for line in r.order.lines
            if line.product_id in wanted and line.backordered_quantity > 0
        ]

    def waiting_orders(self) -> list[int]:
        return [
            i
            for i, r in sorted(self.state.orders.items())
            if r.order.status in WAITS_FOR_STOCK
            and any(line.backordered_quantity > 0 for line in r.order.lines)
        ]

    def delivered(
        self, after_id: int | None, limit: int, by: datetime | None = None
    ) -> list[DeliveredOrder]:
        found = []
        for order_id, r in sorted(self.state.orders.items()):
            if r.order.status is not OrderStatus.DELIVERED or order_id <= (after_id or 0):
                continue
            times = [
                e.at
                for e in self.state.order_events
                if e.order_id == order_id and e.type == OrderEventType.DELIVERED.value
            ]
            if times and (by is None or max(times) <= by):
                found.append(DeliveredOrder(order_id, r.order.channel, max(times)))
        return found[:limit]

    def events(self, order_id: int) -> list[StoredEvent]:
        return [copy.deepcopy(e) for e in self.state.order_events if e.order_id == order_id]

    def _add_events(self, order: Order, actor: str, at: datetime) -> None:
        """The events the order's verbs recorded, stamped with who and when; then forgotten.
        Their data goes through JSON, as the SQL column's does; those someone must hear
        about go to the outbox too."""
        for e in order.events:
            topic = topic_of(e.type.value)
            if topic is not None:
                data = {"order_id": order.id, "number": order.number, **e.data}
                self._uow.outbox.add(topic.value, order.id, json.loads(json.dumps(data)), at)
            self.state.order_events.append(
                StoredEvent(
                    self.state.next_id("order_events"),
                    order.id,
                    e.type.value,
                    e.from_status.value if e.from_status else None,
                    e.to_status.value if e.to_status else None,
                    actor,
                    at,
                    json.loads(json.dumps(e.data)),
                )
            )
        order.events.clear()
