"""Delivery runs on the road: starting one (its parcels ship and go out for delivery),
each stop delivered or not, the parcel that comes back after the location's last attempt,
finishing the run; and the proofs of delivery staff may see.

Outcomes move a shipment through the same state machine, order verbs and carrier-event
timeline as a carrier's reports (`tracking.record_carrier_event`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from oms.domain.access import Actor, Permission, Role
from oms.domain.catalogue.kits import split
from oms.domain.errors import Conflict, FieldErrors, NotFound, PermissionDenied
from oms.domain.fulfilment.delivery_runs import (
    RUN_STATES,
    Delivered,
    DeliveryRun,
    Failed,
    Proof,
    Report,
    RunStatus,
    RunStop,
    returns_after,
)
from oms.domain.fulfilment.local_delivery import DEFAULT_MAX_ATTEMPTS, LOCAL_CARRIER
from oms.domain.fulfilment.model import Shipment
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.inventory.model import LedgerKind, StockRow
from oms.domain.inventory.moves import Change
from oms.domain.orders.events import OrderEvent, OrderEventType
from oms.domain.orders.model import Order
from oms.domain.orders.problems import ProblemReason
from oms.domain.orders.status import warehouse_may_work
from oms.services import sourcing, stock_moves
from oms.services.backorders import fill_backorders
from oms.services.delivery_runs import RunSheet, check_driver, load_run, sheet_of
from oms.services.order_problems import Report as ProblemReport
from oms.services.order_problems import open_problem
from oms.services.ports import UnitOfWork
from oms.services.ports.delivery import DeliveryProof
from oms.services.ports.shipments import CarrierEvent
from oms.services.shipment_sync import follow_shipments, shipment_detail
from oms.services.warehouse import hand_over, load_order, load_shipment

S = ShipmentStatus
_REASON_WORDS = {
    "not_home": "nobody home",
    "refused": "refused",
    "address_wrong": "address wrong",
    "other": "other",
}


@dataclass(frozen=True, slots=True)
class StopResult:
    """A stop's outcome as recorded, and where it left the shipment."""

    run: DeliveryRun
    stop: RunStop
    shipment: Shipment
    recorded: bool  # False: the same report came before; nothing changed
    returned: bool  # the last attempt failed: the parcel is back at its location


def _driving(actor: Actor, run: DeliveryRun) -> None:
    """A driver records stops of their own run only; dispatchers of any run."""
    if actor.role is Role.DRIVER and run.driver not in (None, actor.name):
        raise PermissionDenied(f"run {run.id} is {run.driver}'s")


def start_run(uow: UnitOfWork, actor: Actor, run_id: int, driver: str | None = None) -> RunSheet:
    """The driver leaves: packed parcels ship by local delivery (stock consumed, tracking
    number, dates), and every parcel of the run is out for delivery. A driver starts a run
    that is theirs or nobody's; a dispatcher names the driver if the run has none."""

    def work() -> RunSheet:
        run = load_run(uow, actor, run_id, lock=True)
        _driving(actor, run)
        if actor.role is Role.DRIVER:
            name = actor.name
        else:
            actor.require_at(run.location, Permission.DELIVERY_DISPATCH)
            wanted = driver or run.driver
            if wanted is None:
                raise FieldErrors.single("driver", "name the driver who takes the run")
            name = check_driver(uow, wanted, run.location)
        now = uow.now()
        RUN_STATES.check(run.status, RunStatus.STARTED, "start")
        shipments = uow.shipments.many([s.shipment_id for s in run.stops], lock=True)
        orders = {i: load_order(uow, i) for i in sorted({s.order_id for s in shipments})}
        # A parcel whose order went on hold or was cancelled since, or that left by other
        # means, is no longer the run's: its stop is dropped, the rest go.
        gone = [s.id for s in shipments if not _may_go(s, orders[s.order_id])]
        run.drop(gone)
        if not run.stops:
            raise Conflict(f"run {run.id}: none of its parcels may go out any more")
        run.start(name, now)
        for s in shipments:
            order = orders[s.order_id]
            if s.id in gone:
                continue
            if s.status is S.PACKED:
                hand_over(uow, actor.name, s, order, LOCAL_CARRIER)
            if s.status is not S.OUT_FOR_DELIVERY:
                s.move(S.OUT_FOR_DELIVERY, "send out for delivery")
                _report(uow, actor, s, order, now, driver=name, run=run.id)
        for order in orders.values():
            follow_shipments(uow, order)
            uow.orders.save(order, actor.name, now)
        uow.delivery.save_run(run)
        return sheet_of(uow, run)

    return uow.run(work)


def _may_go(s: Shipment, order: Order) -> bool:
    if s.status is S.PACKED:
        return warehouse_may_work(order.status)
    return s.status in (S.SHIPPED, S.OUT_FOR_DELIVERY, S.EXCEPTION)


def _report(
    uow: UnitOfWork,
    actor: Actor,
    s: Shipment,
    order: Order,
    now: datetime,
    note: str | None = None,
    **detail: object,
) -> None:
    """The shipment's new status as a carrier event (the tracking page's timeline) and in
    the order's timeline (delivery and return are recorded by the order's verbs)."""
    assert s.tracking_number is not None
    event = CarrierEvent(s.tracking_number, s.status, now, s.location, note)
    uow.shipments.add_event(s.id, event, True, actor.name, now)
    s.last_event_at = now
    s.updated_at = now
    uow.shipments.save(s)
    data = shipment_detail(
        s, carrier=s.carrier, tracking_number=s.tracking_number, at=now.isoformat(), **detail
    )
    if s.status is S.OUT_FOR_DELIVERY:
        order.record(OrderEvent(OrderEventType.SHIPMENT_OUT_FOR_DELIVERY, data=data))
    elif s.status is S.EXCEPTION:
        order.record(OrderEvent(OrderEventType.SHIPMENT_DELIVERY_FAILED, data=data))
    elif s.status is S.DELIVERED:
        order.deliver({ln.order_line_id: ln.quantity for ln in s.lines}, data)


def record_stop(
    uow: UnitOfWork, actor: Actor, run_id: int, shipment_id: int, report: Report
) -> StopResult:
    """A stop delivered (with who took it and a proof) or not (why): idempotent, a repeat
    of the same report changes nothing; another outcome for the stop is 409."""

    def work() -> StopResult:
        seen = load_run(uow, actor, run_id)
        _stop_of(seen, shipment_id)
        rows = _lock_stock_if_last(uow, seen, shipment_id, report)
        run = load_run(uow, actor, run_id, lock=True)
        _driving(actor, run)
        s = load_shipment(uow, shipment_id)
        attempt = uow.delivery.failed_attempts(s.id) + 1
        now = uow.now()
        if not run.record(s.id, report, attempt, now):
            return StopResult(run, run.stop(s.id), s, False, s.status is S.RETURNED)
        order = load_order(uow, s.order_id)
        returned = False
        if isinstance(report, Delivered):
            s.move(S.DELIVERED, "deliver")
            words = f"delivered to {report.recipient}"
            _report(uow, actor, s, order, now, words, recipient=report.recipient, run=run.id)
            proofs = {s.id: report.proof} if report.proof else {}
        else:
            s.move(S.EXCEPTION, "report a failed delivery")
            words = f"not delivered: {_REASON_WORDS[report.reason.value]}"
            returned = returns_after(attempt, _max_attempts(uow, s.location_id))
            detail: dict[str, object] = {
                "reason": report.reason.value,
                "attempt": attempt,
                "run": run.id,
                "last_attempt": returned,
                "driver_note": report.note,
            }
            _report(uow, actor, s, order, now, words, **detail)
            proofs = {}
            if returned:
                note = words + (f" ({report.note})" if report.note else "")
                _return_to_stock(uow, s, order, rows, Change(actor.name, now, note))
        follow_shipments(uow, order)
        uow.delivery.save_run(run, proofs)
        uow.orders.save(order, actor.name, now)
        if returned and rows:
            fill_backorders(uow, sorted(rows), Change(actor.name, now))
        return StopResult(run, run.stop(s.id), s, True, returned)

    return uow.run(work)


def _stop_of(run: DeliveryRun, shipment_id: int) -> RunStop:
    try:
        return run.stop(shipment_id)
    except KeyError:
        raise NotFound(f"shipment {shipment_id} is not a stop of run {run.id}") from None


def _max_attempts(uow: UnitOfWork, location_id: int) -> int:
    settings = uow.delivery.local_delivery([location_id]).get(location_id)
    return settings.max_attempts if settings else DEFAULT_MAX_ATTEMPTS


def _lock_stock_if_last(
    uow: UnitOfWork, run: DeliveryRun, shipment_id: int, report: Report
) -> dict[int, StockRow]:
    """The stock rows a parcel would come back to, locked before the run, shipment and order
    (the lock order of every writer), when this failure may be its last attempt."""
    if not isinstance(report, Failed) or run.stop(shipment_id).outcome is not None:
        return {}
    s = load_shipment(uow, shipment_id, lock=False)
    attempt = uow.delivery.failed_attempts(s.id) + 1
    if not returns_after(attempt, _max_attempts(uow, s.location_id)):
        return {}
    now = uow.now()
    products = sorted({ln.product_id for ln in s.lines})
    return {
        pid: uow.stock.lock_row(s.location_id, pid, now)
        for pid in sourcing.stock_products(products, sourcing.kits_in(uow, products))
    }


def _return_to_stock(
    uow: UnitOfWork, s: Shipment, order: Order, rows: dict[int, StockRow], change: Change
) -> None:
    """The last attempt failed: the parcel is back on the location's shelf (a return in the
    ledger), its units wait for stock again on the order, and customer service decides
    what to do (a problem `undeliverable` in its queue). `change.reason` says why."""
    s.move(S.RETURNED, "return to its location")
    s.updated_at = change.now
    uow.shipments.save(s)
    why = f"shipment {s.id} back at {s.location} after failed delivery attempts"
    kits = sourcing.kits_in(uow, [ln.product_id for ln in s.lines])
    for line in s.lines:
        back = Change(change.actor, change.now, why)
        # A kit comes back as its components (decision 0008).
        for product_id, q in split(kits, line.product_id, line.quantity):
            row = rows.get(product_id) or uow.stock.lock_row(s.location_id, product_id, change.now)
            stock_moves.receive(uow, row, q, back, LedgerKind.RETURN)
    units = {ln.order_line_id: ln.quantity for ln in s.lines}
    order.unship(units, OrderEventType.SHIPMENT_RETURNED, shipment_detail(s, reason=why))
    report = ProblemReport(ProblemReason.UNDELIVERABLE, change.actor, change.reason, s.id)
    open_problem(uow, order, report, change.now)


def finish_run(uow: UnitOfWork, actor: Actor, run_id: int) -> RunSheet:
    """The driver is back. Stops not attempted wait for another run; no attempt counted."""

    def work() -> RunSheet:
        run = load_run(uow, actor, run_id, lock=True)
        _driving(actor, run)
        run.finish(uow.now())
        uow.delivery.save_run(run)
        return sheet_of(uow, run)

    return uow.run(work)


# -- proofs of delivery (staff only) ---------------------------------------------------------


def proofs(uow: UnitOfWork, actor: Actor, shipment_ids: Sequence[int]) -> dict[int, DeliveryProof]:
    actor.require(Permission.ORDER_READ)
    return uow.run(lambda: uow.delivery.proofs(shipment_ids), write=False)


def proof_image(uow: UnitOfWork, actor: Actor, shipment_id: int) -> Proof:
    actor.require(Permission.ORDER_READ)
    found = uow.run(lambda: uow.delivery.proof_image(shipment_id), write=False)
    if found is None:
        raise NotFound(f"shipment {shipment_id} has no proof of delivery")
    return found
