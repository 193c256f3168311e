"""Warehouse work: pick lists, short picks, packing, shipping, rejecting a shipment."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from oms.domain.access import Actor, Permission
from oms.domain.errors import ConcurrentUpdate, Conflict, FieldError, FieldErrors, NotFound
from oms.domain.fulfilment.calendar import promise
from oms.domain.fulfilment.model import (
    DEFAULT_WAVE,
    MAX_WAVE,
    Picked,
    PickList,
    PickListStatus,
    ScanDifference,
    Shipment,
    choose_wave,
    compare_scan,
    plan_pick_lines,
    read_picks,
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


def _order(uow: UnitOfWork, order_id: int) -> Order:
    order = uow.orders.get(order_id, lock=True)
    if order is None:  # pragma: no cover - a shipment's order always exists
        raise NotFound(f"no order with id {order_id}")
    return order


def _shipment(uow: UnitOfWork, shipment_id: int, *, lock: bool = True) -> Shipment:
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


# -- pick lists ------------------------------------------------------------------------------


def create_pick_list(
    uow: UnitOfWork, actor: Actor, location_code: str, max_orders: int | None = None
) -> PickList:
    """A wave of the location's open shipments, highest priority then oldest order first."""
    actor.require(Permission.FULFIL)
    wave = DEFAULT_WAVE if max_orders is None else max_orders
    if not 1 <= wave <= MAX_WAVE:
        raise FieldErrors.single("max_orders", f"must be between 1 and {MAX_WAVE}")

    def work() -> PickList:
        location = uow.locations.get(location_code)
        if location is None:
            raise NotFound(f"no location with code {location_code!r}")
        candidates = uow.shipments.wave_candidates(location.id)
        chosen = choose_wave(candidates, wave)
        if not chosen:
            raise Conflict(f"no open shipments to pick at {location_code}")
        now = uow.now()
        # Orders first, then their shipments, each in id order: the lock order of confirm
        # and cancel, which change an order and then its shipments.
        order_of = {c.shipment_id: c.order_id for c in candidates}
        orders = {i: _order(uow, i) for i in sorted({order_of[sid] for sid in chosen})}
        shipments = uow.shipments.many(chosen, lock=True)
        if any(
            s.pick_list_id is not None or s.status is not ShipmentStatus.OPEN for s in shipments
        ):
            raise ConcurrentUpdate("a shipment of the wave was taken meanwhile")
        bins = uow.stock.bins(
            location.id, sorted({ln.product_id for s in shipments for ln in s.lines})
        )
        lines = plan_pick_lines(
            shipments, {pid: b or location.default_bin for pid, b in bins.items()}
        )
        pick_list = PickList(
            0, location.id, location.code, PickListStatus.OPEN, actor.name, now, lines
        )
        uow.shipments.add_pick_list(pick_list)
        for s in shipments:
            s.move(ShipmentStatus.PICKING, "start picking")
            s.pick_list_id = pick_list.id
            s.updated_at = now
            uow.shipments.save(s)
            order = orders[s.order_id]
            order.events.append(
                shipment_event(OrderEventType.SHIPMENT_PICKING, s, pick_list_id=pick_list.id)
            )
        for order in orders.values():
            order.start_processing()
            save_order(uow, order, actor.name)
        pick_list.shipment_ids = [s.id for s in shipments]
        return pick_list

    return uow.run(work)


def complete_pick_list(
    uow: UnitOfWork, actor: Actor, pick_list_id: int, picked: Sequence[Picked]
) -> PickList:
    """Record what was picked. A short pick is counted at the location and re-sourced."""
    actor.require(Permission.FULFIL)

    def work() -> PickList:
        pick_list = uow.shipments.get_pick_list(pick_list_id, lock=True)
        if pick_list is None:
            raise NotFound(f"no pick list with id {pick_list_id}")
        if pick_list.status is not PickListStatus.OPEN:
            raise Conflict(f"pick list {pick_list_id} is {pick_list.status.value} already")
        now = uow.now()
        shipments = uow.shipments.many(pick_list.shipment_ids, lock=True)
        live = [s for s in shipments if s.status is ShipmentStatus.PICKING]
        # A shipment cancelled since (its order was) needs no report; its units stay put.
        gone = {s.id for s in shipments if s.status is ShipmentStatus.CANCELLED}
        picks = read_picks(live, [p for p in picked if p.shipment_id not in gone])
        for s in live:
            order = _order(uow, s.order_id)
            short = {ln.order_line_id: ln.quantity - picks[ln.id] for ln in s.lines}
            for line in s.lines:
                line.picked_quantity = picks[line.id]
            s.move(ShipmentStatus.PICKED, "complete picking")
            s.updated_at = now
            if any(short.values()):
                _short_pick(uow, actor.name, order, s, short, pick_list_id)
            else:
                uow.shipments.save(s)
                order.events.append(shipment_event(OrderEventType.SHIPMENT_PICKED, s))
                save_order(uow, order, actor.name)
        pick_list.status = PickListStatus.COMPLETED
        pick_list.completed_by = actor.name
        pick_list.completed_at = now
        uow.shipments.save_pick_list(pick_list)
        return pick_list

    return uow.run(work)


def _short_pick(
    uow: UnitOfWork,
    actor: str,
    order: Order,
    shipment: Shipment,
    short: dict[int, int],
    pick_list_id: int,
) -> None:
    """The bin held less than the books said: count it, and source the missing units anew."""
    now = uow.now()
    lines = {line.id: line for line in order.lines}
    missing = {line_id: q for line_id, q in short.items() if q > 0}
    rows = {
        line_id: uow.stock.lock_row(shipment.location_id, lines[line_id].product_id, now)
        for line_id in missing
    }
    reason = f"short pick on pick list {pick_list_id}, shipment {shipment.id}"
    release_reserved(
        uow,
        order.id,
        {(line_id, rows[line_id].stock_id): q for line_id, q in missing.items()},
        Change(actor, now, reason),
    )
    counts: list[LedgerEntry] = []
    for line_id, q in missing.items():
        row = rows[line_id]
        if not uow.stock.change_on_hand(row.stock_id, -q):
            raise Conflict(f"{row.sku} at {row.location}: the count would go below reserved")
        counts.append(
            LedgerEntry(
                row.stock_id,
                LedgerKind.COUNT,
                -q,
                0,
                actor,
                now,
                f"{reason}: {q} missing",
                order.id,
                line_id,
            )
        )
        lines[line_id].allocated_quantity -= q
        lines[line_id].backordered_quantity += q
    uow.stock.append_ledger(counts)
    order.events.append(
        shipment_event(
            OrderEventType.SHIPMENT_SHORT_PICKED,
            shipment,
            missing={lines[k].sku: q for k, q in missing.items()},
            pick_list_id=pick_list_id,
        )
    )
    uow.shipments.save(shipment)
    # Other locations first; what they cannot give may still come from this one's other
    # units (the books say it has them); only then does the line wait for stock.
    decision = source_units(
        uow,
        order,
        missing,
        {},
        Change(actor, now, reason),
        exclude=frozenset({shipment.location_id}),
    )
    if any(decision.backordered.values()):
        source_units(
            uow, order, dict(decision.backordered), {}, Change(actor, now, reason + ", same bin")
        )
    save_order(uow, order, actor)
    sync_shipments(uow, order, actor, now)
    # Picked lines keep what was picked: sync took the missing units off them.
    refreshed = _shipment(uow, shipment.id)
    if refreshed.status is not ShipmentStatus.CANCELLED:
        for line in refreshed.lines:
            line.picked_quantity = line.quantity
        uow.shipments.save(refreshed)


def cancel_pick_list(uow: UnitOfWork, actor: Actor, pick_list_id: int, reason: str) -> PickList:
    """Give up a pick list (the picker could not finish it): its shipments go back to open,
    for the next wave; nothing was picked, so stock and reservations stay as they are."""
    actor.require(Permission.FULFIL)
    check_reason(reason)

    def work() -> PickList:
        pick_list = uow.shipments.get_pick_list(pick_list_id, lock=True)
        if pick_list is None:
            raise NotFound(f"no pick list with id {pick_list_id}")
        if pick_list.status is not PickListStatus.OPEN:
            raise Conflict(f"pick list {pick_list_id} is {pick_list.status.value}")
        now = uow.now()
        order_ids = sorted({s.order_id for s in uow.shipments.many(pick_list.shipment_ids)})
        orders = {i: _order(uow, i) for i in order_ids}  # orders, then shipments: the lock order
        shipments = uow.shipments.many(pick_list.shipment_ids, lock=True)
        for s in shipments:
            if s.status is not ShipmentStatus.PICKING:
                continue  # cancelled with its order meanwhile
            s.move(ShipmentStatus.OPEN, "put back")
            s.pick_list_id = None
            s.updated_at = now
            uow.shipments.save(s)
            orders[s.order_id].events.append(
                shipment_event(
                    OrderEventType.SHIPMENT_UNPICKED, s, pick_list_id=pick_list.id, reason=reason
                )
            )
        for order in orders.values():
            if order.events:
                save_order(uow, order, actor.name)
        pick_list.status = PickListStatus.CANCELLED
        pick_list.completed_by = actor.name
        pick_list.completed_at = now
        uow.shipments.save_pick_list(pick_list)
        return pick_list

    return uow.run(work)


def get_pick_list(uow: UnitOfWork, actor: Actor, pick_list_id: int) -> PickList:
    actor.require(Permission.SHIPMENT_READ)

    def work() -> PickList:
        pick_list = uow.shipments.get_pick_list(pick_list_id)
        if pick_list is None:
            raise NotFound(f"no pick list with id {pick_list_id}")
        return pick_list

    return uow.run(work, write=False)


def list_pick_lists(
    uow: UnitOfWork,
    actor: Actor,
    location: str | None,
    status: str | None,
    before_id: int | None,
    limit: int,
) -> list[PickList]:
    actor.require(Permission.SHIPMENT_READ)

    def work() -> list[PickList]:
        location_id = None
        if location is not None:
            found = uow.locations.get(location)
            if found is None:
                return []
            location_id = found.id
        return uow.shipments.pick_lists(location_id, status, before_id, limit)

    return uow.run(work, write=False)


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
        s = _shipment(uow, shipment_id)
        order = _order(uow, s.order_id)
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
        s = _shipment(uow, shipment_id)
        order = _order(uow, s.order_id)
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
        s = _shipment(uow, shipment_id)
        if s.status is not ShipmentStatus.OPEN:
            raise Conflict(
                f"shipment {s.id} is {s.status.value}: a location rejects a shipment "
                "only before picking starts"
            )
        order = _order(uow, s.order_id)
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
        return _shipment(uow, s.id)

    return uow.run(work)


def get_shipment(uow: UnitOfWork, actor: Actor, shipment_id: int) -> Shipment:
    actor.require(Permission.SHIPMENT_READ)
    return uow.run(lambda: _shipment(uow, shipment_id, lock=False), write=False)
