"""Backlog re-sourcing with SciPy's `milp` (HiGHS): most weight complete, then fewest shipments.

`plan_optimal(problem)` answers the question `plan_greedy` answers (see
`oms.domain.fulfilment.backlog`), better when stock is scarce, in two stages:

1. **Selection: exact, up to its time limit.** One binary per order that the stock could
   complete on its own; maximise the summed `order_weight` of those chosen. Stock enters
   as a transportation problem per product: for each product and each set of locations
   an order may take it from (those holding it that can ship to the order), continuous
   flows from those locations carry the chosen orders' units, and no location gives more
   than it has. Lines may split over locations, so a set of orders can be completed
   exactly when these flows exist (they are then integral at a vertex): the optimum of
   this model is the best set of complete orders there is. Orders with the same needs
   and locations are taken heaviest first (symmetry rows).
2. **Sourcing: exact when small, otherwise a heuristic with a lower bound.** The chosen
   orders get locations, fewest shipments first, then lowest cost: a shipment weighs
   `big`, more than the largest total cost the model allows, so the order is
   lexicographic. Up to GENERAL_LIMIT columns, one exact MILP: a binary per (order,
   location) that ships, continuous units per (order, product, location). Larger, in
   rounds of *patterns*. Round 1: each order ships whole from one location, or is sent
   on by an escape column whose units the per-product flows route, so every round stays
   feasible. With the escape priced at a lower bound of what it will cost, round 1's
   model is a relaxation of the sourcing problem, and the optimum of its linear
   relaxation is the lower bound reported. The plan itself comes from the same model
   with escapes priced out, by LP-and-fix: patterns the LP picks whole are fixed, the
   rest is one MILP. Round 2 gives the orders sent on the smallest sets of locations
   that can complete them and sets one location larger, with fixed units (each location
   in turn gives what it can). What is left goes to the general model; units of split
   orders are set by a small transportation model (integral at its root). At the
   deadline, what is still open is sourced greedily.

The selection does not look at shipments: among sets of equal weight it may take one
that ships worse than greedy's. `plan_greedy` therefore always runs too, and if the
optimiser's plan ranks below it (`PlanQuality.rank`), the greedy plan is returned with
status "fallback_greedy" and the reason. By default the optimiser runs in a child
interpreter that is killed if it outlives the time limit by SPAWN_GRACE_S: HiGHS checks
`time_limit` between steps, and has been seen to overrun it many times on large models.
"""

from __future__ import annotations

import math
import os
import pickle
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations, pairwise

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from oms.domain.fulfilment.backlog import (
    BacklogOrder,
    BacklogPlan,
    BacklogProblem,
    PlanQuality,
    Supply,
    complete_orders,
    evaluate,
    order_weight,
    plan_greedy,
    queue,
)
from oms.domain.inventory.model import Allocation

SELECTION_SHARE = 0.4  # of the time limit, for stage 1; stage 2 takes what is left
DIRECT_LIMIT = 6_000  # columns up to which a sourcing round is solved as one MILP
GENERAL_LIMIT = 20_000  # columns up to which the sourcing is first tried as one exact MILP
PATTERNS_PER_SIZE = 40  # cheapest covers kept per order and size (the bound accounts for it)
MAX_PATTERN = 3  # locations in the largest pattern
SPAWN_GRACE_S = 10.0  # the child process may outlive the limit by this before it is killed
RESERVE_S = 1.0  # kept at the end of the time limit to build, return and check the plan
EPS = 1e-6

Key = tuple[int, int]  # (location_id, product_id)


@dataclass(frozen=True, slots=True)
class StageReport:
    """What one stage's solver did.

    `status` is "optimal" (proven), "time_limit" (best found when time ran out),
    "heuristic" (feasible, not proven), "skipped" or "failed". `objective` and `bound` are
    in the stage's own terms: summed order weight (a maximum; `bound` is the solver's
    upper bound) for the selection, shipments (a minimum; `bound` a lower bound) for the
    sourcing. `gap` is |bound - objective| / |objective|.
    """

    status: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    detail: str = ""


@dataclass(frozen=True, slots=True)
class OptimalResult:
    """The plan `plan_optimal` returns, with both answers' quality and how it was found.

    `status`: "optimal" when both stages were proven optimal: no set of orders weighs
    more, and no sourcing of the orders chosen ships fewer shipments (or as few, cheaper);
    "time_limit_feasible" when the plan is the optimiser's but a stage was not proven
    optimal (the selection ran out of time, or the sourcing is heuristic: `reason`,
    `selection` and `sourcing` say which); "fallback_greedy" when the greedy plan is
    returned, `reason` saying why. `quality` is the returned plan's, `greedy` the greedy
    plan's, `optimiser` the optimiser's plan's (None when it produced none).
    """

    plan: BacklogPlan
    status: str
    reason: str
    quality: PlanQuality
    greedy: PlanQuality
    optimiser: PlanQuality | None
    selection: StageReport
    sourcing: StageReport
    seconds: float


def plan_optimal(
    problem: BacklogProblem,
    *,
    time_limit_s: float = 50.0,
    mip_rel_gap: float = 0.0,
    isolate: bool = True,
    max_variables: int = 2_000_000,
) -> OptimalResult:
    """Re-plan the backlog with the optimiser, never returning worse than `plan_greedy`.

    `time_limit_s` bounds the whole call (greedy included). `mip_rel_gap` is HiGHS's
    relative gap at which a MILP counts as solved (0: prove the optimum). With `isolate`
    the optimiser runs in a child interpreter, stopped if it overruns. A problem whose
    model would exceed `max_variables` columns is not attempted: the greedy plan comes back.
    """
    start = time.monotonic()
    greedy = plan_greedy(problem)
    greedy_quality = evaluate(problem, greedy)
    budget = time_limit_s - (time.monotonic() - start)
    settings = _Settings(max(budget, 0.1), time.time(), mip_rel_gap, max_variables)
    outcome = _run(problem, settings, isolate)
    return _decide(problem, greedy, greedy_quality, outcome, time.monotonic() - start)


@dataclass(frozen=True, slots=True)
class _Settings:
    seconds: float  # from `sent_at`, for all of the optimiser's work
    sent_at: float  # wall clock (the child process starts later)
    gap: float
    max_variables: int


@dataclass(frozen=True, slots=True)
class _Outcome:
    allocations: tuple[Allocation, ...] | None
    selection: StageReport
    sourcing: StageReport
    failure: str = ""


def _run(problem: BacklogProblem, settings: _Settings, isolate: bool) -> _Outcome:
    if not isolate:
        return _optimise(problem, settings)
    skipped = StageReport("skipped")
    # A fresh interpreter rather than multiprocessing: nothing of the caller's process
    # (its threads, HiGHS's thread pool, its __main__ module) is inherited or re-run.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        child = subprocess.run(
            [sys.executable, "-c", f"from {__name__} import _child; _child()"],
            input=pickle.dumps((problem, settings)),
            capture_output=True,
            timeout=settings.seconds + SPAWN_GRACE_S,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        failure = f"the solver process outlived its {settings.seconds:.0f} s and was stopped"
        return _Outcome(None, skipped, skipped, failure)
    if child.returncode != 0:
        last = child.stderr.decode(errors="replace").strip().splitlines()[-1:]
        failure = f"the solver process failed ({child.returncode}): {' '.join(last)}"
        return _Outcome(None, skipped, skipped, failure)
    outcome: _Outcome = pickle.loads(child.stdout)  # our own child's answer
    return outcome


def _child() -> None:
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever the solver prints goes to stderr, not into the answer
    problem, settings = pickle.loads(sys.stdin.buffer.read())  # from our parent
    answer.write(pickle.dumps(_optimise(problem, settings)))
    answer.flush()


def _decide(
    problem: BacklogProblem,
    greedy: BacklogPlan,
    greedy_quality: PlanQuality,
    outcome: _Outcome,
    seconds: float,
) -> OptimalResult:
    def fallback(reason: str, optimiser: PlanQuality | None = None) -> OptimalResult:
        plan = BacklogPlan(greedy.allocations, greedy.complete_orders, "greedy")
        return OptimalResult(
            plan,
            "fallback_greedy",
            reason,
            greedy_quality,
            greedy_quality,
            optimiser,
            outcome.selection,
            outcome.sourcing,
            seconds,
        )

    if outcome.allocations is None:
        return fallback(outcome.failure)
    allocations = outcome.allocations
    plan = BacklogPlan(allocations, complete_orders(problem, allocations), "milp")
    quality = evaluate(problem, plan)
    if quality.rank() < greedy_quality.rank():
        return fallback(_worse(quality, greedy_quality), quality)
    proven = outcome.selection.status == "optimal" and outcome.sourcing.status == "optimal"
    status = "optimal" if proven else "time_limit_feasible"
    reason = "" if proven else _unproven(outcome)
    return OptimalResult(
        plan,
        status,
        reason,
        quality,
        greedy_quality,
        quality,
        outcome.selection,
        outcome.sourcing,
        seconds,
    )


def _worse(optimiser: PlanQuality, greedy: PlanQuality) -> str:
    if optimiser.weighted_complete < greedy.weighted_complete:
        return (
            f"the optimiser's plan completes less weight ({optimiser.weighted_complete:,} "
            f"against {greedy.weighted_complete:,})"
        )
    if optimiser.shipments > greedy.shipments:
        return (
            f"the optimiser's plan completes the same weight with more shipments "
            f"({optimiser.shipments:,} against {greedy.shipments:,})"
        )
    return (
        f"the optimiser's plan completes the same weight with as many shipments at a higher "
        f"cost ({optimiser.cost_minor:,} against {greedy.cost_minor:,})"
    )


def _unproven(outcome: _Outcome) -> str:
    parts = []
    if outcome.selection.status != "optimal":
        parts.append(f"selection {outcome.selection.status}: {outcome.selection.detail}")
    if outcome.sourcing.status != "optimal":
        parts.append(f"sourcing {outcome.sourcing.status}: {outcome.sourcing.detail}")
    return "; ".join(parts)


# --- the optimiser proper (runs in the child process when isolated) ------------------------


def _optimise(problem: BacklogProblem, settings: _Settings) -> _Outcome:
    start = time.monotonic()
    # What is left of the budget once here, less a reserve to build and return the plan.
    left = settings.seconds - (time.time() - settings.sent_at)
    deadline = start + left - min(RESERVE_S, 0.05 * settings.seconds)
    ix = _Index(problem)
    if ix.size_estimate() > settings.max_variables:
        skipped = StageReport("skipped", detail="model too large")
        failure = (
            f"the model would have about {ix.size_estimate():,} columns, more than "
            f"{settings.max_variables:,}"
        )
        return _Outcome(None, skipped, skipped, failure)
    selection_seconds = (deadline - start) * SELECTION_SHARE - (time.monotonic() - start)
    chosen, selection = _select(ix, selection_seconds, settings.gap)
    if chosen is None:
        return _Outcome(None, selection, StageReport("skipped"), selection.detail)
    allocations, sourcing = _source(ix, chosen, deadline, settings.gap)
    return _Outcome(tuple(allocations), selection, sourcing)


class _Index:
    """The problem's figures as the models need them, orders in queue order."""

    def __init__(self, problem: BacklogProblem) -> None:
        self.problem = problem
        self.orders: dict[int, BacklogOrder] = {o.order_id: o for o in queue(problem.orders)}
        self.weight = {o.order_id: order_weight(o, problem.now) for o in problem.orders}
        self.need = {o.order_id: o.demand() for o in problem.orders}
        self.rows: dict[Key, Supply] = problem.rows()
        self.free = {key: row.free for key, row in self.rows.items() if row.free > 0}
        holders: dict[int, list[int]] = defaultdict(list)
        for location_id, product_id in sorted(self.free):
            holders[product_id].append(location_id)
        cost = problem.cost_minor
        self.allowed: dict[tuple[int, int], tuple[int, ...]] = {
            (oid, p): tuple(loc for loc in holders[p] if (loc, oid) in cost)
            for oid, need in self.need.items()
            for p in need
        }
        self.locs = {
            oid: tuple(sorted({loc for p in need for loc in self.allowed[(oid, p)]}))
            for oid, need in self.need.items()
        }

    def cost(self, location_id: int, order_id: int) -> int:
        return self.problem.cost_minor[(location_id, order_id)]

    def possible(self, order_id: int) -> bool:
        """Whether the stock could complete the order if it were the only one."""
        return all(
            sum(self.free[(loc, p)] for loc in self.allowed[(order_id, p)]) >= d
            for p, d in self.need[order_id].items()
        )

    def size_estimate(self) -> int:
        lines = sum(len(self.allowed[(oid, p)]) for oid, need in self.need.items() for p in need)
        return lines + sum(len(locs) for locs in self.locs.values())


@dataclass(slots=True)
class _Solved:
    status: str  # "optimal", "time_limit", "infeasible", "failed"
    x: np.ndarray | None
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float


class _Model:
    """Columns and rows of one MILP, built incrementally, solved with `scipy.optimize.milp`."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []
        self._rows: list[int] = []
        self._cols: list[int] = []
        self._vals: list[float] = []
        self._lo: list[float] = []
        self._hi: list[float] = []

    @property
    def size(self) -> int:
        return len(self.cost)

    def var(self, cost: float = 0.0, upper: float = math.inf, integer: bool = False) -> int:
        self.cost.append(cost)
        self.upper.append(upper)
        self.integer.append(1 if integer else 0)
        return len(self.cost) - 1

    def row(
        self, terms: Iterable[tuple[int, float]], lo: float = -math.inf, hi: float = math.inf
    ) -> None:
        index = len(self._lo)
        for col, value in terms:
            self._rows.append(index)
            self._cols.append(col)
            self._vals.append(value)
        self._lo.append(lo)
        self._hi.append(hi)

    def solve(
        self, seconds: float, gap: float, *, relax: bool = False, lower: np.ndarray | None = None
    ) -> _Solved:
        started = time.monotonic()
        if seconds <= 0:
            return _Solved("time_limit", None, None, None, None, 0.0)
        n = self.size
        matrix = coo_matrix((self._vals, (self._rows, self._cols)), shape=(len(self._lo), n))
        constraints = (
            LinearConstraint(matrix.tocsr(), np.array(self._lo), np.array(self._hi))
            if self._lo
            else None
        )
        arguments = {
            "integrality": np.zeros(n) if relax else np.array(self.integer),
            "bounds": Bounds(np.zeros(n) if lower is None else lower, np.array(self.upper)),
            "constraints": constraints,
        }
        options = {"time_limit": max(seconds, 0.05), "mip_rel_gap": gap}
        result = milp(np.array(self.cost), **arguments, options=options)
        if result.status == 2:
            # Every model here has a feasible point by construction; HiGHS 1.12's presolve
            # has been seen to call some of them infeasible. Ask again without it.
            options["time_limit"] = max(seconds - (time.monotonic() - started), 0.05)
            result = milp(np.array(self.cost), **arguments, options={**options, "presolve": False})
        status = {0: "optimal", 1: "time_limit", 2: "infeasible"}.get(result.status, "failed")
        objective = None if result.x is None else float(result.fun)
        bound = getattr(result, "mip_dual_bound", None)
        if relax and status == "optimal":
            bound = objective
        return _Solved(
            status,
            result.x,
            objective,
            None if bound is None else float(bound),
            getattr(result, "mip_gap", None),
            time.monotonic() - started,
        )


def _flows(
    model: _Model,
    classes: dict[tuple[int, tuple[int, ...]], list[tuple[int, float]]],
    caps: dict[Key, int],
    used: dict[Key, list[tuple[int, float]]],
) -> None:
    """Per product and set of allowed locations, flows that carry the demand of its class.

    `classes[(product, locations)]` lists (column, units) terms whose sum the flows must
    cover; a class with a constant demand passes (-1, units). The flows' columns are
    added to `used`, whose rows the caller closes with the capacities.
    """
    for (product, locations), terms in classes.items():
        flow_terms: list[tuple[int, float]] = []
        for loc in locations:
            if caps.get((loc, product), 0) > 0:
                f = model.var()
                flow_terms.append((f, -1.0))
                used[(loc, product)].append((f, 1.0))
        columns = [(col, units) for col, units in terms if col >= 0]
        constant = sum(units for col, units in terms if col < 0)
        model.row(columns + flow_terms, hi=-constant)


def _capacities(
    model: _Model, used: dict[Key, list[tuple[int, float]]], caps: dict[Key, int]
) -> None:
    for key, terms in used.items():
        if terms:
            model.row(terms, hi=caps[key])


# --- stage 1: which orders ------------------------------------------------------------------


def _select(ix: _Index, seconds: float, gap: float) -> tuple[frozenset[int] | None, StageReport]:
    model = _Model()
    y = {oid: model.var(-ix.weight[oid], 1, True) for oid in ix.orders if ix.possible(oid)}
    if not y:
        return frozenset(), StageReport("optimal", 0, 0, 0.0, 0.0, "no order can be completed")
    classes: dict[tuple[int, tuple[int, ...]], list[tuple[int, float]]] = defaultdict(list)
    for oid, col in y.items():
        for p, d in ix.need[oid].items():
            classes[(p, ix.allowed[(oid, p)])].append((col, d))
    used: dict[Key, list[tuple[int, float]]] = defaultdict(list)
    _flows(model, classes, ix.free, used)
    _capacities(model, used, ix.free)
    _symmetry(model, ix, y)
    solved = model.solve(seconds, gap)
    weight_bound = None if solved.bound is None else -solved.bound
    if solved.x is None:
        report = StageReport(
            "failed" if solved.status != "time_limit" else "time_limit",
            None,
            weight_bound,
            None,
            solved.seconds,
            f"no selection found ({solved.status}, {len(y):,} orders)",
        )
        return None, report
    chosen = frozenset(oid for oid, col in y.items() if solved.x[col] > 0.5)
    weight = sum(ix.weight[oid] for oid in chosen)
    gap_found = None if weight_bound is None else abs(weight_bound - weight) / max(weight, 1)
    detail = f"{len(chosen):,} of {len(y):,} orders chosen, weight {weight:,}" + (
        "" if weight_bound is None else f", upper bound {weight_bound:,.0f}"
    )
    report = StageReport(solved.status, weight, weight_bound, gap_found, solved.seconds, detail)
    return chosen, report


def _symmetry(model: _Model, ix: _Index, y: dict[int, int]) -> None:
    """Among orders with the same needs and locations, a lighter one only with a heavier one."""
    twins: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for oid in y:
        need = ix.need[oid]
        twins[tuple(sorted((p, d, ix.allowed[(oid, p)]) for p, d in need.items()))].append(oid)
    for group in twins.values():
        group.sort(key=lambda oid: -ix.weight[oid])  # stable: queue order among equals
        for heavier, lighter in pairwise(group):
            model.row([(y[heavier], 1.0), (y[lighter], -1.0)], lo=0.0)


# --- stage 2: from where --------------------------------------------------------------------


@dataclass(slots=True)
class _Sourcing:
    caps: dict[Key, int]
    units: dict[tuple[int, int, int], int] = field(default_factory=dict)  # (o, p, l) -> units
    notes: list[str] = field(default_factory=list)

    def take_units(self, units: dict[tuple[int, int, int], int]) -> None:
        for (oid, p, loc), q in units.items():
            if q > 0:
                self.units[(oid, p, loc)] = self.units.get((oid, p, loc), 0) + q
                self.caps[(loc, p)] -= q


def _source(
    ix: _Index, chosen: frozenset[int], deadline: float, gap: float
) -> tuple[list[Allocation], StageReport]:
    started = time.monotonic()
    state = _Sourcing(dict(ix.free))
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
        pending, bound = _pattern_round(ix, state, pending, first, (deadline, gap))
        lower = bound if first else lower
    if pending and time.monotonic() < deadline:
        pending, _ = _general_round(ix, state, pending, (deadline, gap))
    dropped = _greedy_rest(ix, state, pending) if pending else []
    allocations = _allocations(ix, state)
    report = _sourcing_report(ix, state, allocations, lower, dropped, time.monotonic() - started)
    return allocations, report


Budget = tuple[float, float]  # (deadline, mip_rel_gap)


def _covers(
    ix: _Index, oid: int, caps: dict[Key, int], extra: int, largest: int
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
    model: _Model
    big: int  # what a shipment weighs against cost
    choices: list[tuple[int, Usage, int]]  # (order, units it takes, column)
    escape: dict[int, int]  # order -> column sending it on
    counts: list[float]  # shipments each column stands for
    costs: list[float]  # cost each column stands for


def _pattern_model(ix: _Index, caps: dict[Key, int], pending: list[int], first: bool) -> _Patterns:
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
    pm = _Patterns(_Model(), big, [], {}, [], [])
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
    _flows(pm.model, classes, caps, used)
    _capacities(pm.model, used, caps)
    return pm


def _usages(ix: _Index, oid: int, locs: tuple[int, ...], caps: dict[Key, int]) -> list[Usage]:
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


def _money(ix: _Index, oid: int, usage: Usage) -> int:
    return sum(ix.cost(loc, oid) for loc in {loc for (loc, _), _ in usage})


def _column(pm: _Patterns, cost: float, count: int, money: float) -> int:
    col = pm.model.var(cost, 1, True)
    pm.counts.append(count)
    pm.costs.append(money)
    return col


def _pattern_round(
    ix: _Index, state: _Sourcing, pending: list[int], first: bool, budget: Budget
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


def _bound(pm: _Patterns, solved: _Solved) -> tuple[int, float] | None:
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


def _apply_patterns(ix: _Index, state: _Sourcing, pm: _Patterns, x: np.ndarray) -> list[int]:
    for oid, usage, col in pm.choices:
        if x[col] > 0.5:
            state.take_units({(oid, p, loc): units for (loc, p), units in usage})
    return [oid for oid, col in pm.escape.items() if x[col] > 0.5]


def _settle(
    ix: _Index,
    state: _Sourcing,
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
    ix: _Index,
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
    model = _Model()
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
    _flows(model, classes, caps, used)
    _capacities(model, used, caps)
    solved = model.solve(max(deadline - time.monotonic(), 5.0), gap)
    if solved.x is None:
        return None
    return {key: round(solved.x[col]) for key, col in columns.items()}


def _general_size(ix: _Index, pending: list[int]) -> int:
    """Columns of the general model for these orders (at most)."""
    lines = sum(len(ix.allowed[(oid, p)]) for oid in pending for p in ix.need[oid])
    return lines + sum(len(ix.locs[oid]) for oid in pending)


def _general_round(
    ix: _Index, state: _Sourcing, pending: list[int], budget: Budget
) -> tuple[list[int], tuple[int, float] | None]:
    """Any set of locations per order: one binary per (order, location), units continuous.

    Exact: with the locations chosen, the units are a transportation problem, integral at
    a vertex. Returns the orders it could not source (all of them if it found no plan)
    and a lower bound (shipments, cost at that many) from the solver.
    """
    deadline, gap = budget
    caps = state.caps
    model = _Model()
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
    _capacities(model, used, caps)
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


def _greedy_rest(ix: _Index, state: _Sourcing, pending: list[int]) -> list[int]:
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


def _allocations(ix: _Index, state: _Sourcing) -> list[Allocation]:
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
    ix: _Index,
    state: _Sourcing,
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
