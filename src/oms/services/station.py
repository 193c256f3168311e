"""The warehouse station's read models: one location's open shipments by stage, the lines a
picker reports for a pick list, the contents a packer scans. Reads only; the acts are the
services of picking.py and warehouse.py, called as the API calls them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Protocol

from oms.domain.access import Actor, Permission
from oms.domain.catalogue.kits import described
from oms.domain.catalogue.model import Location
from oms.domain.errors import NotFound
from oms.domain.fulfilment.model import MAX_WAVE
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.services.ports import UnitOfWork

S = ShipmentStatus


@dataclass(frozen=True, slots=True)
class StationShipment:
    """One shipment still in the warehouse, with what decides its turn and its urgency."""

    id: int
    order_id: int
    order_number: str
    status: ShipmentStatus
    pick_list_id: int | None
    priority: int
    placed_at: datetime
    created_at: datetime
    units: int
    promised_delivery_date: date | None = None
    ship_by: date | None = None  # the day it is due to leave, by the location's calendar
    late: bool = False


@dataclass(frozen=True, slots=True)
class Stage:
    key: str
    label: str
    shipments: list[StationShipment]


@dataclass(frozen=True, slots=True)
class Overview:
    location: Location
    stages: list[Stage]
    due_orders: int  # orders with a shipment to put on a pick list, due today or earlier
    waiting_orders: int  # orders with a shipment to put on a pick list

    @property
    def wave_default(self) -> int:
        """How many orders a new wave takes unless told: all that are due (else all)."""
        return max(1, min(self.due_orders or self.waiting_orders, MAX_WAVE))


@dataclass(frozen=True, slots=True)
class PickRow:
    """One SKU of one shipment on a pick list: what the picker reports."""

    shipment_id: int
    order_id: int
    order_number: str
    sku: str
    name: str
    bin: str
    expected: int


@dataclass(frozen=True, slots=True)
class PackLine:
    sku: str
    name: str
    barcode: str | None
    quantity: int


@dataclass(frozen=True, slots=True)
class ShipmentCard:
    """A shipment as the pack and ship screens show it."""

    id: int
    order_id: int
    order_number: str
    location_id: int
    status: ShipmentStatus
    lines: list[PackLine] = field(default_factory=list)
    carrier: str | None = None
    service: str | None = None
    tracking_number: str | None = None
    weight_grams: int | None = None
    ship_date: date | None = None
    promised_delivery_date: date | None = None


class StationViews(Protocol):
    """The station's read queries (adapters/db/station.py), run inside uow.run."""

    def shipments(self, location_id: int) -> list[StationShipment]:
        """The location's shipments still in the warehouse, in wave order (priority, oldest)."""

    def pick_rows(self, pick_list_id: int) -> list[PickRow]:
        """The lines of the pick list's shipments still being picked, by bin then SKU."""

    def shipment(self, shipment_id: int) -> ShipmentCard | None: ...


def shipping_locations(uow: UnitOfWork, actor: Actor) -> list[Location]:
    """The locations that ship, the back office's own (highest priority) first."""
    actor.require(Permission.SHIPMENT_READ)
    found = uow.run(uow.locations.all, write=False)
    return sorted((x for x in found if x.ships), key=lambda x: (-x.priority, x.id))


def own_location(actor: Actor, locations: Sequence[Location]) -> Location | None:
    """The location whose station this user works at, or None to let them choose.

    The user's own location (`Actor.location_code`, set by an admin) when it is one of
    these shipping locations; otherwise the only shipping location when there is just one.
    """
    bound = next((loc for loc in locations if loc.code == actor.location_code), None)
    if bound is not None:
        return bound
    return locations[0] if len(locations) == 1 else None


def location(uow: UnitOfWork, actor: Actor, code: str) -> Location:
    actor.require(Permission.SHIPMENT_READ)
    found = uow.run(lambda: uow.locations.get(code), write=False)
    if found is None:
        raise NotFound(f"no location with code {code!r}")
    return found


def overview(uow: UnitOfWork, views: StationViews, actor: Actor, code: str) -> Overview:
    """The location's open shipments by stage, each with its ship-by day and late flag."""
    where = location(uow, actor, code)
    rows = uow.run(lambda: views.shipments(where.id), write=False)
    schedule = where.schedule()
    today = schedule.local_time(uow.now()).date()
    dated = []
    for row in rows:
        ship_by = schedule.ship_date(row.created_at)
        dated.append(replace(row, ship_by=ship_by, late=ship_by < today))
    to_pick = [r for r in dated if r.status is S.OPEN and r.pick_list_id is None]
    stages = [
        Stage("to-pick", "To put on a pick list", to_pick),
        Stage("picking", "On a pick list", [r for r in dated if r.status is S.PICKING]),
        Stage("to-pack", "Picked, to pack", [r for r in dated if r.status is S.PICKED]),
        Stage("to-ship", "Packed, to ship", [r for r in dated if r.status is S.PACKED]),
    ]
    due = {r.order_id for r in to_pick if r.ship_by is not None and r.ship_by <= today}
    return Overview(where, stages, len(due), len({r.order_id for r in to_pick}))


def pick_rows(
    uow: UnitOfWork, views: StationViews, actor: Actor, pick_list_id: int
) -> list[PickRow]:
    actor.require(Permission.SHIPMENT_READ)

    def work() -> list[PickRow]:
        rows = views.pick_rows(pick_list_id)
        # A kit's row says what to take off the shelves (decision 0008).
        kits = {
            sku: p
            for sku, p in uow.products.by_skus(sorted({r.sku for r in rows})).items()
            if p.is_kit
        }
        if not kits:
            return rows
        return [
            replace(r, name=described(r.name, kits[r.sku].components, r.expected))
            if r.sku in kits
            else r
            for r in rows
        ]

    return uow.run(work, write=False)


def shipment_card(
    uow: UnitOfWork, views: StationViews, actor: Actor, location_id: int, shipment_id: int
) -> ShipmentCard:
    """A shipment of this location (another location's is not found here)."""
    actor.require(Permission.SHIPMENT_READ)
    card = uow.run(lambda: views.shipment(shipment_id), write=False)
    if card is None or card.location_id != location_id:
        raise NotFound(f"no shipment with id {shipment_id} at this location")
    return card
