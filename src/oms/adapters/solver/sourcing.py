"""Stage 2 of the optimiser: from where the chosen orders ship (see `oms.adapters.solver.milp`).

Exact when small, otherwise a heuristic with a lower bound. The chosen orders get
locations, fewest shipments first, then lowest cost: a shipment weighs `big`, more than
the largest total cost the model allows, so the order is lexicographic. Up to
GENERAL_LIMIT columns, one exact MILP (the general model): a binary per (order, location)
that ships, continuous units per (order, product, location). Larger, in rounds of
patterns (`oms.adapters.solver.patterns`), whose first round also gives the lower bound
reported. What the rounds leave goes to the general model; units of split orders are set
by a small transportation model (integral at its root). At the deadline, what is still
open is sourced greedily. This module runs the rounds in turn, turns the units given into
allocations and reports on the stage.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

from oms.adapters.solver.model import (
    EPS,
    Budget,
    Index,
    Key,
    Model,
    SourcingState,
    StageReport,
    capacities,
    flows,
)
from oms.adapters.solver.patterns import pattern_round
from oms.domain.fulfilment.backlog import BacklogProblem, Supply, plan_greedy
from oms.domain.inventory.model import Allocation

GENERAL_LIMIT = 20_000  # columns up to which the sourcing is first tried as one exact MILP


def source_orders(
    ix: Index, chosen: frozenset[int], deadline: float, gap: float
) -> tuple[list[Allocation], StageReport]:
    """Allocations for the chosen orders, to be done by `deadline`, and the stage's report."""
    started = time.monotonic()
    state = SourcingState(dict(ix.free))
    pending = [oid for oid in ix.orders if oid in chosen]
    if not pending:
        return [], StageReport("optimal", 0, 0, 0.0, 0.0, "no order to source")
    lower: tuple[int, float] | None = None
    if _general_size(ix, pending) <= GENERAL_LIMIT:
        # Small enough to solve exactly as it stands; the rounds take over if it fails.
        halfway = started + (deadline - started) / 2
        pending, lower = _general_round(ix, state, pending, (halfway, gap))
    for first in (True, False):
        if not pending or time.monotonic() >= deadline:
            break
        pending, bound = pattern_round(ix, state, pending, first, (deadline, gap))
        lower = bound if first else lower
    if pending and time.monotonic() < deadline:
        pending, _ = _general_round(ix, state, pending, (deadline, gap))
    dropped = _greedy_rest(ix, state, pending) if pending else []
    allocations = _allocations(ix, state)
    report = _sourcing_report(ix, state, allocations, lower, dropped, time.monotonic() - started)
    return allocations, report


def _general_size(ix: Index, pending: list[int]) -> int:
    """Columns of the general model for these orders (at most)."""
    lines = sum(len(ix.allowed[(oid, p)]) for oid in pending for p in ix.need[oid])
    return lines + sum(len(ix.locs[oid]) for oid in pending)


def _general_round(
    ix: Index, state: SourcingState, pending: list[int], budget: Budget
) -> tuple[list[int], tuple[int, float] | None]:
    """Any set of locations per order: one binary per (order, location), units continuous.

    Exact: with the locations chosen, the units are a transportation problem, integral at
    a vertex. Returns the orders it could not source (all of them if it found no plan)
    and a lower bound (shipments, cost at that many) from the solver.
    """
    deadline, gap = budget
    caps = state.caps
    model = Model()
    used: dict[Key, list[tuple[int, float]]] = defaultdict(list)
    big = 1 + sum(ix.cost(loc, oid) for oid in pending for loc in ix.locs[oid])
    ships: dict[tuple[int, int], int] = {}
    for oid in pending:
        for p, d in ix.need[oid].items():
            terms = []
            for loc in ix.allowed[(oid, p)]:
                most = min(d, caps.get((loc, p), 0))
                if most <= 0:
                    continue
                if (oid, loc) not in ships:
                    ships[(oid, loc)] = model.var(big + ix.cost(loc, oid), 1, True)
                q = model.var(0.0, most)
                terms.append((q, 1.0))
                used[(loc, p)].append((q, 1.0))
                model.row([(q, 1.0), (ships[(oid, loc)], -float(most))], hi=0.0)
            model.row(terms, d, d)
    capacities(model, used, caps)
    solved = model.solve(deadline - time.monotonic(), gap)
    lower = None
    if solved.bound is not None:
        # big * shipments + cost >= bound, and cost < big
        lower = (math.ceil((solved.bound - big + 1) / big - EPS), 0.0)
    if solved.x is None:
        state.notes.append(f"general model: {solved.status} for {len(pending):,} orders")
        return pending, lower
    split: dict[int, list[int]] = defaultdict(list)
    for (oid, loc), col in ships.items():
        if solved.x[col] > 0.5:
            split[oid].append(loc)
    if solved.status == "optimal":
        count = sum(len(locs) for locs in split.values())
        lower = (count, float(sum(ix.cost(loc, o) for o, locs in split.items() for loc in locs)))
    state.notes.append(f"general model: {len(pending):,} orders ({solved.status})")
    return _settle(ix, state, {o: tuple(v) for o, v in split.items()}, [], budget), lower


def _settle(
    ix: Index,
    state: SourcingState,
    split: dict[int, tuple[int, ...]],
    sent_on: list[int],
    budget: Budget,
) -> list[int]:
    """Integral units for the split orders, keeping the orders sent on feasible."""
    if not split:
        return sent_on
    units = _quantities(ix, state.caps, split, sent_on, budget)
    if units is None:
        state.notes.append(f"{len(split):,} split orders could not be given units")
        return [*split, *sent_on]
    state.take_units(units)
    return sent_on


def _quantities(
    ix: Index,
    caps: dict[Key, int],
    split: dict[int, tuple[int, ...]],
    sent_on: list[int],
    budget: Budget,
) -> dict[tuple[int, int, int], int] | None:
    """Units per (order, product, location) over each split order's locations.

    A transportation problem (totally unimodular), so its integral optimum is found at
    the root; the orders sent on keep a route for their units through the flows.
    """
    deadline, gap = budget
    model = Model()
    used: dict[Key, list[tuple[int, float]]] = defaultdict(list)
    columns: dict[tuple[int, int, int], int] = {}
    for oid, locs in split.items():
        for p, d in ix.need[oid].items():
            terms = []
            for loc in locs:
                most = min(d, caps.get((loc, p), 0))
                if most > 0:
                    col = columns[(oid, p, loc)] = model.var(0.0, most, True)
                    terms.append((col, 1.0))
                    used[(loc, p)].append((col, 1.0))
            model.row(terms, d, d)
    classes: dict[tuple[int, tuple[int, ...]], list[tuple[int, float]]] = defaultdict(list)
    for oid in sent_on:
        for p, d in ix.need[oid].items():
            here = tuple(loc for loc in ix.allowed[(oid, p)] if caps.get((loc, p), 0) > 0)
            classes[(p, here)].append((-1, float(d)))
    flows(model, classes, caps, used)
    capacities(model, used, caps)
    solved = model.solve(max(deadline - time.monotonic(), 5.0), gap)
    if solved.x is None:
        return None
    return {key: round(solved.x[col]) for key, col in columns.items()}


def _greedy_rest(ix: Index, state: SourcingState, pending: list[int]) -> list[int]:
    """Source what is still open with the greedy rule on what is left; returns the dropped."""
    supplies = tuple(
        Supply(row.stock_id, key[0], key[1], state.caps.get(key, 0)) for key, row in ix.rows.items()
    )
    orders = tuple(ix.orders[oid] for oid in pending)
    rest = BacklogProblem(orders, supplies, ix.problem.cost_minor, ix.problem.now)
    plan = plan_greedy(rest)
    order_of = {line.line_key: o.order_id for o in orders for line in o.lines}
    units: dict[tuple[int, int, int], int] = defaultdict(int)
    for a in plan.allocations:
        units[(order_of[a.line_key], a.product_id, a.location_id)] += a.quantity
    state.take_units(dict(units))
    dropped = [oid for oid in pending if oid not in plan.complete_orders]
    state.notes.append(
        f"{len(pending):,} orders sourced greedily at the deadline, {len(dropped):,} dropped"
    )
    return dropped


def _allocations(ix: Index, state: SourcingState) -> list[Allocation]:
    allocations: list[Allocation] = []
    given: dict[int, int] = defaultdict(int)
    for (oid, p, loc), units in sorted(state.units.items()):
        row = ix.rows[(loc, p)]
        left = units
        for line in ix.orders[oid].lines:
            take = min(left, line.quantity - given[line.line_key])
            if line.product_id != p or take <= 0:
                continue
            allocations.append(Allocation(line.line_key, row.stock_id, loc, p, take))
            given[line.line_key] += take
            left -= take
    return allocations


def _sourcing_report(
    ix: Index,
    state: SourcingState,
    allocations: list[Allocation],
    lower: tuple[int, float] | None,
    dropped: list[int],
    seconds: float,
) -> StageReport:
    order_of = {line.line_key: o.order_id for o in ix.orders.values() for line in o.lines}
    pairs = {(order_of[a.line_key], a.location_id) for a in allocations}
    shipments = len(pairs)
    cost = sum(ix.cost(loc, oid) for oid, loc in pairs)
    notes = "; ".join(state.notes)
    if lower is None:
        return StageReport("heuristic", shipments, None, None, seconds, notes)
    least, money = lower
    proven = not dropped and shipments == least and cost <= math.ceil(money - EPS)
    gap = abs(shipments - least) / max(shipments, 1)
    detail = (
        f"{shipments:,} shipments (at least {least:,}), cost {cost:,}"
        + (f" (at least {math.ceil(money - EPS):,} at {least:,} shipments)" if money else "")
        + (f"; {notes}" if notes else "")
    )
    return StageReport("optimal" if proven else "heuristic", shipments, least, gap, seconds, detail)
