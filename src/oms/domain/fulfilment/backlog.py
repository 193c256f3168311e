"""Backlog re-sourcing: which backordered orders the stock can ship complete, and from where.

The problem: orders whose lines still need units (`BacklogOrder`, `BacklogLine`), the stock
rows that can give them (`Supply`), and what one shipment costs from a location to an order
(`BacklogProblem.cost_minor`). A plan (`BacklogPlan`) is a set of `Allocation`s, the same
rows `plan_reservations` produces, so a service can reserve it as it reserves any plan.

What a plan is worth (`evaluate`, `PlanQuality.rank`), in this order:

1. the weight of the orders it completes (`order_weight`: priority first, then age);
2. fewer shipments (distinct order and location pairs that receive units);
3. lower shipping cost.

`plan_greedy` is the rule oms applies today, made all-or-nothing. The optimiser lives in
`oms.adapters.solver.milp` (it needs SciPy) and is held to this module's `validate` and
`evaluate`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from oms.domain.inventory.model import Allocation
from oms.domain.orders.model import PRIORITY_RANGE

# order_weight: one priority step is worth more than any age, so a higher priority always
# outweighs a lower one order for order; ages count in whole hours, up to AGE_CAP_HOURS.
PRIORITY_STEP = 1_000
AGE_CAP_HOURS = PRIORITY_STEP - 1


@dataclass(frozen=True, slots=True)
class BacklogLine:
    """Units one order line still needs (its backordered quantity)."""

    line_key: int
    product_id: int
    quantity: int

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValueError(f"line {self.line_key}: a backlog line needs at least one unit")


@dataclass(frozen=True, slots=True)
class BacklogOrder:
    """An order with backordered lines, and what decides its place in the queue."""

    order_id: int
    priority: int
    placed_at: datetime
    lines: tuple[BacklogLine, ...]

    def __post_init__(self) -> None:
        if not self.lines:
            raise ValueError(f"order {self.order_id}: a backlog order needs at least one line")
        if self.priority not in PRIORITY_RANGE:
            raise ValueError(f"order {self.order_id}: priority must be between -100 and 100")

    def demand(self) -> dict[int, int]:
        """Units needed per product (two lines of one product add up)."""
        need: dict[int, int] = defaultdict(int)
        for line in self.lines:
            need[line.product_id] += line.quantity
        return dict(need)


@dataclass(frozen=True, slots=True)
class Supply:
    """A stock row's free units (on hand less reserved; below zero counts as none)."""

    stock_id: int
    location_id: int
    product_id: int
    available: int

    @property
    def free(self) -> int:
        return max(self.available, 0)


@dataclass(frozen=True, slots=True)
class BacklogProblem:
    """The backlog, the stock that may serve it, and what shipping costs.

    `cost_minor[(location_id, order_id)]` is the cost, in minor units of one currency, of
    one shipment from that location to that order's address (the service prices it from
    the carrier's rate table). A pair that is missing means the location cannot ship to
    that order: no plan may use it. `now` is when the plan is made (order ages count from
    it). Order ids, line keys and stock ids are unique, and a location holds at most one
    stock row per product.
    """

    orders: tuple[BacklogOrder, ...]
    supplies: tuple[Supply, ...]
    cost_minor: Mapping[tuple[int, int], int] = field(hash=False)
    now: datetime

    def __post_init__(self) -> None:
        _unique("order id", (o.order_id for o in self.orders))
        _unique("line key", (line.line_key for o in self.orders for line in o.lines))
        _unique("stock id", (s.stock_id for s in self.supplies))
        _unique(
            "stock row for location and product",
            ((s.location_id, s.product_id) for s in self.supplies),
        )
        if any(cost < 0 for cost in self.cost_minor.values()):
            raise ValueError("a shipment cannot cost less than nothing")

    def rows(self) -> dict[tuple[int, int], Supply]:
        """The stock rows by (location_id, product_id)."""
        return {(s.location_id, s.product_id): s for s in self.supplies}


def _unique(what: str, keys: Iterable[object]) -> None:
    seen: set[object] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"duplicate {what}: {key!r}")
        seen.add(key)


def order_weight(order: BacklogOrder, now: datetime) -> int:
    """What completing this order is worth: `(priority + 101) * 1000 + age`.

    `age` is the order's age at `now` in whole hours, from 0 to 999 (41 days and more count
    as 999). Priorities run from -100 to 100, so weights run from 1,000 to 201,999 and are
    always positive. A higher priority always outweighs a lower one, whatever the ages;
    among equal priorities the older order weighs more. Summed over a plan, the weight
    mostly counts orders: a priority-100 order weighs as much as about two priority-0 ones.
    """
    hours = int((now - order.placed_at).total_seconds() // 3600)
    age = min(max(hours, 0), AGE_CAP_HOURS)
    return (order.priority - PRIORITY_RANGE.start + 1) * PRIORITY_STEP + age


def queue(orders: Iterable[BacklogOrder]) -> list[BacklogOrder]:
    """Highest priority first, then oldest, then lowest order id (as `backorder_queue`)."""
    return sorted(orders, key=lambda o: (-o.priority, o.placed_at, o.order_id))


@dataclass(frozen=True, slots=True)
class BacklogPlan:
    """Units to reserve, the orders they complete, and which method made the plan."""

    allocations: tuple[Allocation, ...]
    complete_orders: frozenset[int]
    method: str


@dataclass(frozen=True, slots=True)
class PlanQuality:
    """How good a plan is, measured on the problem it was made for."""

    orders_complete: int
    weighted_complete: int
    units_allocated: int
    shipments: int
    cost_minor: int

    def rank(self) -> tuple[int, int, int]:
        """Larger is better: weight completed, then fewer shipments, then lower cost."""
        return (self.weighted_complete, -self.shipments, -self.cost_minor)


def complete_orders(problem: BacklogProblem, allocations: Iterable[Allocation]) -> frozenset[int]:
    """The orders every line of which the allocations source in full."""
    given: dict[int, int] = defaultdict(int)
    for a in allocations:
        given[a.line_key] += a.quantity
    return frozenset(
        o.order_id
        for o in problem.orders
        if all(given[line.line_key] >= line.quantity for line in o.lines)
    )


def evaluate(problem: BacklogProblem, plan: BacklogPlan) -> PlanQuality:
    """Measure a plan: completeness is read from its allocations, not from its claims."""
    order_of = {line.line_key: o.order_id for o in problem.orders for line in o.lines}
    weights = {o.order_id: order_weight(o, problem.now) for o in problem.orders}
    done = complete_orders(problem, plan.allocations)
    pairs = {(order_of[a.line_key], a.location_id) for a in plan.allocations if a.quantity > 0}
    return PlanQuality(
        orders_complete=len(done),
        weighted_complete=sum(weights[o] for o in done),
        units_allocated=sum(a.quantity for a in plan.allocations),
        shipments=len(pairs),
        cost_minor=sum(problem.cost_minor.get((loc, o), 0) for o, loc in pairs),
    )


def validate(problem: BacklogProblem, plan: BacklogPlan) -> None:
    """Raise ValueError unless the plan can be reserved as it stands.

    Refused: an allocation of no units or to an unknown line or stock row, or whose
    location or product differ from its stock row's or its line's; a stock row given more
    than it has free; a line given more than it needs; a location that cannot ship to the
    order (no cost entry); an order claimed complete that is not, or the reverse.
    """
    lines = {line.line_key: (o.order_id, line) for o in problem.orders for line in o.lines}
    stock = {s.stock_id: s for s in problem.supplies}
    used: dict[int, int] = defaultdict(int)
    given: dict[int, int] = defaultdict(int)
    for a in plan.allocations:
        _check_allocation(problem, a, lines, stock)
        used[a.stock_id] += a.quantity
        given[a.line_key] += a.quantity
    for stock_id, units in sorted(used.items()):
        if units > stock[stock_id].free:
            raise ValueError(
                f"stock row {stock_id} over-used: {units} units planned, "
                f"{stock[stock_id].free} free"
            )
    for line_key, units in sorted(given.items()):
        if units > lines[line_key][1].quantity:
            raise ValueError(
                f"line {line_key} over-allocated: {units} units for "
                f"{lines[line_key][1].quantity} needed"
            )
    actual = complete_orders(problem, plan.allocations)
    if claimed := sorted(plan.complete_orders - actual):
        raise ValueError(f"orders claimed complete but not fully sourced: {claimed}")
    if unclaimed := sorted(actual - plan.complete_orders):
        raise ValueError(f"orders fully sourced but not listed as complete: {unclaimed}")


def _check_allocation(
    problem: BacklogProblem,
    a: Allocation,
    lines: Mapping[int, tuple[int, BacklogLine]],
    stock: Mapping[int, Supply],
) -> None:
    if a.quantity <= 0:
        raise ValueError(f"allocation of {a.quantity} units to line {a.line_key}")
    if a.line_key not in lines:
        raise ValueError(f"allocation to unknown line {a.line_key}")
    if a.stock_id not in stock:
        raise ValueError(f"allocation from unknown stock row {a.stock_id}")
    order_id, line = lines[a.line_key]
    row = stock[a.stock_id]
    if (row.location_id, row.product_id) != (a.location_id, a.product_id):
        raise ValueError(f"allocation from stock row {a.stock_id} names another location/product")
    if row.product_id != line.product_id:
        raise ValueError(f"line {a.line_key} needs product {line.product_id}, not {row.product_id}")
    if (a.location_id, order_id) not in problem.cost_minor:
        raise ValueError(f"location {a.location_id} cannot ship to order {order_id} (no cost)")


def plan_greedy(problem: BacklogProblem, *, partial: bool = False) -> BacklogPlan:
    """Serve orders in queue order, each from as few locations as possible.

    Orders go highest priority first, then oldest, then lowest id. By default an order
    takes units only if what is left can complete it; otherwise it takes nothing and stays
    backordered, so stock is not spread over orders that cannot ship. With `partial=True`
    an order takes what it can even when that does not complete it (closer to how
    `plan_backorder_fill` serves single lines today).

    Within an order, the location that can give most of the units still needed goes first
    (ties: cheaper shipment, then lower location id), then the next, until the order is
    sourced; only locations that can ship to the order (a cost entry) are used.
    """
    rows = problem.rows()
    left = {key: row.free for key, row in rows.items()}
    holders: dict[int, list[int]] = defaultdict(list)
    for location_id, product_id in sorted(rows):
        holders[product_id].append(location_id)
    allocations: list[Allocation] = []
    for order in queue(problem.orders):
        ships = {
            loc: cost
            for product in order.demand()
            for loc in holders[product]
            if (cost := problem.cost_minor.get((loc, order.order_id))) is not None
        }
        if not partial and not _can_complete(order, ships, left):
            continue
        for line_key, location_id, product_id, units in _source(order, ships, left):
            row = rows[(location_id, product_id)]
            allocations.append(Allocation(line_key, row.stock_id, location_id, product_id, units))
    return BacklogPlan(
        tuple(allocations),
        complete_orders(problem, allocations),
        "partial" if partial else "greedy",
    )


def _can_complete(
    order: BacklogOrder, ships: Mapping[int, int], left: Mapping[tuple[int, int], int]
) -> bool:
    return all(
        sum(left.get((loc, product), 0) for loc in ships) >= need
        for product, need in order.demand().items()
    )


def _source(
    order: BacklogOrder, ships: Mapping[int, int], left: dict[tuple[int, int], int]
) -> list[tuple[int, int, int, int]]:
    """(line_key, location_id, product_id, units) taken from `left` for one order."""
    remaining = {line.line_key: line.quantity for line in order.lines}
    product_of = {line.line_key: line.product_id for line in order.lines}
    unused = set(ships)
    taken: list[tuple[int, int, int, int]] = []

    def servable(loc: int) -> int:
        # Two lines of one product may both count a row's units here; what is taken below
        # never exceeds the row, and the next round ranks again.
        return sum(min(q, left.get((loc, product_of[k]), 0)) for k, q in remaining.items())

    while unused and any(remaining.values()):
        best = min(unused, key=lambda loc: (-servable(loc), ships[loc], loc))
        unused.discard(best)
        if servable(best) == 0:
            break
        for key, need in remaining.items():
            product = product_of[key]
            take = min(need, left.get((best, product), 0))
            if take > 0:
                left[(best, product)] -= take
                remaining[key] -= take
                taken.append((key, best, product, take))
    return taken
