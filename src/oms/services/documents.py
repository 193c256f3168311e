"""The printed documents of fulfilment: gathering a pick list, a packing slip, a label or
a return label for the renderer (`ports/documents.py`) to print."""

from __future__ import annotations

from collections.abc import Mapping

from oms.domain.access import Actor, Permission
from oms.domain.catalogue.kits import described
from oms.domain.catalogue.model import Location, Product
from oms.domain.errors import Conflict, NotFound
from oms.domain.fulfilment.model import Shipment
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.orders.model import Address, Order
from oms.services.ports import UnitOfWork
from oms.services.ports.documents import (
    DocAddress,
    LabelDoc,
    PackingSlipDoc,
    PickLineDoc,
    PickLineShare,
    PickListDoc,
    SlipLineDoc,
)


def _doc_address(address: Address) -> DocAddress:
    lines = (address.line1,) + ((address.line2,) if address.line2 else ())
    return DocAddress(address.name, lines, address.postal_code, address.city, address.country)


def _location_address(location: Location) -> DocAddress:
    return DocAddress(location.name, (), location.postal_code, "", location.country)


def _context(uow: UnitOfWork, shipment_id: int) -> tuple[Shipment, Order, Location]:
    shipment = uow.shipments.get(shipment_id)
    if shipment is None:
        raise NotFound(f"no shipment with id {shipment_id}")
    order = uow.orders.get(shipment.order_id)
    location = uow.locations.by_id(shipment.location_id)
    assert order is not None and location is not None
    return shipment, order, location


def label_pdf(uow: UnitOfWork, actor: Actor, shipment_id: int) -> bytes:
    """The 4x6 label of a shipped parcel, from its carrier."""
    actor.require(Permission.SHIPMENT_READ)

    def work() -> bytes:
        s, order, location = _context(uow, shipment_id)
        if s.tracking_number is None or s.carrier is None:
            raise Conflict(f"shipment {s.id} is {s.status.value}: a label exists once it ships")
        carrier = uow.carriers.get(s.carrier)
        if carrier is None:
            raise Conflict(f"carrier {s.carrier} of shipment {s.id} is no longer set up")
        assert s.ship_date and s.promised_delivery_date
        return carrier.label(
            LabelDoc(
                tracking_number=s.tracking_number,
                carrier_code=carrier.code,
                carrier_name=carrier.name,
                service=s.service or carrier.default_service,
                ship_from=_location_address(location),
                ship_to=_doc_address(order.shipping_address),
                weight_grams=s.weight_grams or 0,
                ship_date=s.ship_date,
                promised_delivery_date=s.promised_delivery_date,
                shipment_id=s.id,
                order_number=order.number,
            )
        )

    return uow.run(work, write=False)


def return_label_pdf(uow: UnitOfWork, actor: Actor, return_id: int) -> bytes:
    """The label of an approved return's parcel: from the customer to the location."""
    actor.require(Permission.ORDER_READ)

    def work() -> bytes:
        r = uow.returns.get(return_id)
        if r is None:
            raise NotFound(f"no return with id {return_id}")
        label = r.label
        if label is None:
            raise Conflict(f"return {r.number} is {r.status.value}: a label exists once approved")
        order = uow.orders.get(r.order_id)
        location = uow.locations.by_id(label.location_id)
        carrier = uow.carriers.get(label.carrier)
        assert order is not None and location is not None
        if carrier is None:
            raise Conflict(f"carrier {label.carrier} of return {r.number} is no longer set up")
        return carrier.label(
            LabelDoc(
                tracking_number=label.tracking_number,
                carrier_code=carrier.code,
                carrier_name=carrier.name,
                service=label.service,
                ship_from=_doc_address(order.shipping_address),
                ship_to=_location_address(location),
                weight_grams=label.weight_grams,
                ship_date=label.ship_date,
                promised_delivery_date=label.promised_delivery_date,
                shipment_id=0,
                order_number=order.number,
                reference=f"return {r.number}",
            )
        )

    return uow.run(work, write=False)


def packing_slip_pdf(uow: UnitOfWork, actor: Actor, shipment_id: int) -> bytes:
    actor.require(Permission.SHIPMENT_READ)

    def work() -> bytes:
        s, order, location = _context(uow, shipment_id)
        if s.status is ShipmentStatus.CANCELLED:
            raise Conflict(f"shipment {s.id} is cancelled: it has no packing slip")
        products = uow.products.by_ids([ln.product_id for ln in s.lines])
        siblings = uow.shipments.of_orders([order.id])[order.id]
        others = sum(
            1 for x in siblings if x.id != s.id and x.status is not ShipmentStatus.CANCELLED
        )
        return uow.documents.packing_slip(
            PackingSlipDoc(
                shipment_id=s.id,
                order_number=order.number,
                order_date=order.created_at.date(),
                ship_from=_location_address(location),
                ship_to=_doc_address(order.shipping_address),
                lines=tuple(
                    SlipLineDoc(
                        ln.sku, _name(products, ln.product_id, ln.sku, ln.quantity), ln.quantity
                    )
                    for ln in s.lines
                ),
                weight_grams=s.weight_grams,
                tracking_number=s.tracking_number,
                other_shipments=others,
            )
        )

    return uow.run(work, write=False)


def pick_list_pdf(uow: UnitOfWork, actor: Actor, pick_list_id: int) -> bytes:
    actor.require(Permission.SHIPMENT_READ)

    def work() -> bytes:
        pick_list = uow.shipments.get_pick_list(pick_list_id)
        if pick_list is None:
            raise NotFound(f"no pick list with id {pick_list_id}")
        location = uow.locations.by_id(pick_list.location_id)
        assert location is not None
        shipments = uow.shipments.many(pick_list.shipment_ids)
        numbers: dict[int, str] = {}
        shares: dict[str, list[PickLineShare]] = {}
        for s in shipments:
            order = uow.orders.get(s.order_id)
            assert order is not None
            numbers[s.id] = order.number
            for ln in s.lines:
                shares.setdefault(ln.sku, []).append(PickLineShare(s.id, order.number, ln.quantity))
        products = uow.products.by_ids([ln.product_id for ln in pick_list.lines])
        return uow.documents.pick_list(
            PickListDoc(
                id=pick_list.id,
                location_code=location.code,
                location_name=location.name,
                created_at=pick_list.created_at,
                created_by=pick_list.created_by,
                lines=tuple(
                    PickLineDoc(
                        ln.bin,
                        ln.sku,
                        _name(products, ln.product_id, ln.sku, ln.quantity),
                        ln.quantity,
                        tuple(shares.get(ln.sku, ())),
                    )
                    for ln in pick_list.lines
                ),
                shipments=tuple(numbers.items()),
            )
        )

    return uow.run(work, write=False)


def _name(products: Mapping[int, Product], product_id: int, sku: str, quantity: int) -> str:
    """A line's product name; a kit's with what it holds (KIT x2: KETTLE x2, MUG x4)."""
    product = products.get(product_id)
    if product is None:
        return sku
    return described(product.name, product.components, quantity)
