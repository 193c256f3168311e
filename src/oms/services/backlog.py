"""Backlog re-sourcing (`oms allocate`): re-plan the unpicked demand of waiting orders.

When stock is scarce, filling backorders line by line in queue order can leave many
orders each holding part of what they need and none able to ship. This use case takes
every order that waits for stock, pools what they hold that is not yet being picked with
what is free, and re-plans it all to complete as many orders as it can (weighted by
priority, then age), then with the fewest shipments, then the lowest cost. It compares
the greedy rule with an exact optimiser (injected: SciPy's HiGHS lives in the adapters)
and applies the better plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from oms.domain.access import Actor, Permission
from oms.domain.errors import Conflict
from oms.domain.fulfilment.backlog import (
    BacklogLine,
    BacklogOrder,
    BacklogPlan,
    BacklogProblem,
    PlanQuality,
    Supply,
    evaluate,
    plan_greedy,
    validate,
)
from oms.domain.fulfilment.errors import NoRate
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.inventory.moves import Change
from oms.domain.money import Money, minor_unit
from oms.domain.orders.model import Order
from oms.services import stock_moves
from oms.services.backorders import fill_backorders
from oms.services.ports import UnitOfWork
from oms.services.shipment_sync import sync_shipments
from oms.services.sourcing import kits_in, weight_of

REASON = "backlog re-planned (oms allocate)"


@dataclass(frozen=True, slots=True)
class SolverAnswer:
    plan: BacklogPlan
    status: str  # e.g. "optimal", "time_limit_feasible", "fallback_greedy"
    seconds: float


Solver = Callable[[BacklogProblem], SolverAnswer]


@dataclass(frozen=True, slots=True)
class BacklogReport:
    orders: int  # orders that wait for stock
    units_wanted: int
    greedy: PlanQuality
    optimal: PlanQuality | None
    solver_status: str | None
    solver_seconds: float | None
    chosen: str  # "greedy" or "optimiser"
    applied: bool
    orders_changed: int
    currency: str  # of the costs (the default carrier's rates), in its minor units


@dataclass(frozen=True, slots=True)
class _Pool:
    problem: BacklogProblem
    orders: dict[int, Order]
    movable: dict[int, dict[tuple[int, int], int]]  # order -> (line, stock) -> units
    currency: str


def allocate_backlog(
    uow: UnitOfWork, actor: Actor, solver: Solver | None = None, *, apply: bool = True
) -> BacklogReport:
    """Plan the backlog from a read snapshot, then apply the better plan in one write
    transaction if the backlog is still what was planned (ConcurrentUpdate otherwise: the
    solver may take long, and no stock row is held while it thinks).

    `apply=False` only reports both plans.
    """
    actor.require(Permission.ALLOCATE)
    pool = uow.run(lambda: _pool(uow), write=False)
    problem = pool.problem
    greedy = plan_greedy(problem)
    validate(problem, greedy)
    greedy_q = evaluate(problem, greedy)
    answer = solver(problem) if solver else None
    chosen, plan = "greedy", greedy
    optimal_q = None
    if answer is not None:
        validate(problem, answer.plan)
        optimal_q = evaluate(problem, answer.plan)
        if optimal_q.rank() >= greedy_q.rank():
            chosen, plan = "optimiser", answer.plan

    def work() -> int:
        now = _pool(uow)
        if (now.problem.orders, now.problem.supplies) != (problem.orders, problem.supplies):
            raise Conflict(
                "the backlog changed while it was planned (orders or stock moved); run it again"
            )
        return _apply(uow, actor.name, now, plan)

    changed = uow.run(work) if apply else 0
    return BacklogReport(
        orders=len(problem.orders),
        units_wanted=sum(ln.quantity for o in problem.orders for ln in o.lines),
        greedy=greedy_q,
        optimal=optimal_q,
        solver_status=answer.status if answer else None,
        solver_seconds=answer.seconds if answer else None,
        chosen=chosen,
        applied=apply,
        orders_changed=changed,
        currency=pool.currency,
    )


def _pool(uow: UnitOfWork) -> _Pool:
    """The waiting orders, what they may give up (reserved, not yet being picked), and
    the stock rows that could serve them, with shipping costs from the carrier."""
    now = uow.now()
    orders = {i: o for i in uow.orders.waiting_orders() if (o := uow.orders.get(i)) is not None}
    # Orders with a kit wait for fills in whole kits, which this plan does not model
    # (decision 0008): they keep what they hold and are left out.
    kits = kits_in(uow, sorted({ln.product_id for o in orders.values() for ln in o.lines}))
    if kits:
        orders = {
            i: o for i, o in orders.items() if not any(ln.product_id in kits for ln in o.lines)
        }
    shipments = uow.shipments.of_orders(sorted(orders))
    movable: dict[int, dict[tuple[int, int], int]] = {}
    products: set[int] = set()
    for order_id, order in orders.items():
        fixed: dict[tuple[int, int], int] = defaultdict(int)  # (line, location) -> units
        for s in shipments[order_id]:
            if s.status in {ShipmentStatus.PICKING, ShipmentStatus.PICKED, ShipmentStatus.PACKED}:
                for ln in s.lines:
                    fixed[(ln.order_line_id, s.location_id)] += ln.quantity
        mine: dict[tuple[int, int], int] = defaultdict(int)
        for r in sorted(uow.stock.reservations_of(order_id), key=lambda r: -r.id):
            keep = min(fixed[(r.order_line_id, r.location_id)], r.quantity)
            fixed[(r.order_line_id, r.location_id)] -= keep
            if r.quantity > keep:
                mine[(r.order_line_id, r.stock_id)] += r.quantity - keep
        movable[order_id] = dict(mine)
        products.update(line.product_id for line in order.lines)
    options = uow.stock.lock_options(sorted(products))
    held: dict[int, int] = defaultdict(int)
    for mine in movable.values():
        for (_, stock_id), q in mine.items():
            held[stock_id] += q
    supplies = tuple(
        Supply(o.stock_id, o.location_id, o.product_id, max(o.available, 0) + held[o.stock_id])
        for o in options
    )
    backlog = tuple(
        BacklogOrder(
            order.id,
            order.priority,
            order.created_at,
            tuple(
                BacklogLine(line.id, line.product_id, want)
                for line in order.lines
                if (
                    want := line.backordered_quantity
                    + sum(q for (lid, _), q in movable[order.id].items() if lid == line.id)
                )
                > 0
            ),
        )
        for order in orders.values()
    )
    costs, currency = _costs(uow, backlog, orders, {o.location_id for o in options})
    return _Pool(BacklogProblem(backlog, supplies, costs, now), orders, movable, currency)


def _costs(
    uow: UnitOfWork,
    backlog: tuple[BacklogOrder, ...],
    orders: dict[int, Order],
    location_ids: set[int],
) -> tuple[dict[tuple[int, int], int], str]:
    carrier = uow.carriers.default()
    currencies: set[str] = set()
    locations = {loc.id: loc for loc in uow.locations.all() if loc.id in location_ids}
    weights = weight_of(uow, sorted({ln.product_id for o in backlog for ln in o.lines}))
    costs: dict[tuple[int, int], int] = {}
    for b in backlog:
        to = orders[b.order_id].shipping_address
        grams = sum(ln.quantity * weights.get(ln.product_id, 0) for ln in b.lines)
        for location in locations.values():
            try:
                quote = carrier.quote(location.country, to.country, to.postal_code, grams)
            except NoRate:
                continue
            costs[(location.id, b.order_id)] = _minor(quote.cost)
            currencies.add(quote.cost.currency)
    if len(currencies) > 1:
        raise Conflict(f"the carrier's rates mix currencies ({', '.join(sorted(currencies))})")
    return costs, next(iter(currencies), "EUR")


def _minor(money: Money) -> int:
    return int(money.amount.scaleb(minor_unit(money.currency)))


def _apply(uow: UnitOfWork, actor: str, pool: _Pool, plan: BacklogPlan) -> int:
    """Move reservations to the plan, order by order; fill what is left the usual way."""
    now = uow.now()
    change = Change(actor, now, REASON)
    target: dict[int, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
    line_order = {ln.line_key: o.order_id for o in pool.problem.orders for ln in o.lines}
    for a in plan.allocations:
        target[line_order[a.line_key]][(a.line_key, a.stock_id)] += a.quantity
    moves: dict[int, tuple[dict[tuple[int, int], int], dict[tuple[int, int], int]]] = {}
    for order_id in sorted(pool.orders):
        own, want = pool.movable[order_id], target.get(order_id, {})
        releases = {k: q - want.get(k, 0) for k, q in own.items() if q > want.get(k, 0)}
        takes = {k: q - own.get(k, 0) for k, q in want.items() if q > own.get(k, 0)}
        if releases or takes:
            moves[order_id] = (releases, takes)
    # Releases first, every order, so the units they free are there for the takes.
    for order_id, (releases, _) in moves.items():
        stock_moves.release(uow, order_id, releases, change)
    for order_id, (releases, takes) in moves.items():
        stock_moves.reserve(uow, order_id, takes, change)
        net: dict[int, int] = defaultdict(int)
        for (line_id, _), q in takes.items():
            net[line_id] += q
        for (line_id, _), q in releases.items():
            net[line_id] -= q
        order = pool.orders[order_id]
        order.source(
            net,
            {
                "reason": REASON,
                "rule": f"backlog plan ({plan.method})",
                "complete": order_id in plan.complete_orders,
            },
        )
        sync_shipments(uow, order, now)
        uow.orders.save(order, actor, now)
    products = sorted({s.product_id for s in pool.problem.supplies})
    if products:
        fill_backorders(uow, products, change)
    return len(moves)
