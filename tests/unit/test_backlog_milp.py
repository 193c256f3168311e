"""The backlog optimiser: better than greedy where greedy is short-sighted, never worse."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings

from oms.adapters.solver import milp
from oms.adapters.solver.milp import OptimalResult, StageReport, plan_optimal
from oms.domain.fulfilment.backlog import (
    BacklogProblem,
    evaluate,
    order_weight,
    plan_greedy,
    validate,
)
from tests.unit.fulfilment.test_backlog import NOW, order, problem, problems, supply


def optimal(p: BacklogProblem, **options: float) -> OptimalResult:
    result = plan_optimal(p, isolate=False, time_limit_s=options.pop("time_limit_s", 20.0))
    validate(p, result.plan)
    return result


def test_two_ordinary_orders_beat_one_urgent_order_that_needs_both_units() -> None:
    urgent = order(1, (7, 2), priority=1, hours=1)  # weight 102,001
    a, b = order(2, (7, 1), hours=3), order(3, (7, 1), hours=2)  # 101,003 + 101,002
    p = problem([urgent, a, b], [supply(1, 7, 2)])
    assert plan_greedy(p).complete_orders == {1}
    result = optimal(p)
    assert result.plan.complete_orders == {2, 3}
    assert result.status == "optimal"
    assert result.quality.weighted_complete > result.greedy.weighted_complete
    assert result.plan.method == "milp"


def test_the_heaviest_order_wins_when_only_one_can_ship() -> None:
    old, urgent = order(1, (7, 1), hours=500), order(2, (7, 1), priority=3, hours=0)
    result = optimal(problem([old, urgent], [supply(1, 7, 1)]))
    assert result.plan.complete_orders == {2}


def test_an_order_that_blocks_two_smaller_ones_is_left_for_them() -> None:
    # The oldest order takes one unit of each product; two newer ones need one each.
    big = order(1, (7, 1), (8, 1), hours=50)
    left, right = order(2, (7, 1), hours=2), order(3, (8, 1), hours=1)
    p = problem([big, left, right], [supply(1, 7, 1), supply(1, 8, 1)])
    assert plan_greedy(p).complete_orders == {1}
    assert optimal(p).plan.complete_orders == {2, 3}


def test_fewer_shipments_at_equal_weight() -> None:
    # Greedy gives the first order location 1's unit of product 7 (cheaper), so the
    # second order must come from two locations. Sent from location 2, the first order
    # leaves the second whole at location 1: two shipments instead of three.
    first = order(1, (7, 1), hours=9)
    second = order(2, (7, 1), (8, 1), hours=1)
    stock = [supply(1, 7, 1), supply(1, 8, 1), supply(2, 7, 1)]
    cost = {(1, 1): 100, (2, 1): 200, (1, 2): 100, (2, 2): 100}
    p = problem([first, second], stock, cost)
    assert evaluate(p, plan_greedy(p)).shipments == 3
    result = optimal(p)
    assert result.quality.orders_complete == 2
    assert result.quality.shipments == 2
    assert result.quality.rank() > result.greedy.rank()
    assert result.status == "optimal"


def test_lower_cost_at_equal_shipments() -> None:
    o = order(1, (7, 1))
    p = problem([o], [supply(1, 7, 1), supply(2, 7, 1)], {(1, 1): 900, (2, 1): 300})
    result = optimal(p)
    assert {a.location_id for a in result.plan.allocations} == {2}
    assert result.quality.cost_minor == 300


def test_orders_that_need_several_locations_are_split() -> None:
    o = order(1, (7, 5), (8, 1))
    stock = [supply(1, 7, 2), supply(2, 7, 2), supply(3, 7, 1), supply(3, 8, 1)]
    result = optimal(problem([o], stock))
    assert result.plan.complete_orders == {1}
    assert result.quality.shipments == 3


def test_locations_that_cannot_ship_to_an_order_are_not_used() -> None:
    a, b = order(1, (7, 1), hours=5), order(2, (7, 1), hours=1)
    stock = [supply(1, 7, 1), supply(2, 7, 1)]
    p = problem([a, b], stock, {(1, 1): 100, (1, 2): 100, (2, 2): 100})  # 2 can't ship to 1
    result = optimal(p)
    assert result.plan.complete_orders == {1, 2}
    assert {(a.line_key, a.location_id) for a in result.plan.allocations} == {(10, 1), (20, 2)}


def test_nothing_to_do() -> None:
    result = optimal(problem([order(1, (7, 1))], [supply(1, 7, 0)]))
    assert result.plan.allocations == ()
    assert result.status in {"optimal", "fallback_greedy"}


def test_a_plan_worse_than_greedy_is_replaced_by_greedy(monkeypatch: pytest.MonkeyPatch) -> None:
    nothing = milp._Outcome((), StageReport("optimal"), StageReport("optimal"))
    monkeypatch.setattr(milp, "_optimise", lambda problem, settings: nothing)
    p = problem([order(1, (7, 1))], [supply(1, 7, 1)])
    result = optimal(p)
    assert result.status == "fallback_greedy"
    assert "less weight" in result.reason
    assert result.plan.complete_orders == {1}
    assert result.optimiser is not None and result.optimiser.orders_complete == 0


def test_a_problem_too_large_for_the_limit_falls_back_to_greedy() -> None:
    p = problem([order(1, (7, 1))], [supply(1, 7, 1)])
    result = plan_optimal(p, isolate=False, max_variables=1)
    assert result.status == "fallback_greedy"
    assert "columns" in result.reason
    assert result.plan.complete_orders == {1}


def test_the_optimiser_runs_in_its_own_process() -> None:
    urgent = order(1, (7, 2), priority=1)
    a, b = order(2, (7, 1)), order(3, (7, 1))
    result = plan_optimal(problem([urgent, a, b], [supply(1, 7, 2)]), time_limit_s=30)
    assert result.status == "optimal", result.reason
    assert result.plan.complete_orders == {2, 3}


def test_a_solver_process_that_overruns_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(milp, "SPAWN_GRACE_S", 0.0)
    p = problem([order(1, (7, 1))], [supply(1, 7, 1)])
    result = plan_optimal(p, time_limit_s=0.05)  # the child cannot even import SciPy by then
    assert result.status == "fallback_greedy"
    assert "stopped" in result.reason
    assert result.plan.complete_orders == {1}


def best_weight(p: BacklogProblem) -> int:
    """The most weight any set of orders completes, by trying every set (Hall's condition)."""
    rows = {(s.location_id, s.product_id): s.free for s in p.supplies}
    best = 0
    for size in range(len(p.orders) + 1):
        for chosen in combinations(p.orders, size):
            if feasible(p, chosen, rows):
                best = max(best, sum(order_weight(o, NOW) for o in chosen))
    return best


def feasible(p: BacklogProblem, chosen: tuple, rows: dict[tuple[int, int], int]) -> bool:
    demands = [(o.order_id, prod, d) for o in chosen for prod, d in o.demand().items()]
    products = {prod for _, prod, _ in demands}
    for prod in products:
        mine = [(oid, d) for oid, q, d in demands if q == prod]
        for size in range(1, len(mine) + 1):
            for group in combinations(mine, size):
                reach = {
                    loc
                    for oid, _ in group
                    for (loc, q) in rows
                    if q == prod and (loc, oid) in p.cost_minor
                }
                if sum(d for _, d in group) > sum(rows[(loc, prod)] for loc in reach):
                    return False
    return True


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_orders=6))
def test_the_optimiser_is_valid_never_worse_than_greedy_and_finds_the_best_set(
    p: BacklogProblem,
) -> None:
    result = optimal(p, time_limit_s=10.0)
    assert result.quality == evaluate(p, result.plan)
    assert result.quality.rank() >= result.greedy.rank()
    if result.selection.status == "optimal":
        assert result.quality.weighted_complete == best_weight(p)
