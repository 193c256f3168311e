"""Backorders: stock that arrives goes to waiting orders; stock that falls short is taken
back from the newest reservations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from oms.domain.catalogue.kits import Component
from oms.domain.errors import ConcurrentUpdate
from oms.domain.fulfilment.sourcing import SourcedUnits
from oms.domain.inventory.model import backorder_queue, plan_take_back
from oms.domain.inventory.moves import Change
from oms.domain.orders.model import Order
from oms.domain.orders.status import waits_for_stock
from oms.services import sourcing, stock_moves
from oms.services.ports import UnitOfWork
from oms.services.ports.stock import Reservation
from oms.services.shipment_sync import sync_shipments


def fill_backorders(uow: UnitOfWork, product_ids: Sequence[int], change: Change) -> int:
    """Give available stock of these products to waiting lines: highest priority, then
    oldest order first, each order sourced by the one sourcing rule. Runs inside the
    caller's transaction; returns the units allocated."""
    product_ids, kits = _scope(uow, product_ids)
    options = uow.stock.lock_options(sourcing.stock_products(product_ids, kits))
    free = {o.stock_id: max(o.available, 0) for o in options}
    if not any(free.values()):
        return 0
    waiting: dict[int, set[int]] = {}  # order id -> products it waits for, in queue order
    for b in backorder_queue(uow.orders.backorders(product_ids)):
        waiting.setdefault(b.order_id, set()).add(b.product_id)
    wanted = set(product_ids)
    filled = 0
    for order_id, products in waiting.items():
        open_products = {o.product_id for o in options if free[o.stock_id] > 0}
        if not open_products:
            break
        open_products |= {
            k for k, parts in kits.items() if all(c.product_id in open_products for c in parts)
        }
        if not products & open_products:
            continue
        # Locked after the stock rows: the lock order every writer keeps.
        order = uow.orders.get(order_id, lock=True)
        if order is None or not waits_for_stock(order.status):
            continue
        demand = {
            line.id: line.backordered_quantity
            for line in order.lines
            if line.backordered_quantity and line.product_id in wanted & open_products
        }
        supply = [o for o in options if free[o.stock_id] > 0]
        decision = sourcing.plan(
            uow,
            sourcing.Destination(order.shipping_address, order.currency),
            sourcing.lines_of(uow, order, demand),
            sourcing.Supply([replace(o, available=free[o.stock_id]) for o in supply], kits=kits),
            explain=False,
        )
        if not decision.allocations:
            continue
        for a in decision.allocations:
            free[a.stock_id] -= a.quantity
        filled += _fill(uow, order, decision.allocations, change)
    return filled


def _scope(
    uow: UnitOfWork, product_ids: Sequence[int]
) -> tuple[list[int], dict[int, tuple[Component, ...]]]:
    """The products a fill serves, and the kits among them. Kits wait on their components
    (decision 0008): the kits among these products and those made of them are filled too,
    from their components' rows, in whole kits; and a kit's other components may have been
    freed with it (a take-back gives up whole kits): their waiting lines are served too."""
    kits = sourcing.kits_in(uow, [*product_ids, *uow.products.kits_containing(product_ids)])
    if not kits:
        return list(product_ids), kits
    return sorted({*product_ids, *kits, *sourcing.stock_products([], kits)}), kits


def fill_scope(uow: UnitOfWork, product_ids: Sequence[int]) -> list[int]:
    """The products whose stock rows `fill_backorders(product_ids)` locks: a caller locks
    them first, so every row is taken in id order (kits reach other products' rows)."""
    wanted, kits = _scope(uow, product_ids)
    return sourcing.stock_products(wanted, kits)


def _fill(
    uow: UnitOfWork, order: Order, allocations: Sequence[SourcedUnits], change: Change
) -> int:
    units: dict[tuple[int, int], int] = defaultdict(int)
    per_line: dict[int, int] = defaultdict(int)
    for a in allocations:
        units[(a.line_key, a.stock_id)] += a.quantity
        per_line[a.line_key] += a.line_units
    per_unit = sourcing.per_unit_of(allocations)
    stock_moves.reserve(uow, order.id, units, Change(change.actor, change.now), per_unit)
    order.fill_backorders(
        per_line,
        [
            {
                "line_id": a.line_key,
                "stock_id": a.stock_id,
                "location_id": a.location_id,
                "quantity": a.quantity,
            }
            for a in allocations
        ],
    )
    sync_shipments(uow, order, change.now)
    uow.orders.save(order, change.actor, change.now)
    return sum(per_line.values())


def take_back(uow: UnitOfWork, stock_id: int, shortfall: int, change: Change) -> None:
    """Stock fell below what is reserved: the newest reservations give up the difference.

    The lines they belonged to become backordered, and each order's timeline says so.
    """
    reservations = {r.id: r for r in uow.stock.reservations_at(stock_id)}
    takes = plan_take_back([r.held() for r in reservations.values()], shortfall)
    per_order: dict[int, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
    kits: dict[tuple[int, int], int] = defaultdict(int)  # (order, line) -> kits given up
    for reservation_id, quantity in takes:
        r = reservations[reservation_id]
        if r.per_unit > 1 or _kit_line(uow, r):
            kits[(r.order_id, r.order_line_id)] += -(-quantity // r.per_unit)
        else:
            per_order[r.order_id][(r.order_line_id, stock_id)] += quantity
    location_id = next(iter(reservations.values())).location_id if reservations else 0
    for (order_id, line_id), n in sorted(kits.items()):
        # A kit gives up whole kits: each of its components' rows at the location.
        held = stock_moves.held_units(uow, order_id, location_id, {line_id: n})
        uow.stock.lock_rows(sorted({s for _, s in held}))
        for key, q in held.items():
            per_order[order_id][key] += q
    for order_id, units in sorted(per_order.items()):
        order = uow.orders.get(order_id, lock=True)
        if order is None or not waits_for_stock(order.status):
            raise ConcurrentUpdate("a reserved order is no longer open")
        stock_moves.release(uow, order_id, units, change)
        line_units = {line_id: q for (line_id, _), q in units.items()}
        for (o, line_id), n in kits.items():
            if o == order_id:
                line_units[line_id] = n
        order.take_back(
            line_units,
            change.reason or "",
            [
                {"line_id": line_id, "stock_id": stock_id, "quantity": q}
                for (line_id, _), q in sorted(units.items())
            ],
        )
        sync_shipments(uow, order, change.now)
        uow.orders.save(order, change.actor, change.now)


def _kit_line(uow: UnitOfWork, r: Reservation) -> bool:
    """Whether the reservation is one of a kit line's (more than one row at its location)."""
    return any(
        o.order_line_id == r.order_line_id
        and o.location_id == r.location_id
        and o.stock_id != r.stock_id
        for o in uow.stock.reservations_of(r.order_id)
    )
