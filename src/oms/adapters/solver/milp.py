"""Backlog re-sourcing with SciPy's `milp` (HiGHS): most weight complete, then fewest shipments.

`plan_optimal(problem)` answers the question `plan_greedy` answers (see
`oms.domain.fulfilment.backlog`), better when stock is scarce, in two stages:

1. **Selection** (`oms.adapters.solver.selection`): exact, up to its time limit. The set
   of orders the stock can complete whose summed `order_weight` is largest.
2. **Sourcing** (`oms.adapters.solver.sourcing`, its pattern rounds in
   `oms.adapters.solver.patterns`): exact when small, otherwise a heuristic with a lower
   bound. Locations for the chosen orders, fewest shipments first, then lowest cost.

Both stages build their models from `oms.adapters.solver.model`. This module holds the
entry point, the child process the optimiser runs in, and the choice between its plan and
the greedy one.

The selection does not look at shipments: among sets of equal weight it may take one
that ships worse than greedy's. `plan_greedy` therefore always runs too, and if the
optimiser's plan ranks below it (`PlanQuality.rank`), the greedy plan is returned with
status "fallback_greedy" and the reason. By default the optimiser runs in a child
interpreter that is killed if it outlives the time limit by SPAWN_GRACE_S: HiGHS checks
`time_limit` between steps, and has been seen to overrun it many times on large models.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from dataclasses import dataclass

from oms.adapters.solver.model import Index, StageReport
from oms.adapters.solver.selection import select_orders
from oms.adapters.solver.sourcing import source_orders
from oms.domain.fulfilment.backlog import (
    BacklogPlan,
    BacklogProblem,
    PlanQuality,
    complete_orders,
    evaluate,
    plan_greedy,
)
from oms.domain.inventory.model import Allocation

__all__ = ["OptimalResult", "StageReport", "plan_optimal"]

SELECTION_SHARE = 0.4  # of the time limit, for stage 1; stage 2 takes what is left
SPAWN_GRACE_S = 10.0  # the child process may outlive the limit by this before it is killed
RESERVE_S = 1.0  # kept at the end of the time limit to build, return and check the plan


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
    ix = Index(problem)
    if ix.size_estimate() > settings.max_variables:
        skipped = StageReport("skipped", detail="model too large")
        failure = (
            f"the model would have about {ix.size_estimate():,} columns, more than "
            f"{settings.max_variables:,}"
        )
        return _Outcome(None, skipped, skipped, failure)
    selection_seconds = (deadline - start) * SELECTION_SHARE - (time.monotonic() - start)
    chosen, selection = select_orders(ix, selection_seconds, settings.gap)
    if chosen is None:
        return _Outcome(None, selection, StageReport("skipped"), selection.detail)
    allocations, sourcing = source_orders(ix, chosen, deadline, settings.gap)
    return _Outcome(tuple(allocations), selection, sourcing)
