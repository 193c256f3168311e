"""Delivery runs, planned: which local parcels wait for a run, making a run of them in the
default stop order, re-ordering its stops, and the run as a driver or a manifest reads it.
What happens on the road (start, stop outcomes, finish) is in `delivery_stops.py`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from oms.domain.access import Actor, Permission, Role
from oms.domain.catalogue.model import Location
from oms.domain.errors import Conflict, FieldErrors, NotFound
from oms.domain.fulfilment.delivery_runs import (
    MAX_STOPS,
    DeliveryRun,
    RunStatus,
    RunStop,
    StopAddress,
    default_stop_order,
)
from oms.domain.fulfilment.local_delivery import LOCAL_CARRIER
from oms.domain.fulfilment.model import Shipment
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.orders.model import Order
from oms.services.local_delivery import quote_local
from oms.services.ports import UnitOfWork
from oms.services.ports.delivery import RunFilter
from oms.services.ports.documents import DocAddress, ManifestDoc, ManifestStopDoc, SlipLineDoc
from oms.services.ports.shipments import ShipmentFilter

MAX_PAGE = 200
S = ShipmentStatus
# Local parcels that have left the shelf but not reached the customer: they wait for a run
# (after a failed attempt, or a run that ended before their stop).
_ON_THE_VAN = (S.SHIPPED, S.OUT_FOR_DELIVERY, S.EXCEPTION)
_MAY = (Permission.DELIVERY_DISPATCH, Permission.DELIVERY_DRIVE)


@dataclass(frozen=True, slots=True)
class Parcel:
    """A shipment with its order: what a stop shows (address, items, phone, notes)."""

    shipment: Shipment
    order: Order
    stop: RunStop | None = None

    @property
    def address_line(self) -> str:
        a = self.order.shipping_address
        return ", ".join(p for p in (a.line1, a.line2, f"{a.postal_code} {a.city}") if p)

    @property
    def map_url(self) -> str:
        """The address on OpenStreetMap (a search: no coordinates are kept)."""
        a = self.order.shipping_address
        query = f"{a.line1}, {a.postal_code} {a.city}, {a.country}"
        return "https://www.openstreetmap.org/search?" + urlencode({"query": query})


@dataclass(frozen=True, slots=True)
class RunSheet:
    run: DeliveryRun
    parcels: list[Parcel]  # in stop order


def location_for(uow: UnitOfWork, actor: Actor, code: str, *permissions: Permission) -> Location:
    """The location, once the actor may act there (a driver: only their own)."""
    actor.require_at(code, *permissions)
    location = uow.locations.get(code)
    if location is None:
        raise NotFound(f"no location with code {code!r}")
    return location


def location(uow: UnitOfWork, actor: Actor, code: str, *permissions: Permission) -> Location:
    """`location_for` in a transaction of its own (for the pages)."""
    return uow.run(lambda: location_for(uow, actor, code, *permissions), write=False)


def load_run(uow: UnitOfWork, actor: Actor, run_id: int, *, lock: bool = False) -> DeliveryRun:
    """The run, once the actor may see it (a driver: only at their own location)."""
    _require_any(actor)
    run = uow.delivery.get_run(run_id, lock=lock)
    if run is None:
        raise NotFound(f"no delivery run with id {run_id}")
    actor.require_at(run.location, *_MAY)
    return run


def _require_any(actor: Actor) -> None:
    if not any(actor.may(p) for p in _MAY):
        actor.require(Permission.DELIVERY_DISPATCH)


def waiting_parcels(uow: UnitOfWork, location: Location) -> list[Parcel]:
    """Inside a transaction: the location's local parcels that wait for a run, in the
    default stop order. Packed ones whose address its drivers serve, and those that left
    by local delivery and are not delivered, that are not a stop of an unfinished run."""
    settings = uow.delivery.local_delivery([location.id]).get(location.id)
    found: list[Shipment] = []
    for status in (S.PACKED, *_ON_THE_VAN):
        carrier = None if status is S.PACKED else LOCAL_CARRIER
        flt = ShipmentFilter(location=location.code, status=status.value, carrier=carrier)
        found += uow.shipments.search(replace(flt, limit=MAX_STOPS))
    busy = uow.delivery.in_unfinished_runs([s.id for s in found])
    parcels = []
    for s in found:
        if s.id in busy:
            continue
        order = uow.orders.get(s.order_id)
        assert order is not None
        weight = s.weight_grams or 0
        if s.status is S.PACKED and (
            quote_local(location, settings, order.shipping_address, weight) is None
        ):
            continue
        parcels.append(Parcel(s, order))
    return in_default_order(parcels)


def in_default_order(parcels: Sequence[Parcel]) -> list[Parcel]:
    by_id = {p.shipment.id: p for p in parcels}
    order = default_stop_order(
        [
            StopAddress(
                p.shipment.id,
                p.order.shipping_address.postal_code,
                p.order.shipping_address.line1,
                p.order.number,
            )
            for p in parcels
        ]
    )
    return [by_id[i] for i in order]


def waiting(uow: UnitOfWork, actor: Actor, code: str) -> list[Parcel]:
    """The parcels a new run of this location would take (dispatchers and its drivers)."""

    def work() -> list[Parcel]:
        return waiting_parcels(uow, location_for(uow, actor, code, *_MAY))

    return uow.run(work, write=False)


def check_driver(uow: UnitOfWork, name: str, location: str) -> str:
    """A driver's name, once it names an enabled driver of this location."""
    user = uow.users.get(name)
    if user is None or user.disabled or user.role is not Role.DRIVER:
        raise FieldErrors.single("driver", f"{name!r} is not a driver")
    if user.location != location:
        raise FieldErrors.single("driver", f"{name} drives from {user.location}, not {location}")
    return user.name


def create_run(
    uow: UnitOfWork,
    actor: Actor,
    code: str,
    shipment_ids: Sequence[int] | None = None,
    driver: str | None = None,
) -> DeliveryRun:
    """A run of today at the location: the parcels named, or every parcel waiting, in the
    default stop order. 409 if none waits, or a parcel named does not (another run has it)."""

    def work() -> DeliveryRun:
        location = location_for(uow, actor, code, Permission.DELIVERY_DISPATCH)
        named = None if driver is None else check_driver(uow, driver, location.code)
        if shipment_ids is not None:
            # Locked first, so two dispatchers taking one parcel wait for each other.
            uow.shipments.many(sorted(set(shipment_ids)), lock=True)
        parcels = waiting_parcels(uow, location)
        if shipment_ids is not None:
            if len(set(shipment_ids)) != len(shipment_ids):
                raise FieldErrors.single("shipment_ids", "each shipment once")
            free = {p.shipment.id for p in parcels}
            if missing := [i for i in shipment_ids if i not in free]:
                raise Conflict(
                    f"shipments {', '.join(map(str, missing))} do not wait for a run at "
                    f"{location.code} (not local, not packed, or in another run)"
                )
            parcels = [p for p in parcels if p.shipment.id in set(shipment_ids)]
        if not parcels:
            raise Conflict(f"no local parcel waits for a run at {location.code}")
        if len(parcels) > MAX_STOPS:
            raise FieldErrors.single("shipment_ids", f"at most {MAX_STOPS} stops in a run")
        now = uow.now()
        run = DeliveryRun(
            id=0,
            location_id=location.id,
            location=location.code,
            day=location.schedule().local_time(now).date(),
            status=RunStatus.PLANNED,
            created_by=actor.name,
            created_at=now,
            stops=[RunStop(p.shipment.id, seq) for seq, p in enumerate(parcels, start=1)],
            driver=named,
        )
        uow.delivery.add_run(run)
        return run

    return uow.run(work)


def list_runs(uow: UnitOfWork, actor: Actor, flt: RunFilter) -> list[DeliveryRun]:
    """Newest first. A driver sees the runs of their own location only."""
    if actor.role is Role.DRIVER:
        if flt.location not in (None, actor.location_code):
            actor.require_at(flt.location or "", *_MAY)
        flt = replace(flt, location=actor.location_code)
    else:
        _require_any(actor)
    flt = replace(flt, limit=max(1, min(flt.limit, MAX_PAGE)))
    return uow.run(lambda: uow.delivery.runs(flt), write=False)


def run_sheet(uow: UnitOfWork, actor: Actor, run_id: int) -> RunSheet:
    """The run with each stop's parcel and order, in stop order."""

    def work() -> RunSheet:
        run = load_run(uow, actor, run_id)
        return sheet_of(uow, run)

    return uow.run(work, write=False)


def sheet_of(uow: UnitOfWork, run: DeliveryRun) -> RunSheet:
    shipments = {s.id: s for s in uow.shipments.many([s.shipment_id for s in run.stops])}
    parcels = []
    for stop in run.stops:
        s = shipments[stop.shipment_id]
        order = uow.orders.get(s.order_id)
        assert order is not None
        parcels.append(Parcel(s, order, stop))
    return RunSheet(run, parcels)


def reorder_stops(uow: UnitOfWork, actor: Actor, run_id: int, order: Sequence[int]) -> RunSheet:
    """The dispatcher's order of stops: every shipment of the run once (422 otherwise)."""

    def work() -> RunSheet:
        run = load_run(uow, actor, run_id, lock=True)
        actor.require_at(run.location, Permission.DELIVERY_DISPATCH)
        run.reorder(list(order))
        uow.delivery.save_run(run)
        return sheet_of(uow, run)

    return uow.run(work)


def manifest(uow: UnitOfWork, actor: Actor, run_id: int) -> bytes:
    """The run as a PDF: stops in order, address, phone, items, a column to sign."""

    def work() -> ManifestDoc:
        run = load_run(uow, actor, run_id)
        location = uow.locations.by_id(run.location_id)
        assert location is not None
        parcels = sheet_of(uow, run).parcels
        ids = {ln.product_id for p in parcels for ln in p.shipment.lines}
        names = {pid: p.name for pid, p in uow.products.by_ids(sorted(ids)).items()}
        return ManifestDoc(
            run.id,
            location.code,
            location.name,
            run.day,
            run.driver,
            run.status.value,
            tuple(_manifest_stop(p, names) for p in parcels),
        )

    doc = uow.run(work, write=False)
    return uow.documents.manifest(doc)


def _manifest_stop(p: Parcel, names: dict[int, str]) -> ManifestStopDoc:
    a = p.order.shipping_address
    lines = (a.line1,) + ((a.line2,) if a.line2 else ())
    return ManifestStopDoc(
        p.stop.seq if p.stop else 0,
        p.shipment.id,
        p.order.number,
        p.shipment.tracking_number,
        DocAddress(a.name, lines, a.postal_code, a.city, a.country),
        p.order.customer.phone,
        tuple(
            SlipLineDoc(ln.sku, names.get(ln.product_id, ln.sku), ln.quantity)
            for ln in p.shipment.lines
        ),
    )


def drivers_at(uow: UnitOfWork, actor: Actor, code: str) -> list[str]:
    """The enabled drivers of a location, by name (for the dispatcher to choose from)."""

    def work() -> list[str]:
        location = location_for(uow, actor, code, Permission.DELIVERY_DISPATCH)
        return sorted(
            u.name
            for u in uow.users.all()
            if u.role is Role.DRIVER and u.location == location.code and not u.disabled
        )

    return uow.run(work, write=False)


def local_locations(uow: UnitOfWork, actor: Actor) -> list[Location]:
    """The locations with local delivery settings, that the actor may work runs at."""
    _require_any(actor)

    def work() -> list[Location]:
        found = uow.locations.all()
        local = uow.delivery.local_delivery([loc.id for loc in found])
        return [
            loc
            for loc in found
            if loc.id in local
            and (actor.role is not Role.DRIVER or loc.code == actor.location_code)
        ]

    return uow.run(work, write=False)
