"""Pick lists: waves of a location's open shipments, completing them (short picks counted
and re-sourced), giving them up."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from oms.domain.access import Actor, Permission
from oms.domain.errors import ConcurrentUpdate, Conflict, FieldErrors, NotFound
from oms.domain.fulfilment.model import (
    DEFAULT_WAVE,
    MAX_WAVE,
    PICK_LIST_STATES,
    Picked,
    PickList,
    PickListStatus,
    Shipment,
    choose_wave,
    plan_pick_lines,
    read_picks,
)
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.inventory.moves import Change, LineRef
from oms.domain.orders.events import OrderEventType
from oms.domain.orders.model import Order, check_reason
from oms.services import sourcing, stock_moves
from oms.services.ports import UnitOfWork
from oms.services.shipment_sync import shipment_detail, shipment_event, sync_shipments
from oms.services.warehouse import load_order


def create_pick_list(
    uow: UnitOfWork,
    actor: Actor,
    location_code: str,
    max_orders: int | None = None,
    shipment_ids: Collection[int] | None = None,
) -> PickList:
    """A wave of the location's open shipments, highest priority then oldest order first;
    with `shipment_ids`, of those only (a station's chosen shipments)."""
    actor.require(Permission.FULFIL)
    wave = DEFAULT_WAVE if max_orders is None else max_orders
    if not 1 <= wave <= MAX_WAVE:
        raise FieldErrors.single("max_orders", f"must be between 1 and {MAX_WAVE}")

    def work() -> PickList:
        location = uow.locations.get(location_code)
        if location is None:
            raise NotFound(f"no location with code {location_code!r}")
        candidates = uow.shipments.wave_candidates(location.id)
        if shipment_ids is not None:
            wanted = set(shipment_ids)
            gone = wanted - {c.shipment_id for c in candidates}
            if gone:
                raise Conflict(
                    f"shipment {', '.join(map(str, sorted(gone)))} is not waiting to be "
                    f"picked at {location_code}"
                )
            candidates = [c for c in candidates if c.shipment_id in wanted]
        chosen = choose_wave(candidates, wave)
        if not chosen:
            raise Conflict(f"no open shipments to pick at {location_code}")
        now = uow.now()
        # Orders first, then their shipments, each in id order: the lock order of confirm
        # and cancel, which change an order and then its shipments.
        order_of = {c.shipment_id: c.order_id for c in candidates}
        orders = {i: load_order(uow, i) for i in sorted({order_of[sid] for sid in chosen})}
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
            order.record(
                shipment_event(OrderEventType.SHIPMENT_PICKING, s, pick_list_id=pick_list.id)
            )
        for order in orders.values():
            order.start_processing()
            uow.orders.save(order, actor.name, now)
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
        PICK_LIST_STATES.check(pick_list.status, PickListStatus.COMPLETED, "complete")
        now = uow.now()
        shipments = uow.shipments.many(pick_list.shipment_ids, lock=True)
        live = [s for s in shipments if s.status is ShipmentStatus.PICKING]
        # A shipment cancelled since (its order was) needs no report; its units stay put.
        gone = {s.id for s in shipments if s.status is ShipmentStatus.CANCELLED}
        picks = read_picks(live, [p for p in picked if p.shipment_id not in gone])
        for s in live:
            order = load_order(uow, s.order_id)
            short = {ln.order_line_id: ln.quantity - picks[ln.id] for ln in s.lines}
            for line in s.lines:
                line.picked_quantity = picks[line.id]
            s.move(ShipmentStatus.PICKED, "complete picking")
            s.updated_at = now
            if any(short.values()):
                _short_pick(uow, Change(actor.name, now), order, s, short, pick_list_id)
            else:
                uow.shipments.save(s)
                order.record(shipment_event(OrderEventType.SHIPMENT_PICKED, s))
                uow.orders.save(order, actor.name, now)
        pick_list.complete(actor.name, now)
        uow.shipments.save_pick_list(pick_list)
        return pick_list

    return uow.run(work)


def _short_pick(
    uow: UnitOfWork,
    who: Change,
    order: Order,
    shipment: Shipment,
    short: dict[int, int],
    pick_list_id: int,
) -> None:
    """The bin held less than the books said: count it, and source the missing units anew."""
    lines = {line.id: line for line in order.lines}
    missing = {line_id: q for line_id, q in short.items() if q > 0}
    # A kit short: which component was missing is not known, so nothing is counted; its
    # components are released and sourced again (decision 0008).
    kits = sourcing.kits_in(uow, [lines[k].product_id for k in missing])
    rows = {
        line_id: uow.stock.lock_row(shipment.location_id, lines[line_id].product_id, who.now)
        for line_id in missing
        if lines[line_id].product_id not in kits
    }
    reason = f"short pick on pick list {pick_list_id}, shipment {shipment.id}"
    change = Change(who.actor, who.now, reason)
    held = stock_moves.held_units(uow, order.id, shipment.location_id, missing)
    stock_moves.release(uow, order.id, held, change)
    for line_id, q in missing.items():
        if line_id not in rows:
            continue
        row = rows[line_id]
        stock_moves.count(
            uow,
            row,
            row.on_hand - q,
            Change(who.actor, who.now, f"{reason}: {q} missing"),
            LineRef(order.id, line_id),
        )
    order.short_pick(
        missing,
        shipment_detail(
            shipment,
            missing={lines[k].sku: q for k, q in missing.items()},
            pick_list_id=pick_list_id,
        ),
    )
    _keep_what_was_picked(order, shipment)
    uow.shipments.save(shipment)
    # Other locations first; what they cannot give may still come from this one's other
    # units (the books say it has them); only then does the line wait for stock.
    decision = sourcing.source_units(
        uow, order, missing, {}, change, exclude=frozenset({shipment.location_id})
    )
    if any(decision.backordered.values()):
        sourcing.source_units(
            uow,
            order,
            dict(decision.backordered),
            {},
            Change(who.actor, who.now, reason + ", same bin"),
        )
    sync_shipments(uow, order, who.now)
    uow.orders.save(order, who.actor, who.now)


def _keep_what_was_picked(order: Order, shipment: Shipment) -> None:
    """The parcel holds what the picker has: the missing units leave it before they are
    sourced again, so a unit found at this same location goes to a new open shipment (to
    be picked) rather than back onto this one. Nothing picked: the shipment is cancelled."""
    for line in shipment.lines:
        line.quantity = line.picked_quantity or 0
    shipment.lines = [line for line in shipment.lines if line.quantity]
    if not shipment.lines:
        shipment.move(ShipmentStatus.CANCELLED, "cancel")
        order.record(shipment_event(OrderEventType.SHIPMENT_CANCELLED, shipment))


def cancel_pick_list(uow: UnitOfWork, actor: Actor, pick_list_id: int, reason: str) -> PickList:
    """Give up a pick list (the picker could not finish it): its shipments go back to open,
    for the next wave; nothing was picked, so stock and reservations stay as they are."""
    actor.require(Permission.FULFIL)
    check_reason(reason)

    def work() -> PickList:
        pick_list = uow.shipments.get_pick_list(pick_list_id, lock=True)
        if pick_list is None:
            raise NotFound(f"no pick list with id {pick_list_id}")
        PICK_LIST_STATES.check(pick_list.status, PickListStatus.CANCELLED, "give up")
        now = uow.now()
        order_ids = sorted({s.order_id for s in uow.shipments.many(pick_list.shipment_ids)})
        orders = {
            i: load_order(uow, i) for i in order_ids
        }  # orders, then shipments: the lock order
        shipments = uow.shipments.many(pick_list.shipment_ids, lock=True)
        for s in shipments:
            if s.status is not ShipmentStatus.PICKING:
                continue  # cancelled with its order meanwhile
            s.move(ShipmentStatus.OPEN, "put back")
            s.pick_list_id = None
            s.updated_at = now
            uow.shipments.save(s)
            orders[s.order_id].record(
                shipment_event(
                    OrderEventType.SHIPMENT_UNPICKED, s, pick_list_id=pick_list.id, reason=reason
                )
            )
        for order in orders.values():
            if order.events:
                uow.orders.save(order, actor.name, now)
        pick_list.give_up(actor.name, now)
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
