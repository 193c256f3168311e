"""Use cases for orders: place, read, list, confirm, hold, release, cancel."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from oms.domain.access import Actor, Permission
from oms.domain.errors import (
    ConcurrentUpdate,
    FieldErrors,
    IdempotencyKeyReused,
    NotFound,
)
from oms.domain.fulfilment.model import Shipment
from oms.domain.inventory.model import Demand, LedgerEntry, LedgerKind, plan_reservations
from oms.domain.orders.events import OrderEvent, OrderEventType, StoredEvent
from oms.domain.orders.model import Order, OrderDraft, OrderLine, check_reason, compute_totals
from oms.domain.orders.status import OrderStatus
from oms.services.allocation import fill_backorders, reserve_planned
from oms.services.fulfilment import Change, save_order, source_units, sync_shipments
from oms.services.ports import OrderAlreadyPlaced, OrderFilter, UnitOfWork

MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class Placed:
    """The order, and whether this call created it (False: a retry returned the first one)."""

    order: Order
    created: bool


def fingerprint(draft: OrderDraft) -> str:
    """A hash of the request, to tell a true retry from a reused key with another body."""
    body = json.dumps(asdict(draft), sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def place_order(
    uow: UnitOfWork, actor: Actor, draft: OrderDraft, idempotency_key: str | None = None
) -> Placed:
    """Create the order and reserve what stock is available, in one transaction.

    A repeat (same Idempotency-Key, or same channel and external_id) returns the first
    order and changes nothing, also when the two requests race: the unique constraints
    decide, and the loser's whole transaction is rolled back.
    """
    actor.require(Permission.ORDER_CREATE)
    errors = FieldErrors()
    draft.check_shape(errors)
    errors.raise_if_any()
    request_hash = fingerprint(draft)

    def existing() -> Placed | None:
        ref = uow.orders.find_placed(idempotency_key, draft.channel, draft.external_id)
        if ref is None:
            return None
        if ref.by_key and ref.request_hash != request_hash:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used for a different order request; "
                "use a new key for a new order"
            )
        order = uow.orders.get(ref.id)
        assert order is not None
        return Placed(order, created=False)

    def work() -> Placed:
        return Placed(_create(uow, actor, draft, idempotency_key, request_hash), created=True)

    # New orders are the common case, so no look-up first: the unique keys refuse a
    # repeat, its transaction is rolled back whole, and the first order is read instead.
    try:
        return uow.run(work)
    except OrderAlreadyPlaced:
        found = uow.run(existing, write=False)
        if found is None:  # pragma: no cover - the unique constraint said it exists
            raise ConcurrentUpdate("the order that won the race is not visible yet") from None
        return found


def _create(
    uow: UnitOfWork, actor: Actor, draft: OrderDraft, key: str | None, request_hash: str
) -> Order:
    errors = FieldErrors()
    products = uow.products.by_skus([line.sku for line in draft.lines])
    currency, priced = draft.priced_lines(products, errors)
    errors.raise_if_any()
    now = uow.now()
    order = Order(
        id=0,
        number="",
        channel=draft.channel,
        external_id=draft.external_id,
        status=OrderStatus.PENDING,
        customer=draft.customer,
        shipping_address=draft.shipping_address,
        currency=currency,
        priority=draft.priority,
        totals=compute_totals(currency, [(q, p) for _, q, p in priced], draft.shipping),
        created_at=now,
        updated_at=now,
        tracking_token=secrets.token_urlsafe(16),
    )
    # The header goes first: a racing repeat waits on its unique key, not on stock locks.
    order.id, order.number = uow.orders.add(order, key, request_hash)
    options = uow.stock.lock_options(sorted({product.id for product, _, _ in priced}))
    demands = [Demand(i, product.id, qty) for i, (product, qty, _) in enumerate(priced)]
    plan = plan_reservations(demands, options)
    allocated = [0] * len(priced)
    for allocation in plan:
        allocated[allocation.line_key] += allocation.quantity
    order.lines = [
        OrderLine(
            id=0,
            sku=product.sku,
            product_id=product.id,
            quantity=qty,
            unit_price=price,
            allocated_quantity=allocated[i],
            backordered_quantity=qty - allocated[i],
        )
        for i, (product, qty, price) in enumerate(priced)
    ]
    line_ids = uow.orders.add_lines(order.id, currency, order.lines)
    for line, line_id in zip(order.lines, line_ids, strict=True):
        line.id = line_id
    reserve_planned(uow, plan, dict(enumerate(line_ids)), order.id, actor.name, now)
    uow.orders.add_events(
        order.id,
        [
            OrderEvent(
                OrderEventType.PLACED,
                None,
                OrderStatus.PENDING,
                {
                    "allocated": sum(allocated),
                    "backordered": sum(line.backordered_quantity for line in order.lines),
                    "locations": sorted({a.location_id for a in plan}),
                },
            )
        ],
        actor.name,
        now,
    )
    return order


def get_order(uow: UnitOfWork, actor: Actor, order_id: int) -> Order:
    actor.require(Permission.ORDER_READ)
    return uow.run(lambda: _load(uow, order_id), write=False)


def _load(uow: UnitOfWork, order_id: int) -> Order:
    order = uow.orders.get(order_id)
    if order is None:
        raise NotFound(f"no order with id {order_id}")
    return order


@dataclass(frozen=True, slots=True)
class OrderDetail:
    """An order with its shipments and the latest sourcing decision's explanation."""

    order: Order
    shipments: list[Shipment]
    sourcing: dict[str, Any] | None


def order_detail(uow: UnitOfWork, actor: Actor, order_id: int) -> OrderDetail:
    actor.require(Permission.ORDER_READ)

    def work() -> OrderDetail:
        order = _load(uow, order_id)
        shipments = uow.shipments.of_orders([order.id])[order.id]
        sourced = [e for e in uow.orders.events(order.id) if e.type == OrderEventType.SOURCED]
        return OrderDetail(order, shipments, sourced[-1].data if sourced else None)

    return uow.run(work, write=False)


def list_orders(uow: UnitOfWork, actor: Actor, flt: OrderFilter) -> list[Order]:
    actor.require(Permission.ORDER_READ)
    flt = replace(flt, limit=max(1, min(flt.limit, MAX_PAGE)))
    return uow.run(lambda: uow.orders.search(flt), write=False)


def order_events(uow: UnitOfWork, actor: Actor, order_id: int) -> list[StoredEvent]:
    actor.require(Permission.ORDER_READ)

    def work() -> list[StoredEvent]:
        _load(uow, order_id)
        return uow.orders.events(order_id)

    return uow.run(work, write=False)


def _transition(
    uow: UnitOfWork, actor: Actor, order_id: int, verb: Callable[[Order], object]
) -> Order:
    def work() -> Order:
        order = _load(uow, order_id)
        verb(order)
        save_order(uow, order, actor.name)
        return order

    return uow.run(work)


def confirm_order(uow: UnitOfWork, actor: Actor, order_id: int) -> Order:
    """Confirm, then source: decide which locations ship what, and make their shipments.

    The order's reservations move to the locations the sourcing rule picks (one location
    for the whole order where it can, else the fewest shipments, then the lowest cost);
    units it frees elsewhere go to waiting orders.
    """
    actor.require(Permission.ORDER_CONFIRM)

    def work() -> Order:
        order = _load(uow, order_id)
        order.confirm()
        now = uow.now()
        products = sorted({line.product_id for line in order.lines})
        uow.stock.lock_options(products)
        own: dict[tuple[int, int], int] = {}
        for r in uow.stock.reservations_of(order.id):
            key = (r.order_line_id, r.stock_id)
            own[key] = own.get(key, 0) + r.quantity
        demand = {
            line.id: line.allocated_quantity + line.backordered_quantity for line in order.lines
        }
        before = dict(own)
        decision = source_units(uow, order, demand, own, Change(actor.name, now, "order confirmed"))
        save_order(uow, order, actor.name, now)
        sync_shipments(uow, order, actor.name, now)
        kept = {(a.line_key, a.stock_id) for a in decision.allocations}
        if any(key not in kept for key in before):
            fill_backorders(uow, products, actor.name, now)
        return order

    return uow.run(work)


def hold_order(uow: UnitOfWork, actor: Actor, order_id: int, reason: str) -> Order:
    actor.require(Permission.ORDER_HOLD)
    check_reason(reason)
    return _transition(uow, actor, order_id, lambda order: order.hold(reason))


def release_order(uow: UnitOfWork, actor: Actor, order_id: int, reason: str) -> Order:
    actor.require(Permission.ORDER_HOLD)
    check_reason(reason)
    return _transition(uow, actor, order_id, lambda order: order.release(reason))


def cancel_order(uow: UnitOfWork, actor: Actor, order_id: int, reason: str) -> Order:
    """Cancel every open unit; what the order reserved goes to waiting orders or is freed."""
    actor.require(Permission.ORDER_CANCEL)
    check_reason(reason)

    def work() -> Order:
        order = _load(uow, order_id)
        order.cancel(reason)
        now = uow.now()
        reservations = uow.stock.reservations_of(order.id)
        products = sorted({line.product_id for line in order.lines})
        # Every shipping row of these products, in id order, before anything else: the
        # released units are offered to waiting orders below, under the same locks.
        uow.stock.lock_options(products)
        uow.stock.lock_rows(sorted({r.stock_id for r in reservations}))
        for r in reservations:
            uow.stock.reduce_reservation(r.id, r.quantity)
            if not uow.stock.release(r.stock_id, r.quantity):
                raise ConcurrentUpdate("reserved quantity moved during cancellation")
        uow.stock.append_ledger(
            [
                LedgerEntry(
                    r.stock_id,
                    LedgerKind.RELEASE,
                    0,
                    -r.quantity,
                    actor.name,
                    now,
                    f"order cancelled: {reason}",
                    order.id,
                    r.order_line_id,
                )
                for r in reservations
            ]
        )
        save_order(uow, order, actor.name, now)  # version check: a concurrent fill retries
        sync_shipments(uow, order, actor.name, now)
        if reservations:
            fill_backorders(uow, products, actor.name, now)
        return order

    return uow.run(work)
