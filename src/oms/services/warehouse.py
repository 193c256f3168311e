"""Warehouse work after picking: packing, shipping, and rejecting a shipment; the loading
helpers the pick lists (services/picking.py) share."""

from __future__ import annotations

from collections.abc import Sequence

from oms.domain.access import Actor, Permission
from oms.domain.errors import Conflict, FieldError, FieldErrors, NotFound
from oms.domain.fulfilment.calendar import promise
from oms.domain.fulfilment.local_delivery import LOCAL_CARRIER, LOCAL_SERVICE
from oms.domain.fulfilment.model import (
    ScanDifference,
    Shipment,
    compare_scan,
)
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.inventory.moves import Change
from oms.domain.orders.events import OrderEventType
from oms.domain.orders.model import Order, check_reason
from oms.domain.orders.status import warehouse_may_work
from oms.services import sourcing, stock_moves
from oms.services.local_delivery import quote_local
from oms.services.ports import UnitOfWork
from oms.services.shipment_sync import (
    follow_shipments,
    shipment_detail,
    shipment_event,
    sync_shipments,
)


class ScanMismatch(Conflict):
    """What was scanned is not what the shipment holds."""

    title = "Scanned items do not match the shipment"

    def __init__(self, shipment_id: int, differences: Sequence[ScanDifference]) -> None:
        self.differences = list(differences)
        super().__init__(
            f"shipment {shipment_id}: scanned items differ from its contents; nothing changed",
            [FieldError(d.sku, f"expected {d.expected}, scanned {d.scanned}") for d in differences],
        )


def load_order(uow: UnitOfWork, order_id: int) -> Order:
    order = uow.orders.get(order_id, lock=True)
    if order is None:  # pragma: no cover - a shipment's order always exists
        raise NotFound(f"no order with id {order_id}")
    return order


def load_shipment(uow: UnitOfWork, shipment_id: int, *, lock: bool = True) -> Shipment:
    shipment = uow.shipments.get(shipment_id, lock=lock)
    if shipment is None:
        raise NotFound(f"no shipment with id {shipment_id}")
    return shipment


def _workable(order: Order, action: str) -> None:
    if not warehouse_may_work(order.status):
        raise Conflict(f"cannot {action}: order {order.number} is {order.status.value}")


# -- pack, ship, reject ----------------------------------------------------------------------


def pack_shipment(
    uow: UnitOfWork,
    actor: Actor,
    shipment_id: int,
    scanned: Sequence[tuple[str, int]],
    weight_grams: int | None = None,
) -> Shipment:
    """Check the scanned items against the shipment, then record it packed with its weight."""
    actor.require(Permission.FULFIL)
    if weight_grams is not None and not 0 < weight_grams <= 1_000_000:
        raise FieldErrors.single("weight_grams", "must be between 1 and 1000000")

    def work() -> Shipment:
        s = load_shipment(uow, shipment_id)
        order = load_order(uow, s.order_id)
        _workable(order, "pack")
        if s.status is not ShipmentStatus.PICKED:
            s.move(ShipmentStatus.PACKED, "pack")  # raises: the table says why
        products = uow.products.by_ids([line.product_id for line in s.lines])
        barcodes = {p.barcode: p.sku for p in products.values() if p.barcode}
        differences = compare_scan(s.contents(), scanned, barcodes)
        if differences:
            raise ScanMismatch(s.id, differences)
        s.weight_grams = weight_grams or sum(
            line.quantity * (products[line.product_id].weight_grams or 0) for line in s.lines
        )
        s.move(ShipmentStatus.PACKED, "pack")
        now = uow.now()
        s.updated_at = now
        uow.shipments.save(s)
        order.record(shipment_event(OrderEventType.SHIPMENT_PACKED, s, weight_grams=s.weight_grams))
        uow.orders.save(order, actor.name, now)
        return s

    return uow.run(work)


def ship_shipment(
    uow: UnitOfWork,
    actor: Actor,
    shipment_id: int,
    carrier_code: str | None = None,
    service: str | None = None,
) -> Shipment:
    """Hand the parcel to the carrier: tracking number, dates, and the stock leaves.

    Without a carrier named, a parcel whose location delivers locally to its address goes
    by local delivery (carrier `local`), any other by the default carrier."""
    actor.require(Permission.FULFIL)

    def work() -> Shipment:
        s = load_shipment(uow, shipment_id)
        order = load_order(uow, s.order_id)
        _workable(order, "ship")
        hand_over(uow, actor.name, s, order, carrier_code, service)
        uow.orders.save(order, actor.name, s.updated_at)
        return s

    return uow.run(work)


def hand_over(
    uow: UnitOfWork,
    actor: str,
    s: Shipment,
    order: Order,
    carrier_code: str | None = None,
    service: str | None = None,
) -> None:
    """Inside a transaction holding the shipment and its order (locked): ship a packed
    shipment. The caller saves the order."""
    if s.status is not ShipmentStatus.PACKED:
        s.move(ShipmentStatus.SHIPPED, "ship")  # raises: the table says why
    location = uow.locations.by_id(s.location_id)
    assert location is not None
    to = order.shipping_address
    weight = s.weight_grams or 0
    by_van = None
    if carrier_code in (None, LOCAL_CARRIER):
        settings = uow.delivery.local_delivery([location.id]).get(location.id)
        by_van = quote_local(location, settings, to, weight)
        if by_van is None and carrier_code == LOCAL_CARRIER:
            raise FieldErrors.single(
                "carrier",
                f"location {location.code} does not deliver locally to {to.country} "
                f"{to.postal_code}",
            )
    now = uow.now()
    if by_van is not None:
        carrier = uow.carriers.get(LOCAL_CARRIER)
        service_name = LOCAL_SERVICE
        quote, schedule = by_van.quote, by_van.schedule
    else:
        carrier = uow.carriers.get(carrier_code) if carrier_code else uow.carriers.default()
        service_name = service or (carrier.default_service if carrier else "")
        quote = None
        schedule = location.schedule()
    if carrier is None:
        raise FieldErrors.single(
            "carrier",
            f"unknown carrier {carrier_code!r} (known: {', '.join(uow.carriers.codes())})",
        )
    if quote is None:
        quote = carrier.quote(location.country, to.country, to.postal_code, weight, service_name)
    dates = promise(schedule, now, quote.transit_days, to.country)
    units = {line.order_line_id: line.quantity for line in s.lines}
    stock_moves.consume(uow, order.id, s.location_id, units, Change(actor, now, f"shipment {s.id}"))
    s.carrier = carrier.code
    s.service = service_name
    s.tracking_number = carrier.create_shipment(location.country, service_name)
    s.ship_date = dates.ship_date
    s.promised_delivery_date = dates.promised_delivery_date
    s.shipping_cost = quote.cost
    s.move(ShipmentStatus.SHIPPED, "ship")
    s.updated_at = now
    uow.shipments.save(s)
    order.ship(
        units,
        shipment_detail(
            s,
            carrier=s.carrier,
            service=s.service,
            tracking_number=s.tracking_number,
            ship_date=dates.ship_date.isoformat(),
            promised_delivery_date=dates.promised_delivery_date.isoformat(),
        ),
    )
    follow_shipments(uow, order)


def reject_shipment(uow: UnitOfWork, actor: Actor, shipment_id: int, reason: str) -> Shipment:
    """The location cannot work this shipment: its units are sourced from the others."""
    actor.require(Permission.FULFIL)
    check_reason(reason)

    def work() -> Shipment:
        s = load_shipment(uow, shipment_id)
        if s.status is not ShipmentStatus.OPEN:
            raise Conflict(
                f"shipment {s.id} is {s.status.value}: a location rejects a shipment "
                "only before picking starts"
            )
        order = load_order(uow, s.order_id)
        now = uow.now()
        products = sorted({line.product_id for line in order.lines})
        uow.stock.lock_options(sourcing.stock_products(products, sourcing.kits_in(uow, products)))
        change = Change(actor.name, now, f"shipment {s.id} rejected by {s.location}: {reason}")
        demand = {ln.order_line_id: ln.quantity for ln in s.lines}
        held = stock_moves.held_units(uow, order.id, s.location_id, demand)
        uow.stock.lock_rows(sorted({stock_id for _, stock_id in held}))
        stock_moves.release(uow, order.id, held, change)
        order.reject_shipment(demand, shipment_detail(s, reason=reason))
        sourcing.source_units(uow, order, demand, {}, change, exclude=frozenset({s.location_id}))
        sync_shipments(uow, order, now)
        uow.orders.save(order, actor.name, now)
        return load_shipment(uow, s.id)

    return uow.run(work)


def get_shipment(uow: UnitOfWork, actor: Actor, shipment_id: int) -> Shipment:
    actor.require(Permission.SHIPMENT_READ)
    return uow.run(lambda: load_shipment(uow, shipment_id, lock=False), write=False)
