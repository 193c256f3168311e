"""Use cases for orders: place, read, list, confirm, hold, release, cancel, complete."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from oms.domain.access import Actor, Permission
from oms.domain.catalogue.model import Product
from oms.domain.errors import (
    ConcurrentUpdate,
    FieldErrors,
    IdempotencyKeyReused,
    NotFound,
)
from oms.domain.fulfilment.model import Shipment
from oms.domain.inventory.holds import HoldNotUsable
from oms.domain.inventory.model import StockOption
from oms.domain.inventory.moves import Change
from oms.domain.orders.events import OrderEventType, StoredEvent
from oms.domain.orders.model import InitialAllocation, Order, OrderDraft, check_reason
from oms.domain.payments.refunds import NothingToRefund, for_cancelled
from oms.services import holds, payments, sourcing, stock_moves
from oms.services.backorders import fill_backorders, fill_scope
from oms.services.order_fingerprint import fingerprint
from oms.services.placement_plan import (
    Plan,
    Prepared,
    Priced,
    kits_of,
    make_plan,
    planned,
)
from oms.services.ports import UnitOfWork
from oms.services.ports.orders import OrderAlreadyPlaced, OrderFilter
from oms.services.shipment_sync import sync_shipments

MAX_PAGE = 200
NO_LIMIT = Decimal("Infinity")
# The refund limit when a caller gives none: nothing, so only those allowed past any limit
# (admin) refund through a cancellation. Entry points pass the setting (refund_limit).
NO_REFUNDS_ABOVE = Decimal(0)


@dataclass(frozen=True, slots=True)
class CancelLine:
    line_id: int
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class Placed:
    """The order, and whether this call created it (False: a retry returned the first one)."""

    order: Order
    created: bool


def place_order(  # noqa: PLR0913 - a placement's inputs, and what callers read ahead
    uow: UnitOfWork,
    actor: Actor,
    draft: OrderDraft,
    idempotency_key: str | None = None,
    placed_at: datetime | None = None,
    products: Mapping[str, Product] | None = None,
    prepared: Prepared | None = None,
) -> Placed:
    """Create the order and reserve what stock is available, in one transaction.

    A repeat (same Idempotency-Key, or same channel and external_id) returns the first
    order and changes nothing, also when the two requests race: the unique constraints
    decide, and the loser's whole transaction is rolled back. `placed_at`: when the channel
    took the order, if not now (a CSV import of orders placed earlier). `products`: the
    draft's products by SKU, read by the caller in the same transaction (an import reads a
    whole batch's at once); a SKU missing from it is unknown. `prepared`: the products and
    the plan read before this transaction (`placement_plan.prepare`, in the API's token
    check), so that on SQLite the one write lock covers only the ids, the rows and the
    stock updates.
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

    attempts = 0

    def work() -> Placed:
        # The first attempt plans from an unlocked read and reserves last (_create); a
        # retry (the stock moved meanwhile) locks the rows first, as every writer does.
        nonlocal attempts
        attempts += 1
        with uow.deferred_inserts(one_order=True) as updates_last:
            order = _create(
                uow, actor, draft, idempotency_key, request_hash, placed_at, products,
                lock_first=attempts > 1 or not updates_last, prepared=prepared,
            )  # fmt: skip
        return Placed(order, created=True)

    # New orders are the common case, so no look-up first: the unique keys refuse a
    # repeat, its transaction is rolled back whole, and the first order is read instead.
    try:
        return uow.run(work, grouped=True)
    except OrderAlreadyPlaced:
        found = uow.run(existing, write=False)
        if found is None:  # pragma: no cover - the unique constraint said it exists
            raise ConcurrentUpdate("the order that won the race is not visible yet") from None
        return found
    except HoldNotUsable:
        # A retry of an order that took its hold: the hold is gone, the first order stands.
        found = uow.run(existing, write=False)
        if found is None:
            raise
        return found


def place_within(uow: UnitOfWork, actor: Actor, draft: OrderDraft) -> Order:
    """Place an order inside the caller's transaction (an exchange places its replacement
    order in the same transaction that marks the return exchanged)."""
    errors = FieldErrors()
    draft.check_shape(errors)
    errors.raise_if_any()
    return _create(uow, actor, draft, None, fingerprint(draft))


def _create(  # noqa: PLR0913 - place_order's own inputs, passed through
    uow: UnitOfWork,
    actor: Actor,
    draft: OrderDraft,
    key: str | None,
    request_hash: str,
    placed_at: datetime | None = None,
    known: Mapping[str, Product] | None = None,
    lock_first: bool = True,
    prepared: Prepared | None = None,
) -> Order:
    """`lock_first=False`: plan from an unlocked read of the stock rows when no line
    waits (inside `uow.deferred_inserts(one_order=True)`, which runs the updates last);
    `prepared`: the products, prices and that plan, made before this transaction
    (placement_plan.prepare)."""
    currency, priced = _priced(uow, draft, known, prepared)
    now = placed_at or uow.now()
    hold = None if draft.hold_id is None else holds.open_for_order(uow, draft.hold_id)
    identity = uow.orders.next_identity(len(priced))
    # Reserve where the order will ship from: the one sourcing rule, on locked rows. A
    # kit is sourced as one product and reserved on its components' rows (decision 0008).
    kits = kits_of(priced)
    wanted = {product.id for product, _, _ in priced}
    if hold is not None:
        wanted |= {u.product_id for u in hold.units}
    scope = sourcing.stock_products(sorted(wanted), kits)
    if hold is not None:
        hold.check_convertible(draft.channel, now)
    to = sourcing.Destination(draft.shipping_address, currency)

    def plan(options: list[StockOption]) -> Plan:
        units = hold.units if hold else ()
        return make_plan(uow, to, priced, kits, units, options)

    ahead = prepared.plan if prepared is not None else None
    if ahead is not None and not lock_first and hold is None:
        made = ahead
    else:
        made = planned(uow, scope, lock_first or hold is not None, plan)
    where, taken, lines, decision = made
    line_id = identity.line_ids.__getitem__  # a plan keys the lines 0..n-1
    units: dict[tuple[int, int], int] = defaultdict(int)
    per_line: dict[int, int] = defaultdict(int)
    for a in decision.allocations:
        units[(line_id(a.line_key), a.stock_id)] += a.quantity
        per_line[a.line_key] += a.line_units
    held_at: list[int] = []
    held_per: dict[tuple[int, int], int] = {}
    for line, took in zip(lines, taken, strict=True):
        for stock_id, q in took.rows.items():
            units[(line_id(line.line_key), stock_id)] += q
            held_at.extend([where[stock_id]] if stock_id in where else [])
            if stock_id in took.per:
                held_per[(line_id(line.line_key), stock_id)] = took.per[stock_id]
        per_line[line.line_key] += took.units
    allocated = InitialAllocation(
        tuple(per_line.get(line.line_key, 0) for line in lines),
        tuple(a.location_id for a in decision.allocations) + tuple(held_at),
    )
    order = Order.place(
        identity, draft, (currency, priced), allocated, now, secrets.token_urlsafe(16)
    )
    uow.orders.add(order, key, request_hash, actor.name)
    change = Change(actor.name, now)
    if hold is not None:
        holds.convert(uow, hold.id, draft.channel, order.id, now)
    per_unit = None
    if kits:
        planned_per = sourcing.per_unit_of(decision.allocations).items()
        per_unit = {**{(line_id(k), s): n for (k, s), n in planned_per}, **held_per}
    stock_moves.reserve(uow, order.id, units, change, per_unit)
    if hold is not None and sum(t.total for t in taken) < sum(u.quantity for u in hold.units):
        # Units the hold kept beyond what the order wanted are free again: waiting orders first.
        fill_backorders(uow, sorted({u.product_id for u in hold.units}), change)
    return order


def _priced(
    uow: UnitOfWork,
    draft: OrderDraft,
    known: Mapping[str, Product] | None,
    prepared: Prepared | None,
) -> tuple[str, Priced]:
    """The order's currency and its lines' products and prices (InvalidInput if a line
    cannot be priced), as prepared ahead if they were."""
    if prepared is not None and prepared.priced is not None:
        return prepared.priced
    if prepared is not None:
        known = prepared.products
    skus = [line.sku for line in draft.lines]
    if known is None:
        products = uow.products.by_skus(skus)
    else:
        products = {sku: known[sku] for sku in skus if sku in known}
    errors = FieldErrors()
    found = draft.priced_lines(products, errors)
    errors.raise_if_any()
    return found


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


def add_note(uow: UnitOfWork, actor: Actor, order_id: int, text: str) -> StoredEvent:
    """A note in the order's timeline, in any status; it moves nothing."""
    actor.require(Permission.ORDER_NOTE)

    def work() -> StoredEvent:
        order = _load(uow, order_id)
        order.note(text)
        uow.orders.save(order, actor.name, uow.now())
        return uow.orders.events(order_id)[-1]

    return uow.run(work)


def _transition(
    uow: UnitOfWork, actor: Actor, order_id: int, verb: Callable[[Order], object]
) -> Order:
    def work() -> Order:
        order = _load(uow, order_id)
        verb(order)
        uow.orders.save(order, actor.name, uow.now())
        return order

    return uow.run(work)


def confirm_order(uow: UnitOfWork, actor: Actor, order_id: int) -> Order:
    """Confirm, then source: the order was reserved where it ships from when it was placed,
    so this moves reservations only if stock changed since (or units were backordered).

    Units it frees elsewhere go to waiting orders.
    """
    actor.require(Permission.ORDER_CONFIRM)

    def work() -> Order:
        order = _load(uow, order_id)
        order.confirm()
        now = uow.now()
        products = sorted({line.product_id for line in order.lines})
        uow.stock.lock_options(fill_scope(uow, products))
        own: dict[tuple[int, int], int] = defaultdict(int)
        for r in uow.stock.reservations_of(order.id):
            own[(r.order_line_id, r.stock_id)] += r.quantity
        demand = {
            line.id: line.allocated_quantity + line.backordered_quantity for line in order.lines
        }
        change = Change(actor.name, now, "order confirmed")
        decision = sourcing.source_units(uow, order, demand, own, change)
        sync_shipments(uow, order, now)
        uow.orders.save(order, actor.name, now)
        kept = {(a.line_key, a.stock_id) for a in decision.allocations}
        if any(key not in kept for key in own):
            fill_backorders(uow, products, change)
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


def cancel_order(
    uow: UnitOfWork, actor: Actor, order_id: int, reason: str, limit: Decimal = NO_REFUNDS_ABOVE
) -> Order:
    """Cancel every open unit; what the order reserved goes to waiting orders or is freed.
    A paid order is refunded what it paid for those units (and its shipping, if nothing
    shipped): the refund is stored with the cancellation, then asked of the provider."""
    actor.require(Permission.ORDER_CANCEL)
    check_reason(reason)

    def work() -> tuple[Order, int | None]:
        order = _load(uow, order_id)
        before = {line.id: line.cancelled_quantity for line in order.lines}
        order.cancel(reason)
        now = uow.now()
        products = sorted({line.product_id for line in order.lines})
        # Every shipping row of these products (a kit's: its components'), in id order,
        # before anything else: the released units are offered to waiting orders below.
        uow.stock.lock_options(fill_scope(uow, products))
        change = Change(actor.name, now, f"order cancelled: {reason}")
        released = stock_moves.release_all(uow, order.id, change)
        sync_shipments(uow, order, now)
        cancelled = {ln.id: ln.cancelled_quantity - before[ln.id] for ln in order.lines}
        refund_id = _refund_cancelled(uow, actor, order, cancelled, reason, limit)
        uow.orders.save(order, actor.name, now)  # version check: a concurrent fill retries
        if released:
            fill_backorders(uow, products, change)
        return order, refund_id

    return refunded_after(uow, actor, order_id, uow.run(work))


def cancel_line(
    uow: UnitOfWork,
    actor: Actor,
    order_id: int,
    cmd: CancelLine,
    limit: Decimal = NO_REFUNDS_ABOVE,
) -> Order:
    """Cancel units of one line that have not shipped (the rest of the order goes on):
    backordered units first, then reserved ones, whose stock is released and offered to
    waiting orders. A paid order is refunded for them."""
    actor.require(Permission.ORDER_CANCEL)
    check_reason(cmd.reason)

    def work() -> tuple[Order, int | None]:
        order = _load(uow, order_id)
        line = next((ln for ln in order.lines if ln.id == cmd.line_id), None)
        if line is None:
            raise NotFound(f"order {order.number} has no line {cmd.line_id}")
        allocated = order.cancel_line(cmd.line_id, cmd.quantity, cmd.reason)
        now = uow.now()
        uow.stock.lock_options(fill_scope(uow, [line.product_id]))
        change = Change(actor.name, now, f"line cancelled: {cmd.reason}")
        held = stock_moves.newest_held(uow, order.id, line.id, allocated)
        stock_moves.release(uow, order.id, held, change)
        sync_shipments(uow, order, now)
        refund_id = _refund_cancelled(uow, actor, order, {line.id: cmd.quantity}, cmd.reason, limit)
        uow.orders.save(order, actor.name, now)
        if allocated:
            fill_backorders(uow, [line.product_id], change)
        return order, refund_id

    return refunded_after(uow, actor, order_id, uow.run(work))


def refunded_after(
    uow: UnitOfWork, actor: Actor, order_id: int, done: tuple[Order, int | None]
) -> Order:
    """After a cancellation committed: send its refund, if it made one, and read the order
    again (the refund's answer changed it)."""
    order, refund_id = done
    if refund_id is None:
        return order
    payments.send_refund(uow, actor, refund_id)
    return uow.run(lambda: _load(uow, order_id), write=False)


def _refund_cancelled(
    uow: UnitOfWork,
    actor: Actor,
    order: Order,
    units: dict[int, int],
    reason: str,
    limit: Decimal,
) -> int | None:
    """Store the refund of cancelled units of a paid order (None when nothing is owed)."""
    units = {k: n for k, n in units.items() if n > 0}
    if not units or order.paid_total <= order.refunded_total:
        return None
    try:
        plan = for_cancelled(payments.basis(uow, order), units)
    except NothingToRefund:
        return None
    if plan.amount <= 0:
        return None
    refund = payments.start_refund(uow, actor, order, plan, (None, f"cancelled: {reason}"), limit)
    return refund.id
