"""Shipments follow reservations: after anything moves an order's reserved units, its
unshipped shipments are made to hold exactly those units, per location (decision 0003).
Also the order status its shipments add up to, and the timeline data of a shipment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from oms.domain.catalogue.kits import line_units
from oms.domain.fulfilment.model import Shipment, ShipmentLine
from oms.domain.fulfilment.shipment import ShipmentStatus, order_status_from_shipments
from oms.domain.orders.events import OrderEvent, OrderEventType
from oms.domain.orders.model import Order
from oms.domain.orders.status import OrderStatus, in_fulfilment
from oms.services.ports import UnitOfWork
from oms.services.ports.stock import Reservation

# Units are taken off the latest stage last: an open shipment gives up units before one
# that is being picked, and that before one that is picked or packed.
_SHRINK_ORDER = {
    ShipmentStatus.OPEN: 0,
    ShipmentStatus.PICKING: 1,
    ShipmentStatus.PICKED: 2,
    ShipmentStatus.PACKED: 3,
}


def shipment_detail(s: Shipment, **extra: object) -> dict[str, Any]:
    """A shipment as the order's timeline records it (and the lost one it replaces)."""
    replaces = {"replaces_shipment_id": s.replaces_id} if s.replaces_id else {}
    return {
        "shipment_id": s.id,
        "location": s.location,
        "status": s.status.value,
        **replaces,
        "lines": s.contents(),
        **extra,
    }


def shipment_event(kind: OrderEventType, s: Shipment, **extra: object) -> OrderEvent:
    """A timeline event about one of the order's shipments that moves no quantity."""
    return OrderEvent(kind, data=shipment_detail(s, **extra))


def line_units_held(reservations: Iterable[Reservation]) -> dict[tuple[int, int], int]:
    """Units of each line reserved per (line, location): a kit line's are the whole kits
    its component rows hold there (decision 0008); a plain line's, what its row holds."""
    rows: dict[tuple[int, int], dict[int, tuple[int, int]]] = defaultdict(dict)
    for r in reservations:
        held = rows[(r.order_line_id, r.location_id)]
        units, _ = held.get(r.stock_id, (0, r.per_unit))
        held[r.stock_id] = (units + r.quantity, r.per_unit)
    return {key: line_units(held) for key, held in rows.items()}


def sync_shipments(
    uow: UnitOfWork, order: Order, now: datetime, *, replaces: int | None = None
) -> list[Shipment]:
    """Make the order's unshipped shipments hold exactly what it has reserved, per location.

    New reserved units go to the location's open shipment (made if there is none); units no
    longer reserved come off the least advanced shipments first; a shipment left empty is
    cancelled. Orders before confirmation have no shipments. The shipments' events are
    recorded on the order; the caller saves it. Returns the order's shipments. A shipment
    made here `replaces` the lost one given (a reship).
    """
    shipments = uow.shipments.of_orders([order.id])[order.id]
    if (
        not in_fulfilment(order.status, order.held_from)
        and order.status is not OrderStatus.CANCELLED
    ):
        return shipments
    want: dict[tuple[int, int], int] = {}
    if order.status is not OrderStatus.CANCELLED:
        want = line_units_held(uow.stock.reservations_of(order.id))
    active = [s for s in shipments if s.in_warehouse]
    have: dict[tuple[int, int], int] = defaultdict(int)
    for s in active:
        for line in s.lines:
            have[(line.order_line_id, s.location_id)] += line.quantity
    lines = {line.id: line for line in order.lines}
    changed: dict[int, Shipment] = {}
    created: list[Shipment] = []
    for key in sorted(set(want) | set(have)):
        line_id, location_id = key
        diff = want.get(key, 0) - have.get(key, 0)
        if diff > 0:
            target = _open_shipment(uow, order, (active, created), location_id, now, replaces)
            _add_units(
                target, lines[line_id].id, lines[line_id].product_id, lines[line_id].sku, diff
            )
            if target.id:
                changed[target.id] = target
        elif diff < 0:
            changed.update(_shrink(active, location_id, line_id, -diff))
    for event in _store(uow, created, changed, now):
        order.record(event)
    return [*shipments, *created]


def _store(
    uow: UnitOfWork, created: list[Shipment], changed: dict[int, Shipment], now: datetime
) -> list[OrderEvent]:
    """Write new and changed shipments (cancelling emptied ones); their timeline events."""
    events: list[OrderEvent] = []
    for s in created:
        uow.shipments.add(s)
        events.append(shipment_event(OrderEventType.SHIPMENT_CREATED, s))
    for s in changed.values():
        s.updated_at = now
        if not s.lines:
            s.move(ShipmentStatus.CANCELLED, "cancel")
            events.append(shipment_event(OrderEventType.SHIPMENT_CANCELLED, s))
        else:
            events.append(shipment_event(OrderEventType.SHIPMENT_CHANGED, s))
        uow.shipments.save(s)
    return events


def _shrink(
    active: list[Shipment], location_id: int, line_id: int, quantity: int
) -> dict[int, Shipment]:
    """Take units of a line off the location's shipments, least advanced first."""
    touched: dict[int, Shipment] = {}
    for s in sorted(
        (s for s in active if s.location_id == location_id),
        key=lambda s: (_SHRINK_ORDER[s.status], -s.id),
    ):
        quantity -= _remove_units(s, line_id, quantity)
        touched[s.id] = s
        if quantity == 0:
            break
    return touched


def _open_shipment(
    uow: UnitOfWork,
    order: Order,
    known: tuple[list[Shipment], list[Shipment]],
    location_id: int,
    now: datetime,
    replaces: int | None,
) -> Shipment:
    active, created = known
    for s in [*active, *created]:
        if s.location_id == location_id and s.status is ShipmentStatus.OPEN:
            return s
    location = uow.locations.by_id(location_id)
    assert location is not None
    shipment = Shipment(
        id=0,
        order_id=order.id,
        location_id=location_id,
        location=location.code,
        status=ShipmentStatus.OPEN,
        created_at=now,
        updated_at=now,
        ship_by=location.schedule().ship_date(now),
        replaces_id=replaces,
    )
    created.append(shipment)
    return shipment


def _add_units(s: Shipment, line_id: int, product_id: int, sku: str, quantity: int) -> None:
    for line in s.lines:
        if line.order_line_id == line_id:
            line.quantity += quantity
            return
    s.lines.append(ShipmentLine(0, line_id, product_id, sku, quantity))


def _remove_units(s: Shipment, line_id: int, quantity: int) -> int:
    """Take up to quantity units of the line off the shipment; returns how many it took."""
    for line in list(s.lines):
        if line.order_line_id == line_id:
            take = min(line.quantity, quantity)
            line.quantity -= take
            if line.quantity == 0:
                s.lines.remove(line)
            return take
    return 0


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
