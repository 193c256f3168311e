"""Warehouse work after picking: packing, shipping, and rejecting a shipment; the loading
and roll-up helpers the pick lists (services/picking.py) share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from oms.domain.access import Actor, Permission
from oms.domain.errors import Conflict, FieldError, FieldErrors, NotFound
from oms.domain.fulfilment.calendar import promise
from oms.domain.fulfilment.model import (
    ScanDifference,
    Shipment,
    compare_scan,
)
from oms.domain.fulfilment.shipment import ShipmentStatus, order_status_from_shipments
from oms.domain.inventory.model import LedgerEntry, LedgerKind
from oms.domain.orders.events import OrderEventType
from oms.domain.orders.model import Order, check_reason
from oms.domain.orders.status import OrderStatus
from oms.services.fulfilment import (
    Change,
    release_reserved,
    save_order,
    shipment_event,
    source_units,
    sync_shipments,
)
from oms.services.ports import UnitOfWork


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
    if order.status in {OrderStatus.ON_HOLD, OrderStatus.CANCELLED}:
        raise Conflict(f"cannot {action}: order {order.number} is {order.status.value}")


def follow_shipments(uow: UnitOfWork, order: Order) -> None:
    """The order takes the status its shipments add up to (processing to delivered)."""
    shipments = uow.shipments.of_orders([order.id])[order.id]
    to_fulfil = {line.id: line.quantity - line.cancelled_quantity for line in order.lines}
    if not any(to_fulfil.values()):
        return
    target = order_status_from_shipments(to_fulfil, [s.quantities() for s in shipments])
    if target is OrderStatus.PROCESSING and order.status is OrderStatus.CONFIRMED:
        return  # nothing picked yet: the order stays confirmed
    order.follow_shipments(target)


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
        s.updated_at = uow.now()
        uow.shipments.save(s)
        order.events.append(
            shipment_event(OrderEventType.SHIPMENT_PACKED, s, weight_grams=s.weight_grams)
        )
        save_order(uow, order, actor.name)
        return s

    return uow.run(work)


def ship_shipment(
    uow: UnitOfWork,
    actor: Actor,
    shipment_id: int,
    carrier_code: str | None = None,
    service: str | None = None,
) -> Shipment:
    """Hand the parcel to the carrier: tracking number, dates, and the stock leaves."""
    actor.require(Permission.FULFIL)

    def work() -> Shipment:
        s = load_shipment(uow, shipment_id)
        order = load_order(uow, s.order_id)
        _workable(order, "ship")
        if s.status is not ShipmentStatus.PACKED:
            s.move(ShipmentStatus.SHIPPED, "ship")  # raises: the table says why
        carrier = uow.carriers.get(carrier_code) if carrier_code else uow.carriers.default()
        if carrier is None:
            raise FieldErrors.single(
                "carrier",
                f"unknown carrier {carrier_code!r} (known: {', '.join(uow.carriers.codes())})",
            )
        service_name = service or carrier.default_service
        location = uow.locations.by_id(s.location_id)
        assert location is not None
        to = order.shipping_address
        quote = carrier.quote(
            location.country, to.country, to.postal_code, s.weight_grams or 0, service_name
        )
        now = uow.now()
        dates = promise(location.schedule(), now, quote.transit_days, to.country)
        _consume(uow, order, s, actor.name)
        s.carrier = carrier.code
        s.service = service_name
        s.tracking_number = carrier.create_shipment(location.country, service_name)
        s.ship_date = dates.ship_date
        s.promised_delivery_date = dates.promised_delivery_date
        s.shipping_cost = quote.cost
        s.move(ShipmentStatus.SHIPPED, "ship")
        s.updated_at = now
        uow.shipments.save(s)
        order.events.append(
            shipment_event(
                OrderEventType.SHIPMENT_SHIPPED,
                s,
                carrier=s.carrier,
                service=s.service,
                tracking_number=s.tracking_number,
                ship_date=dates.ship_date.isoformat(),
                promised_delivery_date=dates.promised_delivery_date.isoformat(),
            )
        )
        follow_shipments(uow, order)
        save_order(uow, order, actor.name)
        return s

    return uow.run(work)


def _consume(uow: UnitOfWork, order: Order, s: Shipment, actor: str) -> None:
    """The shipment's units leave: reservations consumed, on hand down, ledger rows."""
    now = uow.now()
    held: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
    for r in uow.stock.reservations_of(order.id):
        if r.location_id == s.location_id:
            held[(r.order_line_id, r.location_id)].append((r.id, r.stock_id, r.quantity))
    lines = {line.id: line for line in order.lines}
    ledger: list[LedgerEntry] = []
    for line in s.lines:
        left = line.quantity
        for reservation_id, stock_id, quantity in sorted(held[(line.order_line_id, s.location_id)]):
            take = min(quantity, left)
            if take <= 0:
                break
            uow.stock.reduce_reservation(reservation_id, take)
            if not uow.stock.consume(stock_id, take):
                raise Conflict(f"{line.sku}: reserved stock moved while shipping")
            ledger.append(
                LedgerEntry(
                    stock_id,
                    LedgerKind.SHIPMENT,
                    -take,
                    -take,
                    actor,
                    now,
                    f"shipment {s.id}",
                    order.id,
                    line.order_line_id,
                )
            )
            left -= take
        if left:
            raise Conflict(
                f"shipment {s.id}: {line.sku} has {left} units fewer reserved than it holds"
            )
        order_line = lines[line.order_line_id]
        order_line.allocated_quantity -= line.quantity
        order_line.shipped_quantity += line.quantity
    uow.stock.append_ledger(ledger)


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
        lines = {line.id: line for line in order.lines}
        uow.stock.lock_options(sorted({line.product_id for line in order.lines}))
        rows = {
            ln.order_line_id: uow.stock.lock_row(s.location_id, ln.product_id, now)
            for ln in s.lines
        }
        text = f"shipment {s.id} rejected by {s.location}: {reason}"
        release_reserved(
            uow,
            order.id,
            {(ln.order_line_id, rows[ln.order_line_id].stock_id): ln.quantity for ln in s.lines},
            Change(actor.name, now, text),
        )
        demand = {ln.order_line_id: ln.quantity for ln in s.lines}
        for line_id, q in demand.items():
            lines[line_id].allocated_quantity -= q
            lines[line_id].backordered_quantity += q
        order.events.append(shipment_event(OrderEventType.SHIPMENT_REJECTED, s, reason=reason))
        source_units(
            uow,
            order,
            demand,
            {},
            Change(actor.name, now, text),
            exclude=frozenset({s.location_id}),
        )
        save_order(uow, order, actor.name)
        sync_shipments(uow, order, actor.name, now)
        return load_shipment(uow, s.id)

    return uow.run(work)


def get_shipment(uow: UnitOfWork, actor: Actor, shipment_id: int) -> Shipment:
    actor.require(Permission.SHIPMENT_READ)
    return uow.run(lambda: load_shipment(uow, shipment_id, lock=False), write=False)
