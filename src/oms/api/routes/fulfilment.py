"""Fulfilment: shipments, pick lists, packing, shipping, documents, carrier events, availability."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from oms.api.deps import ActorDep, IdPath, UowDep
from oms.api.pagination import PageDep, after_id, page, whole
from oms.api.schemas.common import Page, ReasonIn
from oms.api.schemas.fulfilment import (
    AvailabilityOut,
    CarrierEventIn,
    CarrierEventOut,
    CompleteIn,
    EventResultOut,
    PackIn,
    PickListIn,
    PickListOut,
    ShipIn,
    ShipmentOut,
    ShipmentQuery,
)
from oms.domain.fulfilment.model import PickListStatus, Shipment
from oms.services import availability as atp
from oms.services import documents, picking, tracking, warehouse
from oms.services.ports import UnitOfWork

router = APIRouter(tags=["fulfilment"])
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "A PDF document"}
}


def _out(uow: UnitOfWork, shipment: Shipment) -> ShipmentOut:
    return ShipmentOut.of(shipment, uow.now().date())


@router.get("/shipments")
def list_shipments(
    query: Annotated[ShipmentQuery, Query()], uow: UowDep, actor: ActorDep
) -> Page[ShipmentOut]:
    """Newest first. `late=true`: late to deliver (on their way, in exception or lost, past
    the promised date) or late to ship (still in the warehouse after their ship-by day);
    `late_kind=to_ship|to_deliver` keeps one kind. Each answer says which (`late_kind`)."""
    flt = query.to_filter(today=uow.now().date(), before_id=after_id(query))
    found = tracking.list_shipments(uow, actor, flt)
    return page(found, lambda s: _out(uow, s), query, key=lambda s: s.id)


@router.get("/shipments/{shipment_id}")
def get_shipment(shipment_id: IdPath, uow: UowDep, actor: ActorDep) -> ShipmentOut:
    return _out(uow, warehouse.get_shipment(uow, actor, shipment_id))


@router.get("/shipments/{shipment_id}/events")
def shipment_events(shipment_id: IdPath, uow: UowDep, actor: ActorDep) -> Page[CarrierEventOut]:
    """Every carrier event received for the shipment, applied or not, in carrier time order."""
    return whole(tracking.shipment_events(uow, actor, shipment_id), CarrierEventOut.of)


@router.post("/pick-lists", status_code=201)
def create_pick_list(body: PickListIn, uow: UowDep, actor: ActorDep) -> PickListOut:
    """A wave of the location's open shipments (highest priority, then oldest order first,
    up to `max_orders`, default 20), one line per SKU and bin, in bin order. 409 if none."""
    return PickListOut.of(picking.create_pick_list(uow, actor, body.location, body.max_orders))


@router.get("/pick-lists")
def list_pick_lists(
    uow: UowDep,
    actor: ActorDep,
    asked: PageDep,
    location: Annotated[str | None, Query(max_length=64)] = None,
    status: PickListStatus | None = None,
) -> Page[PickListOut]:
    found = picking.list_pick_lists(
        uow, actor, location, status.value if status else None, after_id(asked), asked.limit
    )
    return page(found, PickListOut.of, asked, key=lambda p: p.id)


@router.get("/pick-lists/{pick_list_id}")
def get_pick_list(pick_list_id: IdPath, uow: UowDep, actor: ActorDep) -> PickListOut:
    return PickListOut.of(picking.get_pick_list(uow, actor, pick_list_id))


@router.get("/pick-lists/{pick_list_id}/pick-list.pdf", response_class=Response, responses=PDF)
def pick_list_pdf(pick_list_id: IdPath, uow: UowDep, actor: ActorDep) -> Response:
    return _pdf(documents.pick_list_pdf(uow, actor, pick_list_id), f"pick-list-{pick_list_id}")


@router.post("/pick-lists/{pick_list_id}/complete")
def complete_pick_list(
    pick_list_id: IdPath, body: CompleteIn, uow: UowDep, actor: ActorDep
) -> PickListOut:
    """Report every SKU of every shipment (0 to the quantity asked). A short pick writes a
    count at the location and sources the missing units elsewhere, or backorders them."""
    return PickListOut.of(picking.complete_pick_list(uow, actor, pick_list_id, body.to_domain()))


@router.post("/pick-lists/{pick_list_id}/cancel")
def cancel_pick_list(
    pick_list_id: IdPath, body: ReasonIn, uow: UowDep, actor: ActorDep
) -> PickListOut:
    """Give up an open pick list: its shipments go back to open for the next wave (and it
    no longer lists them). Nothing was picked, so stock stays as it is."""
    return PickListOut.of(picking.cancel_pick_list(uow, actor, pick_list_id, body.reason))


@router.post("/shipments/{shipment_id}/pack")
def pack_shipment(shipment_id: IdPath, body: PackIn, uow: UowDep, actor: ActorDep) -> ShipmentOut:
    """409 listing each SKU whose scanned count differs from the shipment; nothing changes."""
    packed = warehouse.pack_shipment(uow, actor, shipment_id, body.counts(), body.weight_grams)
    return _out(uow, packed)


@router.post("/shipments/{shipment_id}/ship")
def ship_shipment(
    shipment_id: IdPath, uow: UowDep, actor: ActorDep, body: ShipIn | None = None
) -> ShipmentOut:
    body = body or ShipIn()
    return _out(uow, warehouse.ship_shipment(uow, actor, shipment_id, body.carrier, body.service))


@router.post("/shipments/{shipment_id}/reject")
def reject_shipment(
    shipment_id: IdPath, body: ReasonIn, uow: UowDep, actor: ActorDep
) -> ShipmentOut:
    """The location cannot work it (damaged stock, closed): its units go to other locations
    or back to the backlog. Only before picking starts."""
    return _out(uow, warehouse.reject_shipment(uow, actor, shipment_id, body.reason))


@router.get(
    "/shipments/{shipment_id}/label.pdf",
    response_class=Response,
    responses={**PDF, 409: {"description": "The shipment has not shipped: no label yet"}},
)
def label_pdf(shipment_id: IdPath, uow: UowDep, actor: ActorDep) -> Response:
    return _pdf(documents.label_pdf(uow, actor, shipment_id), f"label-{shipment_id}")


@router.get(
    "/shipments/{shipment_id}/packing-slip.pdf",
    response_class=Response,
    responses={**PDF, 409: {"description": "The shipment is cancelled: no packing slip"}},
)
def packing_slip_pdf(shipment_id: IdPath, uow: UowDep, actor: ActorDep) -> Response:
    return _pdf(documents.packing_slip_pdf(uow, actor, shipment_id), f"packing-slip-{shipment_id}")


@router.post("/carriers/{carrier}/events")
def carrier_event(
    carrier: Annotated[str, Path(max_length=32)],
    body: CarrierEventIn,
    uow: UowDep,
    actor: ActorDep,
) -> EventResultOut:
    """A carrier's tracking event (its own token). Repeats change nothing; an event older
    than the latest is recorded but never moves the shipment back."""
    outcome = tracking.record_carrier_event(uow, actor, carrier, body.model_dump())
    return EventResultOut.of(outcome, uow.now().date())


@router.get("/availability")
def availability(
    uow: UowDep,
    actor: ActorDep,
    sku: Annotated[str, Query(max_length=64)],
    country: Annotated[str, Query(min_length=2, max_length=2)],
    postal_code: Annotated[str, Query(min_length=1, max_length=16)],
) -> AvailabilityOut:
    """Available to promise: units that can be sold now to this address, per shipping
    location, and the earliest promised delivery date."""
    return AvailabilityOut.of(atp.availability(uow, actor, sku, country, postal_code))


def _pdf(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )
