"""Building blocks shared by the optimiser's two stages (see `oms.adapters.solver.milp`).

`Index` holds the problem's figures as the models need them; `Model` builds one MILP
column by column and row by row and solves it with `scipy.optimize.milp`, answering a
`Solved`; `flows` and `capacities` add the transportation rows through which stock
reaches orders. `StageReport` is what each stage says of its solve, and `SourcingState`
the stock left and units given as the sourcing's rounds proceed.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from oms.domain.fulfilment.backlog import (
    BacklogOrder,
    BacklogProblem,
    Supply,
    order_weight,
    queue,
)

EPS = 1e-6

Key = tuple[int, int]  # (location_id, product_id)
Budget = tuple[float, float]  # (deadline, mip_rel_gap)


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


class Index:
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
class Solved:
    status: str  # "optimal", "time_limit", "infeasible", "failed"
    x: np.ndarray | None
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float


class Model:
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
    ) -> Solved:
        started = time.monotonic()
        if seconds <= 0:
            return Solved("time_limit", None, None, None, None, 0.0)
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
        return Solved(
            status,
            result.x,
            objective,
            None if bound is None else float(bound),
            getattr(result, "mip_gap", None),
            time.monotonic() - started,
        )


def flows(
    model: Model,
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


def capacities(
    model: Model, used: dict[Key, list[tuple[int, float]]], caps: dict[Key, int]
) -> None:
    for key, terms in used.items():
        if terms:
            model.row(terms, hi=caps[key])


@dataclass(slots=True)
class SourcingState:
    """The sourcing so far: stock left (`caps`), units given and notes for the report."""

    caps: dict[Key, int]
    units: dict[tuple[int, int, int], int] = field(default_factory=dict)  # (o, p, l) -> units
    notes: list[str] = field(default_factory=list)

    def take_units(self, units: dict[tuple[int, int, int], int]) -> None:
        for (oid, p, loc), q in units.items():
            if q > 0:
                self.units[(oid, p, loc)] = self.units.get((oid, p, loc), 0) + q
                self.caps[(loc, p)] -= q
