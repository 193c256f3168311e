"""Sourcing and shipments: which locations ship an order, and keeping shipments in step.

Reservations are the truth of where an order's units sit; shipments are how the warehouse
works them. `sync_shipments` keeps the two in step after anything moves a reservation
(confirm, a backorder fill, a take-back, a rejection, a short pick, a cancellation): for
each order line and location, the units in the location's unshipped shipments equal the
units reserved there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from oms.domain.catalogue.model import Location
from oms.domain.errors import ConcurrentUpdate
from oms.domain.fulfilment.errors import NoRate
from oms.domain.fulfilment.model import Shipment, ShipmentLine
from oms.domain.fulfilment.rates import Quote
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.fulfilment.sourcing import (
    SourcingCandidate,
    SourcingDecision,
    SourcingLine,
    plan_sourcing,
)
from oms.domain.inventory.model import LedgerEntry, LedgerKind
from oms.domain.money import Money
from oms.domain.orders.events import OrderEvent, OrderEventType
from oms.domain.orders.model import Order
from oms.domain.orders.status import IN_FULFILMENT, OrderStatus
from oms.services.ports import NewReservation, UnitOfWork

# Units are taken off the latest stage last: an open shipment gives up units before one
# that is being picked, and that before one that is picked or packed.
_SHRINK_ORDER = {
    ShipmentStatus.OPEN: 0,
    ShipmentStatus.PICKING: 1,
    ShipmentStatus.PICKED: 2,
    ShipmentStatus.PACKED: 3,
}


def in_fulfilment(order: Order) -> bool:
    """The order's reserved units are split into shipments (also while it is on hold)."""
    if order.status is OrderStatus.ON_HOLD:
        return order.held_from in IN_FULFILMENT
    return order.status in IN_FULFILMENT


def save_order(uow: UnitOfWork, order: Order, actor: str, now: datetime | None = None) -> None:
    """Store the order (version-checked) and the events its verbs recorded."""
    order.updated_at = now or uow.now()
    uow.orders.save(order)
    uow.orders.add_events(order.id, order.events, actor, order.updated_at)
    order.events.clear()


def weight_of(uow: UnitOfWork, product_ids: list[int]) -> dict[int, int]:
    products = uow.products.by_ids(product_ids)
    return {pid: (p.weight_grams or 0) for pid, p in products.items()}


@dataclass(frozen=True, slots=True)
class Change:
    """Who moves stock, when, and why (for the ledger and the timeline)."""

    actor: str
    now: datetime
    reason: str


def source_units(
    uow: UnitOfWork,
    order: Order,
    demand: Mapping[int, int],
    own: Mapping[tuple[int, int], int],
    change: Change,
    exclude: frozenset[int] = frozenset(),
) -> SourcingDecision:
    """Decide where `demand` (units per order line) ships from, and move reservations to match.

    `own` is what the order already holds per (line id, stock id) towards that demand: those
    units count as available to the order and are released where the decision moves them.
    The order's lines (allocated and backordered) are updated in place; the caller saves
    the order. Stock rows must already be locked (lock_options) by the caller.
    """
    lines_by_id = {line.id: line for line in order.lines}
    product_ids = sorted({lines_by_id[k].product_id for k in demand})
    options = uow.stock.lock_options(product_ids)
    locations = {loc.id: loc for loc in uow.locations.all()}
    own_at: dict[tuple[int, int], int] = defaultdict(int)  # (stock id, product) -> units
    for (line_id, stock_id), quantity in own.items():
        own_at[(stock_id, lines_by_id[line_id].product_id)] += quantity
    stock: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for o in options:
        if o.location_id in exclude:
            continue
        stock[o.location_id][o.product_id] = (
            o.stock_id,
            max(o.available, 0) + own_at.get((o.stock_id, o.product_id), 0),
        )
    candidates = [
        SourcingCandidate(loc_id, locations[loc_id].code, locations[loc_id].priority, rows)
        for loc_id, rows in sorted(stock.items())
    ]
    weights = weight_of(uow, product_ids)
    lines = [
        SourcingLine(
            line_id,
            lines_by_id[line_id].product_id,
            lines_by_id[line_id].sku,
            quantity,
            weights.get(lines_by_id[line_id].product_id, 0),
        )
        for line_id, quantity in sorted(demand.items())
        if quantity > 0
    ]
    if not lines:
        return SourcingDecision((), {}, "nothing to source", {"rule": "nothing to source"})
    quoter = _Quoter(uow, order, locations)
    note: dict[str, str] = {}
    if candidates and not any(quoter(c.location_id, 0) for c in candidates):
        # No location may ship there at all: source by stock alone rather than backorder
        # units that are on the shelf; shipping will ask for a carrier that serves it.
        quoter.unpriced = True
        note["note"] = f"no carrier rate to {order.shipping_address.country}: sourced by stock"
    decision = plan_sourcing(lines, candidates, quoter)
    _apply(uow, order, decision, own, change)
    order.events.append(
        OrderEvent(
            OrderEventType.SOURCED,
            data={"reason": change.reason, **note, **decision.explanation},
        )
    )
    return decision


class _Quoter:
    """The default carrier's price from a location to the order's address (None: no rate)."""

    def __init__(self, uow: UnitOfWork, order: Order, locations: Mapping[int, Location]) -> None:
        self._carrier = uow.carriers.default()
        self._to = order.shipping_address
        self._locations = locations
        self._currency = order.currency
        self.unpriced = False

    def __call__(self, location_id: int, weight_grams: int) -> Quote | None:
        if self.unpriced:
            return Quote("no rate", Money.zero(self._currency), 0)
        origin = self._locations[location_id].country
        try:
            return self._carrier.quote(origin, self._to.country, self._to.postal_code, weight_grams)
        except NoRate:
            return None


def _apply(
    uow: UnitOfWork,
    order: Order,
    decision: SourcingDecision,
    own: Mapping[tuple[int, int], int],
    change: Change,
) -> None:
    """Reservations := the decision; release what moved away first, then reserve the new."""
    target: dict[tuple[int, int], int] = defaultdict(int)
    for a in decision.allocations:
        target[(a.line_key, a.stock_id)] += a.quantity
    releases = {k: q - target.get(k, 0) for k, q in own.items() if q > target.get(k, 0)}
    takes = {k: q - own.get(k, 0) for k, q in target.items() if q > own.get(k, 0)}
    release_reserved(uow, order.id, releases, change)
    reserve_units(uow, order.id, takes, change)
    delta: dict[int, int] = defaultdict(int)
    for (line_id, _), q in takes.items():
        delta[line_id] += q
    for (line_id, _), q in releases.items():
        delta[line_id] -= q
    for line in order.lines:
        moved = delta.get(line.id, 0)
        line.allocated_quantity += moved
        line.backordered_quantity -= moved


def reserve_units(
    uow: UnitOfWork, order_id: int, takes: Mapping[tuple[int, int], int], change: Change
) -> None:
    """Reserve units per (line id, stock id): conditional updates, reservation rows, ledger.

    The stock rows are locked by the caller, so a refused update means the plan is stale.
    The order's line quantities are the caller's to change.
    """
    if not takes:
        return
    if not uow.stock.reserve([(stock_id, q) for (_, stock_id), q in takes.items()]):
        raise ConcurrentUpdate("stock moved while the reservation was planned")
    uow.stock.add_reservations(
        [
            NewReservation(order_id, line_id, stock_id, q)
            for (line_id, stock_id), q in takes.items()
        ],
        change.now,
    )
    uow.stock.append_ledger(
        [
            LedgerEntry(
                stock_id,
                LedgerKind.RESERVATION,
                0,
                q,
                change.actor,
                change.now,
                change.reason,
                order_id,
                line_id,
            )
            for (line_id, stock_id), q in takes.items()
        ]
    )


def release_reserved(
    uow: UnitOfWork, order_id: int, releases: Mapping[tuple[int, int], int], change: Change
) -> None:
    """Give back reserved units per (line id, stock id): reservation rows, stock, ledger.

    The order's line quantities are the caller's to change.
    """
    if not releases:
        return
    held: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for r in uow.stock.reservations_of(order_id):
        held[(r.order_line_id, r.stock_id)].append((r.id, r.quantity))
    ledger: list[LedgerEntry] = []
    for (line_id, stock_id), quantity in sorted(releases.items()):
        left = quantity
        for reservation_id, has in sorted(held[(line_id, stock_id)], reverse=True):
            take = min(has, left)
            if take <= 0:
                break
            uow.stock.reduce_reservation(reservation_id, take)
            left -= take
        if left or not uow.stock.release(stock_id, quantity):
            raise ConcurrentUpdate("reserved units moved while they were released")
        ledger.append(
            LedgerEntry(
                stock_id,
                LedgerKind.RELEASE,
                0,
                -quantity,
                change.actor,
                change.now,
                change.reason,
                order_id,
                line_id,
            )
        )
    uow.stock.append_ledger(ledger)


def sync_shipments(uow: UnitOfWork, order: Order, actor: str, now: datetime) -> list[Shipment]:
    """Make the order's unshipped shipments hold exactly what it has reserved, per location.

    New reserved units go to the location's open shipment (made if there is none); units no
    longer reserved come off the least advanced shipments first; a shipment left empty is
    cancelled. Orders before confirmation have no shipments. Returns the order's shipments.
    """
    shipments = uow.shipments.of_orders([order.id])[order.id]
    if not in_fulfilment(order) and order.status is not OrderStatus.CANCELLED:
        return shipments
    want: dict[tuple[int, int], int] = defaultdict(int)
    if order.status is not OrderStatus.CANCELLED:
        for r in uow.stock.reservations_of(order.id):
            want[(r.order_line_id, r.location_id)] += r.quantity
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
            target = _open_shipment(uow, order, active, created, location_id, now)
            _add_units(
                target, lines[line_id].id, lines[line_id].product_id, lines[line_id].sku, diff
            )
            if target.id:
                changed[target.id] = target
        elif diff < 0:
            for s in sorted(
                (s for s in active if s.location_id == location_id),
                key=lambda s: (_SHRINK_ORDER[s.status], -s.id),
            ):
                diff += _remove_units(s, line_id, -diff)
                changed[s.id] = s
                if diff == 0:
                    break
    uow.orders.add_events(order.id, _store(uow, created, changed, now), actor, now)
    return [*shipments, *created]


def _store(
    uow: UnitOfWork, created: list[Shipment], changed: dict[int, Shipment], now: datetime
) -> list[OrderEvent]:
    """Write new and changed shipments (cancelling emptied ones); their timeline events."""
    events: list[OrderEvent] = []
    for s in created:
        uow.shipments.add(s)
        events.append(_shipment_event(OrderEventType.SHIPMENT_CREATED, s))
    for s in changed.values():
        s.updated_at = now
        if not s.lines:
            s.move(ShipmentStatus.CANCELLED, "cancel")
            events.append(_shipment_event(OrderEventType.SHIPMENT_CANCELLED, s))
        else:
            events.append(_shipment_event(OrderEventType.SHIPMENT_CHANGED, s))
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
    active: list[Shipment],
    created: list[Shipment],
    location_id: int,
    now: datetime,
) -> Shipment:
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


def _shipment_event(kind: OrderEventType, s: Shipment, **extra: object) -> OrderEvent:
    return OrderEvent(
        kind,
        data={
            "shipment_id": s.id,
            "location": s.location,
            "status": s.status.value,
            "lines": s.contents(),
            **extra,
        },
    )


def shipment_event(kind: OrderEventType, s: Shipment, **extra: object) -> OrderEvent:
    """A timeline event about one of the order's shipments."""
    return _shipment_event(kind, s, **extra)


def resync(uow: UnitOfWork, order_ids: list[int], actor: str, now: datetime) -> None:
    """After reservations of these orders moved outside their aggregate (fills, take-backs)."""
    for order_id in sorted(set(order_ids)):
        order = uow.orders.get(order_id)
        if order is not None:
            sync_shipments(uow, order, actor, now)
