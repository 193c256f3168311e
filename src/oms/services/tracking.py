"""After the parcel leaves: carrier events, the shipments list, the customer's tracking page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from oms.domain.access import Actor, Permission
from oms.domain.errors import NotFound
from oms.domain.fulfilment.model import LateKind, Shipment
from oms.domain.fulfilment.shipment import ShipmentStatus, status_after_carrier_event
from oms.domain.orders.events import OrderEvent, OrderEventType
from oms.domain.orders.model import Order
from oms.services import completion
from oms.services.completion import CustomerEnd
from oms.services.lost_parcels import parcel_lost
from oms.services.ports import UnitOfWork
from oms.services.ports.shipments import ShipmentFilter, StoredCarrierEvent
from oms.services.shipment_sync import follow_shipments, shipment_detail

MAX_PAGE = 200

_CARRIER_EVENT_TYPES = {
    ShipmentStatus.IN_TRANSIT: OrderEventType.SHIPMENT_IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY: OrderEventType.SHIPMENT_OUT_FOR_DELIVERY,
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
        shipment.move(target, f"report {target.value}")
        shipment.last_event_at = event.at
        shipment.updated_at = now
        uow.shipments.save(shipment)
        detail = shipment_detail(
            shipment,
            carrier=carrier.code,
            tracking_number=shipment.tracking_number,
            at=event.at.isoformat(),
            place=event.location,
            note=event.note,
        )
        if target is ShipmentStatus.DELIVERED:
            order.deliver({ln.order_line_id: ln.quantity for ln in shipment.lines}, detail)
        elif target is ShipmentStatus.LOST:  # the loss, the timeline, the problem
            parcel_lost(uow, order, shipment, carrier.code, event.note)
        else:
            order.record(OrderEvent(_CARRIER_EVENT_TYPES[target], data=detail))
        follow_shipments(uow, order)
        uow.orders.save(order, actor.name, now)
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


# -- the customer's tracking page ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrackedShipment:
    shipment: Shipment
    events: list[StoredCarrierEvent]
    late: bool  # late to deliver: what the customer is told (never late to ship)


@dataclass(frozen=True, slots=True)
class Tracking:
    order: Order
    shipments: list[TrackedShipment]
    today: date
    product_names: dict[str, str]  # by SKU
    # Who took each parcel a driver delivered, and when (never the proof image).
    delivered_to: dict[int, tuple[str, datetime]] = field(default_factory=dict)
    end: CustomerEnd | None = None  # confirm receipt, report a problem (services/completion)


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
        proofs = uow.delivery.proofs([s.id for s in shipments])
        return Tracking(
            order,
            [
                TrackedShipment(s, events[s.id], s.late_kind(today) is LateKind.TO_DELIVER)
                for s in shipments
            ],
            today,
            {p.sku: p.name for p in products.values()},
            {sid: (p.recipient, p.delivered_at) for sid, p in proofs.items()},
            completion.end_of(uow, order),
        )

    return uow.run(work, write=False)
