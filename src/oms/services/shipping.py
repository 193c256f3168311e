"""After the parcel leaves: carrier events, late shipments, documents, availability, tracking."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from oms.domain.access import Actor, Permission
from oms.domain.catalogue.model import Location
from oms.domain.errors import Conflict, FieldErrors, NotFound
from oms.domain.fulfilment.calendar import promise
from oms.domain.fulfilment.errors import NoRate
from oms.domain.fulfilment.model import Shipment
from oms.domain.fulfilment.shipment import ShipmentStatus, status_after_carrier_event
from oms.domain.money import Money
from oms.domain.orders.events import OrderEventType
from oms.domain.orders.model import Address, Order
from oms.services.documents import (
    DocAddress,
    LabelDoc,
    PackingSlipDoc,
    PickLineDoc,
    PickLineShare,
    PickListDoc,
    SlipLineDoc,
)
from oms.services.fulfilment import save_order, shipment_event
from oms.services.ports import ShipmentFilter, StoredCarrierEvent, UnitOfWork
from oms.services.warehouse import follow_shipments

MAX_PAGE = 200

_CARRIER_EVENT_TYPES = {
    ShipmentStatus.IN_TRANSIT: OrderEventType.SHIPMENT_IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY: OrderEventType.SHIPMENT_OUT_FOR_DELIVERY,
    ShipmentStatus.DELIVERED: OrderEventType.SHIPMENT_DELIVERED,
    ShipmentStatus.EXCEPTION: OrderEventType.SHIPMENT_EXCEPTION,
}


@dataclass(frozen=True, slots=True)
class EventOutcome:
    shipment: Shipment
    recorded: bool  # False: the same event came before, nothing changed
    applied: bool  # False: recorded, but older or not forward, so the status stayed


def record_carrier_event(
    uow: UnitOfWork, actor: Actor, carrier_code: str, payload: Mapping[str, Any]
) -> EventOutcome:
    """A carrier reports on a parcel. Recorded whatever its time; moves it only forward."""
    actor.require_carrier(carrier_code)

    def work() -> EventOutcome:
        carrier = uow.carriers.get(carrier_code)
        if carrier is None:
            raise NotFound(f"no carrier with code {carrier_code!r}")
        event = carrier.parse_event(payload)
        found = uow.shipments.by_tracking_number(event.tracking_number)
        if found is None or found.carrier != carrier.code:
            raise NotFound(
                f"no shipment of carrier {carrier.code} has tracking number {event.tracking_number}"
            )
        shipment = uow.shipments.get(found.id, lock=True)
        assert shipment is not None
        order = uow.orders.get(shipment.order_id, lock=True)
        assert order is not None
        now = uow.now()
        target = status_after_carrier_event(shipment.status, event.status)
        newest = shipment.last_event_at is None or event.at >= shipment.last_event_at
        applies = target is not shipment.status and newest
        if not uow.shipments.add_event(shipment.id, event, applies, actor.name, now):
            return EventOutcome(shipment, recorded=False, applied=False)
        if not applies:
            return EventOutcome(shipment, recorded=True, applied=False)
        shipment.status = target
        shipment.last_event_at = event.at
        shipment.updated_at = now
        uow.shipments.save(shipment)
        order.events.append(
            shipment_event(
                _CARRIER_EVENT_TYPES[target],
                shipment,
                carrier=carrier.code,
                tracking_number=shipment.tracking_number,
                at=event.at.isoformat(),
                place=event.location,
                note=event.note,
            )
        )
        if target is ShipmentStatus.DELIVERED:
            lines = {line.id: line for line in order.lines}
            for line in shipment.lines:
                lines[line.order_line_id].delivered_quantity += line.quantity
        follow_shipments(uow, order)
        save_order(uow, order, actor.name, now)
        return EventOutcome(shipment, recorded=True, applied=True)

    return uow.run(work)


def list_shipments(uow: UnitOfWork, actor: Actor, flt: ShipmentFilter) -> list[Shipment]:
    actor.require(Permission.SHIPMENT_READ)
    flt = replace(flt, limit=max(1, min(flt.limit, MAX_PAGE)))
    return uow.run(lambda: uow.shipments.search(flt), write=False)


def shipment_events(uow: UnitOfWork, actor: Actor, shipment_id: int) -> list[StoredCarrierEvent]:
    actor.require(Permission.SHIPMENT_READ)

    def work() -> list[StoredCarrierEvent]:
        if uow.shipments.get(shipment_id) is None:
            raise NotFound(f"no shipment with id {shipment_id}")
        return uow.shipments.events([shipment_id])[shipment_id]

    return uow.run(work, write=False)


# -- documents -------------------------------------------------------------------------------


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


def packing_slip_pdf(uow: UnitOfWork, actor: Actor, shipment_id: int) -> bytes:
    actor.require(Permission.SHIPMENT_READ)

    def work() -> bytes:
        s, order, location = _context(uow, shipment_id)
        if s.status is ShipmentStatus.CANCELLED:
            raise Conflict(f"shipment {s.id} is cancelled: it has no packing slip")
        names = {
            p.id: p.name for p in uow.products.by_ids([ln.product_id for ln in s.lines]).values()
        }
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
                    SlipLineDoc(ln.sku, names.get(ln.product_id, ln.sku), ln.quantity)
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
        names = {
            p.id: p.name
            for p in uow.products.by_ids([ln.product_id for ln in pick_list.lines]).values()
        }
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
                        names.get(ln.product_id, ln.sku),
                        ln.quantity,
                        tuple(shares.get(ln.sku, ())),
                    )
                    for ln in pick_list.lines
                ),
                shipments=tuple(numbers.items()),
            )
        )

    return uow.run(work, write=False)


# -- availability ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LocationPromise:
    location: str
    available: int
    ship_date: date | None
    promised_delivery_date: date | None
    cost: Money | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Availability:
    sku: str
    country: str
    postal_code: str
    available: int
    earliest_promised_delivery_date: date | None
    locations: list[LocationPromise]


def availability(
    uow: UnitOfWork, actor: Actor, sku: str, country: str, postal_code: str
) -> Availability:
    """What can be sold now to this address, and the earliest day it could arrive."""
    actor.require(Permission.SHIPMENT_READ)
    errors = FieldErrors()
    if len(country) != 2:
        errors.add("country", "an ISO 3166-1 alpha-2 code")
    if not postal_code.strip():
        errors.add("postal_code", "must not be empty")
    errors.raise_if_any()

    def work() -> Availability:
        product = uow.products.get(sku)
        if product is None:
            raise NotFound(f"no product with SKU {sku!r}")
        carrier = uow.carriers.default()
        now = uow.now()
        places = {loc.id: loc for loc in uow.locations.all() if loc.ships}
        rows = [
            r
            for r in uow.stock.search(sku, None, None, 1000)
            if r.location_id in places and r.available > 0
        ]
        promises: list[LocationPromise] = []
        for row in sorted(rows, key=lambda r: r.location):
            location = places[row.location_id]
            try:
                quote = carrier.quote(
                    location.country, country.upper(), postal_code, product.weight_grams or 0
                )
            except NoRate:
                promises.append(
                    LocationPromise(location.code, row.available, None, None, None, "no rate")
                )
                continue
            dates = promise(location.schedule(), now, quote.transit_days, country.upper())
            promises.append(
                LocationPromise(
                    location.code,
                    row.available,
                    dates.ship_date,
                    dates.promised_delivery_date,
                    quote.cost,
                )
            )
        reachable = [p for p in promises if p.promised_delivery_date is not None]
        return Availability(
            sku,
            country.upper(),
            postal_code,
            sum(p.available for p in reachable),
            min(
                (p.promised_delivery_date for p in reachable if p.promised_delivery_date),
                default=None,
            ),
            promises,
        )

    return uow.run(work, write=False)


# -- the customer's tracking page ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrackedShipment:
    shipment: Shipment
    events: list[StoredCarrierEvent]
    late: bool


@dataclass(frozen=True, slots=True)
class Tracking:
    order: Order
    shipments: list[TrackedShipment]
    today: date
    product_names: dict[str, str]  # by SKU


def tracking(uow: UnitOfWork, token: str) -> Tracking:
    """The public view of one order, found by its unguessable token (NotFound otherwise)."""

    def work() -> Tracking:
        order_id = uow.orders.id_by_tracking_token(token) if 20 <= len(token) <= 64 else None
        order = uow.orders.get(order_id) if order_id is not None else None
        if order is None:
            raise NotFound("no such tracking page")
        shipments = [
            s
            for s in uow.shipments.of_orders([order.id])[order.id]
            if s.status is not ShipmentStatus.CANCELLED
        ]
        events = uow.shipments.events([s.id for s in shipments])
        today = uow.now().date()
        products = uow.products.by_ids([line.product_id for line in order.lines])
        return Tracking(
            order,
            [TrackedShipment(s, events[s.id], s.is_late(today)) for s in shipments],
            today,
            {p.sku: p.name for p in products.values()},
        )

    return uow.run(work, write=False)
