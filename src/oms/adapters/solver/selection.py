"""Stage 1 of the optimiser: which orders to complete (see `oms.adapters.solver.milp`).

Exact, up to its time limit. One binary per order that the stock could complete on its
own; maximise the summed `order_weight` of those chosen. Stock enters as a transportation
problem per product: for each product and each set of locations an order may take it
from (those holding it that can ship to the order), continuous flows from those locations
carry the chosen orders' units, and no location gives more than it has. Lines may split
over locations, so a set of orders can be completed exactly when these flows exist (they
are then integral at a vertex): the optimum of this model is the best set of complete
orders there is. Orders with the same needs and locations are taken heaviest first
(symmetry rows).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from oms.adapters.solver.model import Index, Key, Model, StageReport, capacities, flows


def select_orders(
    ix: Index, seconds: float, gap: float
) -> tuple[frozenset[int] | None, StageReport]:
    """The orders to complete (None if no selection was found) and the stage's report."""
    model = Model()
    y = {oid: model.var(-ix.weight[oid], 1, True) for oid in ix.orders if ix.possible(oid)}
    if not y:
        return frozenset(), StageReport("optimal", 0, 0, 0.0, 0.0, "no order can be completed")
    classes: dict[tuple[int, tuple[int, ...]], list[tuple[int, float]]] = defaultdict(list)
    for oid, col in y.items():
        for p, d in ix.need[oid].items():
            classes[(p, ix.allowed[(oid, p)])].append((col, d))
    used: dict[Key, list[tuple[int, float]]] = defaultdict(list)
    flows(model, classes, ix.free, used)
    capacities(model, used, ix.free)
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


def _symmetry(model: Model, ix: Index, y: dict[int, int]) -> None:
    """Among orders with the same needs and locations, a lighter one only with a heavier one."""
    twins: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for oid in y:
        need = ix.need[oid]
        twins[tuple(sorted((p, d, ix.allowed[(oid, p)]) for p, d in need.items()))].append(oid)
    for group in twins.values():
        group.sort(key=lambda oid: -ix.weight[oid])  # stable: queue order among equals
        for heavier, lighter in pairwise(group):
            model.row([(y[heavier], 1.0), (y[lighter], -1.0)], lo=0.0)
