"""Suppliers and purchase orders: create, send, receive (ledger rows and waiting orders
filled in the same transaction), close, cancel; and what is on order. Writes need
`purchasing.write` (admin, buyer), reads `planning.read` (admin, buyer, analyst)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from oms.domain.access import Actor, Permission
from oms.domain.errors import FieldErrors, NotFound
from oms.domain.inventory.model import LedgerKind
from oms.domain.inventory.moves import Change
from oms.domain.planning.purchase_orders import PurchaseOrder, Supplier
from oms.services import stock_moves
from oms.services.backorders import fill_backorders
from oms.services.ports import UnitOfWork
from oms.services.ports.planning import (
    NewPurchaseLine,
    PurchaseOrderQuery,
    PurchaseOrders,
    Stamp,
    SupplierTerms,
)


def create_supplier(
    uow: UnitOfWork, store: PurchaseOrders, actor: Actor, supplier: Supplier
) -> Supplier:
    actor.require(Permission.PURCHASING_WRITE)
    supplier.check()

    def work() -> Supplier:
        if store.supplier(supplier.code) is not None:
            raise FieldErrors.single("code", f"supplier {supplier.code} exists already")
        return store.add_supplier(supplier, uow.now())

    return uow.run(work)


@dataclass(frozen=True, slots=True)
class Terms:
    supplier: str
    sku: str
    cost_minor: int
    pack_size: int = 1


def set_terms(uow: UnitOfWork, store: PurchaseOrders, actor: Actor, terms: Terms) -> None:
    """The supplier's cost price of a product and its pack size."""
    actor.require(Permission.PURCHASING_WRITE)
    errors = FieldErrors()
    if terms.cost_minor < 0:
        errors.add("cost_minor", "not negative")
    if terms.pack_size < 1:
        errors.add("pack_size", "at least 1")
    errors.raise_if_any()

    def work() -> None:
        supplier = store.supplier(terms.supplier)
        product = uow.products.get(terms.sku)
        if supplier is None or product is None:
            raise NotFound(f"no supplier {terms.supplier} or no product {terms.sku}")
        store.set_terms(supplier.id, product.id, terms.cost_minor, terms.pack_size)

    uow.run(work)


@dataclass(frozen=True, slots=True)
class NewPurchaseOrder:
    supplier: str
    location: str
    lines: Sequence[tuple[str, int, int]]  # sku, units, unit cost in minor units
    expected_on: date | None = None  # kept when sent without another date


def create_purchase_order(
    uow: UnitOfWork, store: PurchaseOrders, actor: Actor, new: NewPurchaseOrder
) -> PurchaseOrder:
    """A draft: nothing is on order until it is sent."""
    actor.require(Permission.PURCHASING_WRITE)
    errors = FieldErrors()
    if not new.lines:
        errors.add("lines", "at least one line")
    for i, (_, units, cost) in enumerate(new.lines):
        if units < 1 or cost < 0:
            errors.add(f"lines.{i}", "at least one unit, a cost not negative")
    errors.raise_if_any()

    def work() -> PurchaseOrder:
        supplier = store.supplier(new.supplier)
        location = uow.locations.get(new.location)
        products = uow.products.by_skus([sku for sku, _, _ in new.lines])
        missing = FieldErrors()
        if supplier is None:
            missing.add("supplier", f"no supplier {new.supplier}")
        if location is None:
            missing.add("location", f"no location {new.location}")
        for i, (sku, _, _) in enumerate(new.lines):
            if sku not in products:
                missing.add(f"lines.{i}", f"no product {sku}")
        if new.expected_on is not None and new.expected_on < uow.now().date():
            missing.add("expected_on", "today or later")
        missing.raise_if_any()
        assert supplier is not None and location is not None
        lines = [
            NewPurchaseLine(products[sku].id, sku, units, cost) for sku, units, cost in new.lines
        ]
        stamp = Stamp(actor.name, uow.now())
        return store.add(supplier, location.id, lines, stamp, new.expected_on)

    return uow.run(work)


def _load(store: PurchaseOrders, purchase_order_id: int) -> PurchaseOrder:
    found = store.get(purchase_order_id, lock=True)
    if found is None:
        raise NotFound(f"no purchase order {purchase_order_id}")
    return found


def send(
    uow: UnitOfWork,
    store: PurchaseOrders,
    actor: Actor,
    purchase_order_id: int,
    expected_on: date | None = None,
) -> PurchaseOrder:
    """Sent to the supplier: on order from now, expected on the day given, else the one
    the draft was made with, else after the supplier's lead time."""
    actor.require(Permission.PURCHASING_WRITE)

    def work() -> PurchaseOrder:
        order = _load(store, purchase_order_id)
        now = uow.now()
        expected = expected_on or order.expected_on
        if expected is None:
            supplier = store.supplier_by_id(order.supplier_id)
            days = supplier.lead_time_days if supplier else 0
            expected = now.date() + timedelta(days=days)
        order.send(expected)
        store.save(order, now)
        return order

    return uow.run(work)


def receive(
    uow: UnitOfWork,
    store: PurchaseOrders,
    actor: Actor,
    purchase_order_id: int,
    units: Mapping[int, int],
) -> PurchaseOrder:
    """Goods arrived at the order's location: one receipt ledger row per line, the order
    partly or fully received, and waiting orders filled from them, in one transaction."""
    actor.require(Permission.PURCHASING_WRITE)

    def work() -> PurchaseOrder:
        order = _load(store, purchase_order_id)
        now = uow.now()
        per_product = order.receive(units)
        location = uow.locations.by_id(order.location_id)
        assert location is not None
        change = Change(actor.name, now, f"purchase order {order.id}")
        product_ids = sorted(per_product)
        # The lock order every writer keeps: shipping rows by id, then this location's.
        uow.stock.lock_options(product_ids)
        for product_id in product_ids:
            row = uow.stock.lock_row(location.id, product_id, now)
            stock_moves.receive(uow, row, per_product[product_id], change, LedgerKind.RECEIPT)
        store.save(order, now)
        if location.ships:
            fill_backorders(uow, product_ids, Change(actor.name, now))
        return order

    return uow.run(work)


def close(
    uow: UnitOfWork, store: PurchaseOrders, actor: Actor, purchase_order_id: int
) -> PurchaseOrder:
    """Settled with what arrived: nothing more is expected."""
    return _move(uow, store, actor, purchase_order_id, "close")


def cancel(
    uow: UnitOfWork, store: PurchaseOrders, actor: Actor, purchase_order_id: int
) -> PurchaseOrder:
    return _move(uow, store, actor, purchase_order_id, "cancel")


def _move(
    uow: UnitOfWork, store: PurchaseOrders, actor: Actor, purchase_order_id: int, verb: str
) -> PurchaseOrder:
    actor.require(Permission.PURCHASING_WRITE)

    def work() -> PurchaseOrder:
        order = _load(store, purchase_order_id)
        if verb == "close":
            order.close()
        else:
            order.cancel()
        store.save(order, uow.now())
        return order

    return uow.run(work)


def on_order(
    uow: UnitOfWork, store: PurchaseOrders, actor: Actor, skus: Sequence[str]
) -> dict[tuple[str, str], tuple[int, date | None]]:
    """(location code, sku) -> units on open purchase orders, the earliest expected date."""
    actor.require(Permission.PLANNING_READ)

    def read() -> dict[tuple[str, str], tuple[int, date | None]]:
        products = uow.products.by_skus(list(skus))
        by_id = {p.id: sku for sku, p in products.items()}
        found = store.on_order(list(by_id))
        codes = {loc.id: loc.code for loc in uow.locations.all()}
        return {(codes[loc], by_id[pid]): v for (loc, pid), v in found.items()}

    return uow.run(read, write=False)


# -- reads and supplier changes (the API and the pages) ---------------------------------


@dataclass(frozen=True, slots=True)
class SupplierDetail:
    supplier: Supplier
    terms: list[SupplierTerms]


def list_suppliers(uow: UnitOfWork, store: PurchaseOrders, actor: Actor) -> list[Supplier]:
    actor.require(Permission.PLANNING_READ)
    return uow.run(store.suppliers, write=False)


def _supplier(store: PurchaseOrders, code: str) -> Supplier:
    found = store.supplier(code)
    if found is None:
        raise NotFound(f"no supplier {code}")
    return found


def get_supplier(uow: UnitOfWork, store: PurchaseOrders, actor: Actor, code: str) -> SupplierDetail:
    """The supplier and its cost price and pack size per product."""
    actor.require(Permission.PLANNING_READ)

    def read() -> SupplierDetail:
        found = _supplier(store, code)
        return SupplierDetail(found, store.terms(found.id))

    return uow.run(read, write=False)


@dataclass(frozen=True, slots=True)
class SupplierChange:
    """What may change of a supplier (None: unchanged); its code and currency stay."""

    name: str | None = None
    lead_time_days: int | None = None
    minimum_units: int | None = None


def update_supplier(
    uow: UnitOfWork, store: PurchaseOrders, actor: Actor, code: str, change: SupplierChange
) -> Supplier:
    actor.require(Permission.PURCHASING_WRITE)

    def work() -> Supplier:
        old = _supplier(store, code)
        new = replace(
            old,
            name=old.name if change.name is None else change.name,
            lead_time_days=(
                old.lead_time_days if change.lead_time_days is None else change.lead_time_days
            ),
            minimum_units=(
                old.minimum_units if change.minimum_units is None else change.minimum_units
            ),
        )
        new.check()
        store.update_supplier(new)
        return new

    return uow.run(work)


@dataclass(frozen=True, slots=True)
class PurchaseOrderView:
    """A purchase order with the codes people know its supplier and location by."""

    order: PurchaseOrder
    supplier: str
    location: str


def _views(
    uow: UnitOfWork, store: PurchaseOrders, found: Sequence[PurchaseOrder]
) -> list[PurchaseOrderView]:
    codes = {loc.id: loc.code for loc in uow.locations.all()}
    suppliers = {s.id: s.code for s in store.suppliers()}
    return [PurchaseOrderView(o, suppliers[o.supplier_id], codes[o.location_id]) for o in found]


def list_purchase_orders(
    uow: UnitOfWork,
    store: PurchaseOrders,
    actor: Actor,
    query: PurchaseOrderQuery,
    supplier: str | None = None,
) -> list[PurchaseOrderView]:
    """The newest first; `supplier` by its code (an unknown code finds nothing)."""
    actor.require(Permission.PLANNING_READ)

    def read() -> list[PurchaseOrderView]:
        q = query
        if supplier is not None:
            found = store.supplier(supplier)
            if found is None:
                return []
            q = replace(query, supplier_id=found.id)
        return _views(uow, store, store.list(q))

    return uow.run(read, write=False)


def get_purchase_order(
    uow: UnitOfWork, store: PurchaseOrders, actor: Actor, purchase_order_id: int
) -> PurchaseOrderView:
    actor.require(Permission.PLANNING_READ)

    def read() -> PurchaseOrderView:
        found = store.get(purchase_order_id)
        if found is None:
            raise NotFound(f"no purchase order {purchase_order_id}")
        return _views(uow, store, [found])[0]

    return uow.run(read, write=False)
