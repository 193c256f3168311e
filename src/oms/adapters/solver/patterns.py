"""The sourcing's pattern rounds (stage 2, see `oms.adapters.solver.sourcing`).

A pattern is a set of locations an order ships from, with the units each gives fixed.
Round 1: each order ships whole from one location, or is sent on by an escape column
whose units the per-product flows route, so every round stays feasible. With the escape
priced at a lower bound of what it will cost, round 1's model is a relaxation of the
sourcing problem, and the optimum of its linear relaxation is the lower bound reported.
The plan itself comes from the same model with escapes priced out, by LP-and-fix:
patterns the LP picks whole are fixed, the rest is one MILP (up to DIRECT_LIMIT columns,
the round is one MILP outright). Round 2 gives the orders sent on the smallest sets of
locations that can complete them and sets one location larger, with fixed units (each
location in turn gives what it can).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from oms.adapters.solver.model import (
    EPS,
    Budget,
    Index,
    Key,
    Model,
    Solved,
    SourcingState,
    capacities,
    flows,
)

DIRECT_LIMIT = 6_000  # columns up to which a sourcing round is solved as one MILP
PATTERNS_PER_SIZE = 40  # cheapest covers kept per order and size (the bound accounts for it)
MAX_PATTERN = 3  # locations in the largest pattern


def _covers(
    ix: Index, oid: int, caps: dict[Key, int], extra: int, largest: int
) -> tuple[list[tuple[int, ...]], int]:
    """Minimal sets of locations that can complete the order from `caps`, smallest first.

    Sizes from the smallest that has a cover up to `extra` more (at most `largest`), the
    PATTERNS_PER_SIZE cheapest of each size. Also returns `k`, a lower bound on how many
    locations any way of completing the order that these patterns leave out uses.
    """
    need = ix.need[oid]
    useful = [loc for loc in ix.locs[oid] if any(caps.get((loc, p), 0) > 0 for p in need)]

    def covers(locs: Sequence[int]) -> bool:
        return all(sum(caps.get((loc, p), 0) for loc in locs) >= d for p, d in need.items())

    found: list[tuple[int, ...]] = []
    smallest: int | None = None
    k = largest + 1
    for size in range(1, largest + 1):
        if smallest is not None and size > smallest + extra:
            break
        sets = [s for s in combinations(useful, size) if covers(s)]
        if smallest is not None:
            sets = [s for s in sets if not any(covers(sub) for sub in combinations(s, size - 1))]
        elif sets:
            smallest = size
            k = size + 1  # every cover of this size is minimal, hence modelled unless cut
        if len(sets) > PATTERNS_PER_SIZE:
            sets.sort(key=lambda s: (sum(ix.cost(loc, oid) for loc in s), s))
            sets = sets[:PATTERNS_PER_SIZE]
            k = min(k, size)
        found.extend(sets)
    return found, k


Usage = tuple[tuple[Key, int], ...]  # units taken per (location, product)


@dataclass(slots=True)
class _Patterns:
    model: Model
    big: int  # what a shipment weighs against cost
    choices: list[tuple[int, Usage, int]]  # (order, units it takes, column)
    escape: dict[int, int]  # order -> column sending it on
    counts: list[float]  # shipments each column stands for
    costs: list[float]  # cost each column stands for


def _pattern_model(ix: Index, caps: dict[Key, int], pending: list[int], first: bool) -> _Patterns:
    """Round 1: single locations only; later rounds: the smallest covers and one size more.

    A pattern fixes the units it takes: over several locations, each in turn gives what it
    can (every rotation of the locations is a pattern of its own).
    """
    extra, largest = (0, 1) if first else (1, MAX_PATTERN)
    entries = []
    for oid in pending:
        sets, k = _covers(ix, oid, caps, extra, largest)
        usages = list(dict.fromkeys(u for locs in sets for u in _usages(ix, oid, locs, caps)))
        cheapest = sorted(ix.cost(loc, oid) for loc in ix.locs[oid])
        escape_cost = sum(cheapest[:k])
        worst = max([escape_cost, *(_money(ix, oid, u) for u in usages)])
        entries.append((oid, usages, k, escape_cost, worst))
    big = 1 + sum(e[4] for e in entries)
    pm = _Patterns(Model(), big, [], {}, [], [])
    used: dict[Key, list[tuple[int, float]]] = defaultdict(list)
    classes: dict[tuple[int, tuple[int, ...]], list[tuple[int, float]]] = defaultdict(list)
    for oid, usages, k, escape_cost, _ in entries:
        cols = []
        for usage in usages:
            count = len({loc for (loc, _), _ in usage})
            money = _money(ix, oid, usage)
            col = _column(pm, big * count + money, count, money)
            pm.choices.append((oid, usage, col))
            cols.append(col)
            for key, units in usage:
                used[key].append((col, float(units)))
        u = pm.escape[oid] = _column(pm, big * k + escape_cost, k, escape_cost)
        pm.model.row([(col, 1.0) for col in cols] + [(u, 1.0)], 1, 1)
        for p, d in ix.need[oid].items():
            here = tuple(loc for loc in ix.allowed[(oid, p)] if caps.get((loc, p), 0) > 0)
            classes[(p, here)].append((u, d))
    flows(pm.model, classes, caps, used)
    capacities(pm.model, used, caps)
    return pm


def _usages(ix: Index, oid: int, locs: tuple[int, ...], caps: dict[Key, int]) -> list[Usage]:
    found = []
    for turn in range(len(locs)):
        order = locs[turn:] + locs[:turn]
        usage = []
        for p, d in sorted(ix.need[oid].items()):
            left = d
            for loc in order:
                take = min(left, caps.get((loc, p), 0))
                if take > 0:
                    usage.append(((loc, p), take))
                    left -= take
        found.append(tuple(sorted(usage)))
    return found


def _money(ix: Index, oid: int, usage: Usage) -> int:
    return sum(ix.cost(loc, oid) for loc in {loc for (loc, _), _ in usage})


def _column(pm: _Patterns, cost: float, count: int, money: float) -> int:
    col = pm.model.var(cost, 1, True)
    pm.counts.append(count)
    pm.costs.append(money)
    return col


def pattern_round(
    ix: Index, state: SourcingState, pending: list[int], first: bool, budget: Budget
) -> tuple[list[int], tuple[int, float] | None]:
    """Each pending order gets a pattern or is sent on; returns those sent on and, for the
    first round, a lower bound (shipments, cost at that many shipments) on the sourcing."""
    deadline, gap = budget
    name = "round 1" if first else "round 2"
    pm = _pattern_model(ix, state.caps, pending, first)
    large = pm.model.size > DIRECT_LIMIT
    lower = None
    hint = None
    if first:
        # The model as built is a relaxation of the sourcing problem: its optimum bounds it.
        probe = pm.model.solve(deadline - time.monotonic(), gap, relax=large)
        lower = _bound(pm, probe)
        hint = probe.x if large else None
        if probe.x is not None and not large and not _escaped(pm, probe.x):
            state.notes.append(f"{name}: one MILP ({probe.status})")
            return _apply_patterns(ix, state, pm, probe.x), lower
    # To find a plan, an order is sent on only when no pattern fits.
    for col in pm.escape.values():
        pm.model.cost[col] += (MAX_PATTERN + 1) * pm.big
    fixed = None
    if large:
        if hint is None:
            hint = pm.model.solve(deadline - time.monotonic(), gap, relax=True).x
        fixed = _fixings(pm, hint)
        state.notes.append(
            f"{name}: LP-and-fix, {int(fixed.sum()):,} of {len(pending):,} orders fixed"
        )
    solved = pm.model.solve(deadline - time.monotonic(), gap, lower=fixed)
    if solved.x is None:
        state.notes.append(f"{name}: MILP {solved.status}")
        return pending, lower
    if not large:
        state.notes.append(f"{name}: MILP {solved.status}")
    return _apply_patterns(ix, state, pm, solved.x), lower


def _escaped(pm: _Patterns, x: np.ndarray) -> bool:
    return any(x[col] > 0.5 for col in pm.escape.values())


def _fixings(pm: _Patterns, hint: np.ndarray | None) -> np.ndarray:
    """Lower bounds fixing the patterns the relaxation already picks whole."""
    fixed = np.zeros(pm.model.size)
    if hint is not None:
        for _, _, col in pm.choices:
            if hint[col] > 1 - EPS:
                fixed[col] = 1.0
    return fixed


def _bound(pm: _Patterns, solved: Solved) -> tuple[int, float] | None:
    """(least shipments, least cost at that many) from a solve of the relaxation model.

    An optimal solution gives both (shipments weigh more than any cost, so its shipments
    are the least possible); otherwise the solver's bound gives the shipments only.
    """
    if solved.status == "optimal" and solved.x is not None:
        shipments = float(np.dot(pm.counts, solved.x[: len(pm.counts)]))
        money = float(np.dot(pm.costs, solved.x[: len(pm.costs)]))
        whole = abs(shipments - round(shipments)) < EPS
        return math.ceil(shipments - EPS), money if whole else 0.0
    if solved.bound is None:
        return None
    # big * shipments + cost >= bound, and cost < big
    return math.ceil((solved.bound - pm.big + 1) / pm.big - EPS), 0.0


def _apply_patterns(ix: Index, state: SourcingState, pm: _Patterns, x: np.ndarray) -> list[int]:
    for oid, usage, col in pm.choices:
        if x[col] > 0.5:
            state.take_units({(oid, p, loc): units for (loc, p), units in usage})
    return [oid for oid, col in pm.escape.items() if x[col] > 0.5]
