"""Lost parcels: a carrier reports one lost, or customer service declares it; customer
service sends its units again in a new shipment (a reship).

When a shipment becomes lost (once: `lost` is reached from a status on the way only, under
the shipment's lock) its units leave the ledger as a loss, the order's timeline records
`shipment.lost`, and a `lost` problem puts the order in customer service's queue. A reship
moves the lost shipment to `replaced`, puts its units back to wait (`Order.unship`),
reserves them again under the normal sourcing rule (what no location has stays backordered,
filled later by the backorder rule), makes the new shipment (`replaces_id` the lost one),
and resolves the lost shipment's open problems.

Locks: the shipment, then its order, then stock rows, the order `record_carrier_event`
takes them in, so a carrier's report and a person's action on the same parcel queue up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oms.domain.access import Actor, Permission
from oms.domain.catalogue.kits import split
from oms.domain.errors import Conflict
from oms.domain.fulfilment.model import Shipment
from oms.domain.fulfilment.shipment import ShipmentStatus, can_transition
from oms.domain.inventory.moves import Change, LineRef
from oms.domain.orders.events import OrderEvent, OrderEventType
from oms.domain.orders.model import Order, check_reason
from oms.domain.orders.problems import ProblemReason
from oms.services import order_problems, sourcing, stock_moves
from oms.services.order_problems import Done, Report
from oms.services.ports import UnitOfWork
from oms.services.shipment_sync import follow_shipments, shipment_detail, sync_shipments
from oms.services.warehouse import load_order, load_shipment


@dataclass(frozen=True, slots=True)
class Reshipped:
    """A reship: the lost shipment (now replaced), the shipments made for its units, and
    its units no location had (per SKU), which wait for stock as backorders."""

    replaced: Shipment
    shipments: list[Shipment]
    backordered: dict[str, int]


def parcel_lost(
    uow: UnitOfWork, order: Order, shipment: Shipment, who: str, note: str | None
) -> None:
    """Inside a transaction holding the shipment and its order (locked), just after the
    shipment moved to lost: book its units as a loss, record `shipment.lost` with what
    was said, open a `lost` problem. The caller saves the order."""
    now = uow.now()
    parcel = f"shipment {shipment.id} ({shipment.tracking_number or 'no tracking number'})"
    change = Change(who, now, f"{parcel} lost")
    kits = sourcing.kits_in(uow, [ln.product_id for ln in shipment.lines])
    for line in sorted(shipment.lines, key=lambda ln: (ln.product_id, ln.id)):
        # A lost kit is its components lost (decision 0008).
        for product_id, q in split(kits, line.product_id, line.quantity):
            row = uow.stock.lock_row(shipment.location_id, product_id, now)
            stock_moves.book_loss(uow, row, q, change, LineRef(order.id, line.order_line_id))
    extra: dict[str, Any] = {"tracking_number": shipment.tracking_number, "reported_by": who}
    if note:  # the timeline shows a reason as the event's words
        extra["reason"] = note
    order.record(OrderEvent(OrderEventType.SHIPMENT_LOST, data=shipment_detail(shipment, **extra)))
    order_problems.open_problem(uow, order, Report(ProblemReason.LOST, who, note, shipment.id), now)


def declare_lost(uow: UnitOfWork, actor: Actor, shipment_id: int, reason: str) -> Shipment:
    """Customer service says a parcel on its way will never arrive (the carrier gave up,
    or has said nothing for too long). 409 unless it is on its way."""
    actor.require(Permission.SHIPMENT_RESHIP)
    check_reason(reason)

    def work() -> Shipment:
        s = load_shipment(uow, shipment_id)
        order = load_order(uow, s.order_id)
        if not can_transition(s.status, ShipmentStatus.LOST):
            raise Conflict(
                f"shipment {s.id} is {s.status.value}: only a parcel on its way (shipped, in "
                "transit, out for delivery, exception) may be declared lost"
            )
        now = uow.now()
        s.move(ShipmentStatus.LOST, "declare lost")
        s.updated_at = now
        uow.shipments.save(s)
        parcel_lost(uow, order, s, actor.name, reason.strip())
        uow.orders.save(order, actor.name, now)
        return s

    return uow.run(work)


def reship(uow: UnitOfWork, actor: Actor, shipment_id: int) -> Reshipped:
    """Send a lost parcel's units again: 409 unless the shipment is lost (a second reship
    of the same parcel finds it replaced)."""
    actor.require(Permission.SHIPMENT_RESHIP)

    def work() -> Reshipped:
        lost = load_shipment(uow, shipment_id)
        if lost.status is not ShipmentStatus.LOST:
            raise Conflict(
                f"shipment {lost.id} is {lost.status.value}: only a lost shipment is sent again"
            )
        order = load_order(uow, lost.order_id)
        now = uow.now()
        lost.move(ShipmentStatus.REPLACED, "send again")
        lost.updated_at = now
        uow.shipments.save(lost)
        units = {ln.order_line_id: ln.quantity for ln in lost.lines}
        detail = shipment_detail(lost, tracking_number=lost.tracking_number)
        order.unship(units, OrderEventType.SHIPMENT_REPLACED, detail)
        replaced_event = order.events[-1]  # not stored yet: the new ids are added below
        follow_shipments(uow, order)  # back to processing or partially shipped
        parcel = f"shipment {lost.id} ({lost.tracking_number or 'no tracking number'})"
        change = Change(actor.name, now, f"{parcel} lost: its units are sent again")
        decision = sourcing.source_units(uow, order, units, {}, change)
        before = _waiting_units(uow.shipments.of_orders([order.id])[order.id], units)
        after = sync_shipments(uow, order, now, replaces=lost.id)
        made = _carrying(uow, after, before, units, lost.id)
        follow_shipments(uow, order)
        ids = [s.id for s in made]
        # The link both ways: the new shipment's `shipment.created` names the lost one
        # (replaces_shipment_id); the lost one's `shipment.replaced` names the new ones.
        replaced_event.data["replaced_by"] = ids
        replaced_event.data["text"] = _sent_again(lost, ids)
        order_problems.resolve_open(
            uow, order, Done(actor.name, now, _sent_again(lost, ids)), shipment_id=lost.id
        )
        uow.orders.save(order, actor.name, now)
        skus = {line.id: line.sku for line in order.lines}
        waiting = {skus[k]: q for k, q in decision.backordered.items() if q > 0}
        return Reshipped(lost, made, waiting)

    return uow.run(work)


def _waiting_units(shipments: list[Shipment], units: dict[int, int]) -> dict[int, int]:
    """Per shipment still in the warehouse, its units of the lost parcel's lines."""
    return {
        s.id: sum(ln.quantity for ln in s.lines if ln.order_line_id in units)
        for s in shipments
        if s.in_warehouse
    }


def _carrying(
    uow: UnitOfWork,
    shipments: list[Shipment],
    before: dict[int, int],
    units: dict[int, int],
    lost_id: int,
) -> list[Shipment]:
    """The shipments that now carry the lost parcel's units: the one made for them, or an
    open one of the same location that took them in (it then replaces the lost one too)."""
    now_waiting = _waiting_units(shipments, units)
    found = []
    for s in shipments:
        if s.in_warehouse and now_waiting[s.id] > before.get(s.id, 0):
            if s.replaces_id is None:
                s.replaces_id = lost_id
                uow.shipments.save(s)
            found.append(s)
    return found


def _sent_again(lost: Shipment, ids: list[int]) -> str:
    parcel = f"Shipment {lost.id} ({lost.tracking_number or 'no tracking number'}) was lost"
    if not ids:
        return f"{parcel}: its units wait for stock to be sent again"
    made = ", ".join(str(i) for i in ids)
    return f"{parcel}: reshipped as shipment {made}"
