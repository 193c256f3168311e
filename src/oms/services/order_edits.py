"""Editing an order before picking starts: line quantities, new and removed lines, the
shipping address, the priority; in one transaction, all or nothing (docs/order-edits.md).

Every edit goes through the order's edit verbs (domain/orders/edits.py), moves stock only
through stock_moves, sources the order again by the one sourcing rule when its lines or
its address changed, makes its shipments follow, and settles money: what an edit adds to a
paid order is due, what it takes off is refunded (as cancelling a line is).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from oms.domain.access import Actor, Permission
from oms.domain.catalogue.model import Product
from oms.domain.errors import ConcurrentUpdate, Conflict, FieldErrors, NotFound
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.inventory.moves import Change
from oms.domain.orders.edits import StartedShipment, check_editable
from oms.domain.orders.model import Address, Order
from oms.domain.payments.amounts import to_minor
from oms.domain.payments.refunds import for_edit
from oms.services import payments, sourcing, stock_moves
from oms.services.backorders import fill_backorders
from oms.services.orders import NO_REFUNDS_ABOVE, refunded_after
from oms.services.ports import UnitOfWork
from oms.services.shipment_sync import sync_shipments

_NOT_STARTED = frozenset({ShipmentStatus.OPEN, ShipmentStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class NewLine:
    """A line to add: the catalogue's price unless `unit_price` is given (it must be, when
    the product is priced in another currency); `tax` as the channel would charge it."""

    sku: str
    quantity: int
    unit_price: Decimal | None = None
    tax: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class OrderEdit:
    """What one edit changes; everything in it applies, or nothing does."""

    quantities: Mapping[int, int] = field(default_factory=dict)  # line id -> new quantity
    add: Sequence[NewLine] = ()
    remove: Sequence[int] = ()  # line ids
    address: Address | None = None
    priority: int | None = None

    @property
    def touches_lines(self) -> bool:
        return bool(self.quantities or self.add or self.remove)

    @property
    def is_empty(self) -> bool:
        return not self.touches_lines and self.address is None and self.priority is None


def edit_order(
    uow: UnitOfWork,
    actor: Actor,
    order_id: int,
    edit: OrderEdit,
    limit: Decimal = NO_REFUNDS_ABOVE,
) -> Order:
    """Apply `edit` to an order whose warehouse work has not started, or refuse it whole:
    409 once a pick started or the order is past confirmed, 422 for invalid input. A paid
    order is refunded what the edit takes off (the refund is stored with the edit, then
    asked of the provider); what it adds is due."""
    actor.require(Permission.ORDER_EDIT)
    if edit.is_empty:
        raise FieldErrors.single("body", "nothing to change")

    def work() -> tuple[Order, int | None]:
        seen = _load(uow, order_id)
        products = _new_products(uow, edit.add)
        involved = sorted({ln.product_id for ln in seen.lines} | {p.id for p in products})
        # Stock rows first (in id order), then the order row: the lock order of placing,
        # cancelling and filling; a pick list locks the order, then its shipments.
        uow.stock.lock_options(involved)
        order = uow.orders.get(order_id, lock=True)
        if order is None or order.version != seen.version:
            raise ConcurrentUpdate(f"order {seen.number} changed while it was being edited")
        shipments = uow.shipments.of_orders([order.id])[order.id]
        check_editable(
            order,
            [
                StartedShipment(s.id, s.location, s.status.value)
                for s in shipments
                if s.status not in _NOT_STARTED
            ],
        )
        now = uow.now()
        change = Change(actor.name, now, "order edited")
        charged = {ln.id: _charged(order, ln.id) for ln in order.lines}
        due_before = order.due()
        released = _apply_lines(uow, order, edit, products)
        moved = order.change_address(edit.address) if edit.address is not None else False
        if edit.priority is not None:
            order.change_priority(edit.priority)
        stock_moves.release(uow, order.id, released, change)
        freed = bool(released)
        if edit.touches_lines or moved:
            freed = _source_again(uow, order, change) or freed
        sync_shipments(uow, order, now)
        refund_id = _settle(uow, actor, order, (charged, due_before), limit)
        uow.orders.save(order, actor.name, now)
        if freed:
            fill_backorders(uow, involved, change)
        return order, refund_id

    return refunded_after(uow, actor, order_id, uow.run(work))


def _load(uow: UnitOfWork, order_id: int) -> Order:
    order = uow.orders.get(order_id)
    if order is None:
        raise NotFound(f"no order with id {order_id}")
    return order


def _new_products(uow: UnitOfWork, add: Sequence[NewLine]) -> list[Product]:
    """The products of the lines to add: known, not archived, each once (else 422)."""
    if not add:
        return []
    found = uow.products.by_skus([n.sku for n in add])
    errors = FieldErrors()
    seen: set[str] = set()
    for i, n in enumerate(add):
        product = found.get(n.sku)
        name = _field(add, i, "sku")
        if product is None:
            errors.add(name, f"unknown SKU {n.sku!r}")
        elif product.archived:
            errors.add(name, f"product {n.sku!r} is archived and cannot be ordered")
        elif n.sku in seen:
            errors.add(name, f"SKU {n.sku!r} is given twice; send one line per SKU")
        seen.add(n.sku)
    errors.raise_if_any()
    return [found[n.sku] for n in add]


def _field(add: Sequence[NewLine], i: int, name: str) -> str:
    """The field an error names: the body's own for one new line (as every entry point
    sends), `lines[i].name` for several."""
    return name if len(add) == 1 else f"lines[{i}].{name}"


def _charged(order: Order, line_id: int) -> int:
    line = next(ln for ln in order.lines if ln.id == line_id)
    return line.charged(order.currency, order.prices_include_tax)


def _apply_lines(
    uow: UnitOfWork, order: Order, edit: OrderEdit, products: Sequence[Product]
) -> dict[tuple[int, int], int]:
    """The line verbs: quantities, removals, new lines (inserted before stock is reserved
    for them). Returns the reserved units given up, per (line, stock row), newest first."""
    ids = {ln.id for ln in order.lines}
    both = set(edit.quantities) & set(edit.remove)
    if both:
        raise FieldErrors.single("lines", f"line {min(both)} is both changed and removed")
    for line_id in [*edit.quantities, *edit.remove]:
        if line_id not in ids:
            raise NotFound(f"order {order.number} has no line {line_id}")
    released: dict[tuple[int, int], int] = {}
    for line_id, quantity in sorted(edit.quantities.items()):
        given_up = order.change_line_quantity(line_id, quantity)
        released.update(stock_moves.newest_held(uow, order.id, line_id, given_up))
    for line_id in sorted(set(edit.remove)):
        given_up = order.remove_line(line_id)
        released.update(stock_moves.newest_held(uow, order.id, line_id, given_up))
    if edit.add:
        line_ids = uow.orders.next_line_ids(len(edit.add))
        for i, (n, product, line_id) in enumerate(zip(edit.add, products, line_ids, strict=True)):
            price = n.unit_price
            if price is None:
                if product.currency != order.currency:
                    raise FieldErrors.single(
                        _field(edit.add, i, "unit_price"),
                        f"{n.sku} is priced in {product.currency}; give a {order.currency} price",
                    )
                price = product.price
            order.add_line(line_id, product, n.quantity, (price, n.tax))
        uow.orders.add_lines(order, line_ids)
    return released


def _source_again(uow: UnitOfWork, order: Order, change: Change) -> bool:
    """Source every open unit of the order again, by the one rule, counting what it holds
    as its own: an order that fits one location moves there, a new address may change the
    best location (or make local delivery possible). Returns whether it freed stock."""
    own: dict[tuple[int, int], int] = defaultdict(int)
    for r in uow.stock.reservations_of(order.id):
        own[(r.order_line_id, r.stock_id)] += r.quantity
    demand = {ln.id: ln.allocated_quantity + ln.backordered_quantity for ln in order.lines}
    decision = sourcing.source_units(uow, order, demand, own, change)
    kept: dict[tuple[int, int], int] = defaultdict(int)
    for a in decision.allocations:
        kept[(a.line_key, a.stock_id)] += a.quantity
    return any(kept.get(key, 0) < q for key, q in own.items())


def _settle(
    uow: UnitOfWork,
    actor: Actor,
    order: Order,
    before: tuple[Mapping[int, int], Decimal],
    limit: Decimal,
) -> int | None:
    """The money of a paid order after an edit: more to pay is due (its payment status
    says so); less is refunded, what was paid beyond the new cost. Returns the refund's id."""
    if order.paid_total <= 0:
        return None
    charged, due_before = before
    cur = order.currency
    basis = payments.basis(uow, order)
    due = to_minor(order.due(), cur)
    if due > to_minor(due_before, cur) and basis.claimed > 0:
        raise Conflict(
            f"order {order.number} had money refunded: an edit that makes it cost more"
            " cannot be settled (payments are counted without refunds); place a new order"
            " for the extra units"
        )
    drops = {
        ln.id: charged.get(ln.id, 0) - ln.charged(cur, order.prices_include_tax)
        for ln in order.lines
    }
    plan = for_edit(basis, drops, due)
    if plan is None or plan.amount <= 0:
        return None
    refund = payments.start_refund(uow, actor, order, plan, (None, "order edited"), limit)
    return refund.id
