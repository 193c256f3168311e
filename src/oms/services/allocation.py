"""Moving reservations between stock and order lines: reserve, fill backorders, take back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from oms.domain.errors import ConcurrentUpdate
from oms.domain.inventory.model import (
    Allocation,
    LedgerEntry,
    LedgerKind,
    plan_backorder_fill,
    plan_take_back,
)
from oms.domain.orders.events import OrderEvent, OrderEventType
from oms.services.fulfilment import resync
from oms.services.ports import NewReservation, UnitOfWork

MAX_FILL_ROUNDS = 3


def reserve_planned(
    uow: UnitOfWork,
    plan: Sequence[Allocation],
    line_ids: dict[int, int],
    order_id: int,
    actor: str,
    now: datetime,
) -> None:
    """Apply a reservation plan: conditional updates, reservation rows and ledger rows.

    `line_ids` maps each allocation's line_key to the stored order line id. The stock rows
    are already locked, so a refused update means the plan is stale: retry the whole use case.
    """
    if not uow.stock.reserve([(a.stock_id, a.quantity) for a in plan]):
        raise ConcurrentUpdate("stock moved while the reservation was planned")
    uow.stock.add_reservations(
        [NewReservation(order_id, line_ids[a.line_key], a.stock_id, a.quantity) for a in plan],
        now,
    )
    uow.stock.append_ledger(
        [
            LedgerEntry(
                a.stock_id,
                LedgerKind.RESERVATION,
                0,
                a.quantity,
                actor,
                now,
                order_id=order_id,
                order_line_id=line_ids[a.line_key],
            )
            for a in plan
        ]
    )


def fill_backorders(uow: UnitOfWork, product_ids: Sequence[int], actor: str, now: datetime) -> int:
    """Give newly available stock to waiting lines, highest priority then oldest first.

    Runs inside the caller's transaction. Returns the number of units allocated.
    """
    filled = 0
    for _ in range(MAX_FILL_ROUNDS):
        options = uow.stock.lock_options(product_ids)
        if not any(o.available > 0 for o in options):
            break
        backorders = uow.orders.backorders(product_ids)
        plan = plan_backorder_fill(backorders, options)
        if not plan:
            break
        order_of = {b.line_key: b.order_id for b in backorders}
        by_order: dict[int, list[Allocation]] = defaultdict(list)
        for allocation in plan:
            by_order[order_of[allocation.line_key]].append(allocation)
        skipped = False
        for order_id in sorted(by_order):
            # Locks the order (after the stock rows: the lock order every writer keeps) and
            # skips it if it was cancelled since the backorders were read.
            if not uow.orders.touch(order_id, now):
                skipped = True
                continue
            allocations = by_order[order_id]
            for a in allocations:
                if not uow.orders.move_allocation(a.line_key, a.quantity):
                    raise ConcurrentUpdate("order line changed while backorders were filled")
            reserve_planned(
                uow,
                allocations,
                {a.line_key: a.line_key for a in allocations},
                order_id,
                actor,
                now,
            )
            units = sum(a.quantity for a in allocations)
            filled += units
            uow.orders.add_events(
                order_id,
                [
                    OrderEvent(
                        OrderEventType.BACKORDER_FILLED,
                        data={
                            "lines": [
                                {
                                    "line_id": a.line_key,
                                    "stock_id": a.stock_id,
                                    "location_id": a.location_id,
                                    "quantity": a.quantity,
                                }
                                for a in allocations
                            ]
                        },
                    )
                ],
                actor,
                now,
            )
        resync(uow, sorted(by_order), actor, now)
        if not skipped:
            break
    return filled


def take_back(
    uow: UnitOfWork, stock_id: int, shortfall: int, actor: str, now: datetime, reason: str
) -> None:
    """Stock fell below what is reserved: the newest reservations give up the difference.

    The lines they belonged to become backordered, and each order's timeline says so.
    """
    reservations = {r.id: r for r in uow.stock.reservations_at(stock_id)}
    takes = plan_take_back([r.held() for r in reservations.values()], shortfall)
    per_order: dict[int, list[dict[str, int]]] = defaultdict(list)
    ledger: list[LedgerEntry] = []
    for reservation_id, quantity in takes:
        reservation = reservations[reservation_id]
        if not uow.orders.touch(reservation.order_id, now):
            raise ConcurrentUpdate("a reserved order is no longer open")
        uow.stock.reduce_reservation(reservation_id, quantity)
        if not uow.stock.release(stock_id, quantity):
            raise ConcurrentUpdate("reserved quantity moved during take-back")
        if not uow.orders.move_allocation(reservation.order_line_id, -quantity):
            raise ConcurrentUpdate("order line changed during take-back")
        ledger.append(
            LedgerEntry(
                stock_id,
                LedgerKind.RELEASE,
                0,
                -quantity,
                actor,
                now,
                reason,
                reservation.order_id,
                reservation.order_line_id,
            )
        )
        per_order[reservation.order_id].append(
            {"line_id": reservation.order_line_id, "stock_id": stock_id, "quantity": quantity}
        )
    uow.stock.append_ledger(ledger)
    resync(uow, sorted(per_order), actor, now)
    for order_id, lines in sorted(per_order.items()):
        uow.orders.add_events(
            order_id,
            [
                OrderEvent(
                    OrderEventType.ALLOCATION_REDUCED, data={"reason": reason, "lines": lines}
                )
            ],
            actor,
            now,
        )
