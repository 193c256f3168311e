"""Suppliers and purchase orders (docs/planning.md): `purchasing.write` changes them (admin,
buyer), `planning.read` reads them (admin, buyer, analyst)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from oms.api.deps import ActorDep, ContainerDep, IdPath, UowDep
from oms.api.pagination import PageDep, after_id, page, whole
from oms.api.schemas.common import Page
from oms.api.schemas.purchasing import (
    PurchaseOrderIn,
    PurchaseOrderOut,
    ReceiveIn,
    SendIn,
    SupplierIn,
    SupplierOut,
    SupplierPatchIn,
    TermsIn,
    TermsOut,
    to_minor,
)
from oms.api.schemas.replenishment import LeadTimeOut
from oms.domain.planning.purchase_orders import PurchaseOrderStatus
from oms.services import purchasing, replenishment
from oms.services.ports.planning import PurchaseOrderQuery
from oms.services.purchasing import NewPurchaseOrder, Terms

router = APIRouter(tags=["planning"])
Code = Annotated[str, Query(max_length=32)]


@router.post("/suppliers", status_code=201)
def create_supplier(
    body: SupplierIn, uow: UowDep, actor: ActorDep, container: ContainerDep
) -> SupplierOut:
    """A supplier: its currency, lead time in days and minimum order in units. 422 if the
    code is taken."""
    made = purchasing.create_supplier(uow, container.purchase_orders(uow), actor, body.to_domain())
    return SupplierOut.of(made)


@router.get("/suppliers")
def list_suppliers(uow: UowDep, actor: ActorDep, container: ContainerDep) -> Page[SupplierOut]:
    """Every supplier, by code (given whole)."""
    found = purchasing.list_suppliers(uow, container.purchase_orders(uow), actor)
    return whole(found, SupplierOut.of)


@router.get("/suppliers/{code}")
def get_supplier(code: str, uow: UowDep, actor: ActorDep, container: ContainerDep) -> SupplierOut:
    """The supplier with its cost price and pack size per product, and its lead time
    observed from receipts (days from sending to each receipt: mean, spread, 95%)."""
    detail = purchasing.get_supplier(uow, container.purchase_orders(uow), actor, code)
    observed = replenishment.supplier_lead_times(
        uow, container.replenishment(uow), actor, code, detail.supplier.lead_time_days
    )
    out = SupplierOut.of(detail.supplier, detail)
    out.observed_lead_time = LeadTimeOut.of(observed.supplier)
    out.product_lead_times = {k: LeadTimeOut.of(v) for k, v in observed.products.items()}
    return out


@router.patch("/suppliers/{code}")
def update_supplier(
    code: str, body: SupplierPatchIn, uow: UowDep, actor: ActorDep, container: ContainerDep
) -> SupplierOut:
    """Change its name, lead time or minimum order (the code and currency stay)."""
    store = container.purchase_orders(uow)
    return SupplierOut.of(purchasing.update_supplier(uow, store, actor, code, body.to_domain()))


@router.put("/suppliers/{code}/products/{sku}")
def set_terms(
    code: str, sku: str, body: TermsIn, uow: UowDep, actor: ActorDep, container: ContainerDep
) -> TermsOut:
    """What the supplier charges for one unit of the product (in its currency) and its
    pack size; replaces what was there."""
    store = container.purchase_orders(uow)
    currency = purchasing.get_supplier(uow, store, actor, code).supplier.currency
    cost = to_minor(body.unit_cost, currency, "unit_cost")
    purchasing.set_terms(uow, store, actor, Terms(code, sku, cost, body.pack_size))
    detail = purchasing.get_supplier(uow, store, actor, code)
    [terms] = [t for t in detail.terms if t.sku == sku]
    return TermsOut.of(terms, currency)


@router.post("/purchase-orders", status_code=201)
def create_purchase_order(
    body: PurchaseOrderIn, uow: UowDep, actor: ActorDep, container: ContainerDep
) -> PurchaseOrderOut:
    """A draft purchase order to a supplier, delivered to a location: nothing is on order
    until it is sent. Costs are in the supplier's currency; `expected_on` (today or later)
    is kept when it is sent without another date."""
    store = container.purchase_orders(uow)
    currency = purchasing.get_supplier(uow, store, actor, body.supplier).supplier.currency
    lines = [
        (x.sku, x.quantity, to_minor(x.unit_cost, currency, f"lines.{i}.unit_cost"))
        for i, x in enumerate(body.lines)
    ]
    new = NewPurchaseOrder(body.supplier, body.location, lines, body.expected_on)
    made = purchasing.create_purchase_order(uow, store, actor, new)
    return PurchaseOrderOut.of(purchasing.get_purchase_order(uow, store, actor, made.id))


@router.get("/purchase-orders")
def list_purchase_orders(
    uow: UowDep,
    actor: ActorDep,
    container: ContainerDep,
    asked: PageDep,
    status: PurchaseOrderStatus | None = None,
    supplier: Code | None = None,
) -> Page[PurchaseOrderOut]:
    """The newest first, by status and supplier code if given."""
    query = PurchaseOrderQuery(status and status.value, None, after_id(asked), asked.limit)
    found = purchasing.list_purchase_orders(
        uow, container.purchase_orders(uow), actor, query, supplier
    )
    return page(found, PurchaseOrderOut.of, asked, lambda v: v.order.id)


@router.get("/purchase-orders/{purchase_order_id}")
def get_purchase_order(
    purchase_order_id: IdPath, uow: UowDep, actor: ActorDep, container: ContainerDep
) -> PurchaseOrderOut:
    store = container.purchase_orders(uow)
    return PurchaseOrderOut.of(purchasing.get_purchase_order(uow, store, actor, purchase_order_id))


@router.post("/purchase-orders/{purchase_order_id}/send")
def send(
    purchase_order_id: IdPath,
    uow: UowDep,
    actor: ActorDep,
    container: ContainerDep,
    body: SendIn | None = None,
) -> PurchaseOrderOut:
    """Sent to the supplier: on order from now, expected on the date given or after the
    supplier's lead time. 409 unless a draft."""
    store = container.purchase_orders(uow)
    expected = body.expected_on if body else None
    purchasing.send(uow, store, actor, purchase_order_id, expected)
    return PurchaseOrderOut.of(purchasing.get_purchase_order(uow, store, actor, purchase_order_id))


@router.post("/purchase-orders/{purchase_order_id}/receive")
def receive(
    purchase_order_id: IdPath,
    body: ReceiveIn,
    uow: UowDep,
    actor: ActorDep,
    container: ContainerDep,
) -> PurchaseOrderOut:
    """Units of its lines arrived at its location: receipt rows in the stock ledger, the
    order partly or fully received, and waiting orders (backorders) filled from them, in
    one transaction. 422 for more than is outstanding; 409 unless sent or partly received."""
    store = container.purchase_orders(uow)
    purchasing.receive(uow, store, actor, purchase_order_id, body.units())
    return PurchaseOrderOut.of(purchasing.get_purchase_order(uow, store, actor, purchase_order_id))


@router.post("/purchase-orders/{purchase_order_id}/cancel")
def cancel(
    purchase_order_id: IdPath, uow: UowDep, actor: ActorDep, container: ContainerDep
) -> PurchaseOrderOut:
    """Nothing will come: 409 once anything was received (close it instead)."""
    store = container.purchase_orders(uow)
    purchasing.cancel(uow, store, actor, purchase_order_id)
    return PurchaseOrderOut.of(purchasing.get_purchase_order(uow, store, actor, purchase_order_id))


@router.post("/purchase-orders/{purchase_order_id}/close")
def close(
    purchase_order_id: IdPath, uow: UowDep, actor: ActorDep, container: ContainerDep
) -> PurchaseOrderOut:
    """Settled with what arrived: the rest is no longer expected. 409 unless partly or
    fully received."""
    store = container.purchase_orders(uow)
    purchasing.close(uow, store, actor, purchase_order_id)
    return PurchaseOrderOut.of(purchasing.get_purchase_order(uow, store, actor, purchase_order_id))
