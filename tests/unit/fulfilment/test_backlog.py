"""Backlog re-sourcing: order weights, the greedy rule, and what `validate` refuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oms.domain.fulfilment.backlog import (
    AGE_CAP_HOURS,
    BacklogLine,
    BacklogOrder,
    BacklogPlan,
    BacklogProblem,
    PlanQuality,
    Supply,
    evaluate,
    order_weight,
    plan_greedy,
    validate,
)
from oms.domain.inventory.model import Allocation

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def order(
    order_id: int, *lines: tuple[int, int], priority: int = 0, hours: float = 1.0
) -> BacklogOrder:
    """An order of (product, quantity) lines; line keys are order_id * 10 + position."""
    return BacklogOrder(
        order_id,
        priority,
        NOW - timedelta(hours=hours),
        tuple(BacklogLine(order_id * 10 + i, p, q) for i, (p, q) in enumerate(lines)),
    )


def supply(location: int, product: int, available: int) -> Supply:
    return Supply(location * 100 + product, location, product, available)


def problem(
    orders: list[BacklogOrder],
    supplies: list[Supply],
    cost: dict[tuple[int, int], int] | None = None,
) -> BacklogProblem:
    """Every location ships to every order for 100 unless `cost` says otherwise."""
    if cost is None:
        cost = {(s.location_id, o.order_id): 100 for s in supplies for o in orders}
    return BacklogProblem(tuple(orders), tuple(supplies), cost, NOW)


def sources(plan: BacklogPlan) -> set[tuple[int, int]]:
    """(line_key, location_id) pairs the plan draws on."""
    return {(a.line_key, a.location_id) for a in plan.allocations}


# --- order_weight ---------------------------------------------------------------------------


def test_weight_is_priority_steps_plus_age_in_hours() -> None:
    assert order_weight(order(1, (1, 1), priority=0, hours=5.5), NOW) == 101 * 1000 + 5
    assert order_weight(order(1, (1, 1), priority=-100, hours=0), NOW) == 1000
    assert order_weight(order(1, (1, 1), priority=100, hours=0), NOW) == 201 * 1000


def test_a_higher_priority_outweighs_any_age() -> None:
    young_urgent = order(1, (1, 1), priority=1, hours=0)
    ancient = order(2, (1, 1), priority=0, hours=24 * 365)
    assert order_weight(young_urgent, NOW) > order_weight(ancient, NOW)


def test_among_equal_priorities_older_weighs_more_up_to_the_cap() -> None:
    ages = [0, 1, 48, AGE_CAP_HOURS]
    weights = [order_weight(order(1, (1, 1), hours=h), NOW) for h in ages]
    assert weights == sorted(weights) and len(set(weights)) == len(weights)
    capped = order_weight(order(1, (1, 1), hours=AGE_CAP_HOURS + 500), NOW)
    assert capped == weights[-1]


def test_an_order_placed_after_now_has_no_age() -> None:
    assert order_weight(order(1, (1, 1), hours=-3), NOW) == 101 * 1000


# --- the problem's own checks ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("orders", "supplies"),
    [
        ([order(1, (1, 1)), order(1, (2, 1))], []),  # order id twice
        ([order(1, (1, 1))], [supply(1, 1, 1), Supply(101, 2, 1, 1)]),  # stock id twice
        ([order(1, (1, 1))], [supply(1, 1, 1), Supply(999, 1, 1, 1)]),  # one row twice
    ],
)
def test_duplicates_are_refused(orders: list[BacklogOrder], supplies: list[Supply]) -> None:
    with pytest.raises(ValueError, match="duplicate"):
        problem(orders, supplies)


def test_lines_need_units_and_orders_need_lines() -> None:
    with pytest.raises(ValueError):
        BacklogLine(1, 1, 0)
    with pytest.raises(ValueError):
        BacklogOrder(1, 0, NOW, ())
    with pytest.raises(ValueError):
        BacklogOrder(1, 101, NOW, (BacklogLine(1, 1, 1),))


# --- the greedy rule ------------------------------------------------------------------------


def test_higher_priority_is_served_first_even_if_newer() -> None:
    old = order(1, (7, 1), priority=0, hours=100)
    urgent = order(2, (7, 1), priority=10, hours=1)
    plan = plan_greedy(problem([old, urgent], [supply(1, 7, 1)]))
    assert plan.complete_orders == {2}


def test_among_equal_priorities_the_oldest_is_served_first_then_the_lowest_id() -> None:
    newer, older = order(1, (7, 1), hours=1), order(2, (7, 1), hours=5)
    assert plan_greedy(problem([newer, older], [supply(1, 7, 1)])).complete_orders == {2}
    a, b = order(4, (7, 1), hours=2), order(3, (7, 1), hours=2)
    assert plan_greedy(problem([a, b], [supply(1, 7, 1)])).complete_orders == {3}


def test_an_order_that_cannot_be_completed_takes_nothing() -> None:
    first = order(1, (7, 1), (8, 1), hours=9)  # product 8 is out of stock
    second = order(2, (7, 1), hours=1)
    plan = plan_greedy(problem([first, second], [supply(1, 7, 1)]))
    assert plan.complete_orders == {2}
    assert {a.line_key for a in plan.allocations} == {20}


def test_partial_gives_what_it_can_even_without_completing() -> None:
    first = order(1, (7, 1), (8, 1), hours=9)
    second = order(2, (7, 1), hours=1)
    plan = plan_greedy(problem([first, second], [supply(1, 7, 1)]), partial=True)
    assert plan.complete_orders == frozenset()
    assert {a.line_key for a in plan.allocations} == {10}
    assert plan.method == "partial"


def test_one_location_that_can_serve_the_whole_order_wins() -> None:
    o = order(1, (7, 2), (8, 2))
    stock = [supply(1, 7, 5), supply(2, 7, 5), supply(2, 8, 5)]
    plan = plan_greedy(problem([o], stock))
    assert {a.location_id for a in plan.allocations} == {2}


def test_the_rest_comes_from_the_next_location_that_gives_most() -> None:
    o = order(1, (7, 5))
    stock = [supply(1, 7, 1), supply(2, 7, 3), supply(3, 7, 2)]
    plan = plan_greedy(problem([o], stock))
    assert [(a.location_id, a.quantity) for a in plan.allocations] == [(2, 3), (3, 2)]


def test_ties_go_to_the_cheaper_shipment_then_the_lower_location_id() -> None:
    o = order(1, (7, 1))
    stock = [supply(1, 7, 1), supply(2, 7, 1), supply(3, 7, 1)]
    cheaper = {(1, 1): 500, (2, 1): 300, (3, 1): 300}
    assert sources(plan_greedy(problem([o], stock, cheaper))) == {(10, 2)}


def test_a_location_without_a_cost_for_the_order_is_never_used() -> None:
    o = order(1, (7, 1))
    stock = [supply(1, 7, 5), supply(2, 7, 5)]
    plan = plan_greedy(problem([o], stock, {(2, 1): 900}))
    assert sources(plan) == {(10, 2)}
    assert plan_greedy(problem([o], stock, {})).allocations == ()


def test_negative_availability_counts_as_none() -> None:
    plan = plan_greedy(problem([order(1, (7, 1))], [supply(1, 7, -3)]))
    assert plan.allocations == ()


def test_two_lines_of_one_product_are_both_served() -> None:
    o = order(1, (7, 2), (7, 1))
    plan = plan_greedy(problem([o], [supply(1, 7, 3)]))
    assert plan.complete_orders == {1}
    validate(problem([o], [supply(1, 7, 3)]), plan)


# --- evaluate -------------------------------------------------------------------------------


def test_evaluate_counts_shipments_per_order_and_location_and_their_cost() -> None:
    a, b = order(1, (7, 2), (8, 1), hours=3), order(2, (7, 1), hours=2)
    stock = [supply(1, 7, 1), supply(2, 7, 5), supply(1, 8, 1)]
    cost = {(1, 1): 100, (2, 1): 250, (1, 2): 100, (2, 2): 400}
    p = problem([a, b], stock, cost)
    plan = BacklogPlan(
        (
            Allocation(10, 107, 1, 7, 1),
            Allocation(10, 207, 2, 7, 1),
            Allocation(11, 108, 1, 8, 1),
            Allocation(20, 207, 2, 7, 1),
        ),
        frozenset({1, 2}),
        "hand",
    )
    validate(p, plan)
    assert evaluate(p, plan) == PlanQuality(
        orders_complete=2,
        weighted_complete=order_weight(a, NOW) + order_weight(b, NOW),
        units_allocated=4,
        shipments=3,
        cost_minor=100 + 250 + 400,
    )


def test_rank_puts_weight_first_then_fewer_shipments_then_lower_cost() -> None:
    base = PlanQuality(3, 300, 9, 4, 1000)
    assert replace(base, weighted_complete=301, shipments=9).rank() > base.rank()
    assert replace(base, shipments=3, cost_minor=5000).rank() > base.rank()
    assert replace(base, cost_minor=999).rank() > base.rank()


# --- validate -------------------------------------------------------------------------------

P = problem(
    [order(1, (7, 2)), order(2, (8, 1))],
    [supply(1, 7, 2), supply(1, 8, 1), supply(2, 7, 5)],
    {(1, 1): 100, (1, 2): 100, (2, 2): 100},  # location 2 cannot ship to order 1
)


def plan_of(*allocations: Allocation, complete: set[int]) -> BacklogPlan:
    return BacklogPlan(allocations, frozenset(complete), "hand")


def test_validate_accepts_a_sound_plan() -> None:
    validate(
        P, plan_of(Allocation(10, 107, 1, 7, 2), Allocation(20, 108, 1, 8, 1), complete={1, 2})
    )


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        (plan_of(Allocation(10, 107, 1, 7, 3), complete={1}), "over-used"),
        (
            plan_of(Allocation(20, 108, 1, 8, 1), Allocation(20, 108, 1, 8, 1), complete={2}),
            "over-used",
        ),
        (plan_of(Allocation(10, 107, 1, 7, 2), Allocation(10, 207, 2, 7, 1), complete={1}), "ship"),
        (
            plan_of(Allocation(20, 108, 1, 8, 1), Allocation(20, 999, 1, 8, 1), complete={2}),
            "unknown",
        ),
        (plan_of(Allocation(10, 107, 1, 7, 1), complete={1}), "claimed complete"),
        (plan_of(Allocation(20, 108, 1, 8, 1), complete=set()), "not listed"),
        (plan_of(Allocation(99, 107, 1, 7, 1), complete=set()), "unknown line"),
        (plan_of(Allocation(10, 107, 1, 7, 0), complete=set()), "allocation of 0"),
        (plan_of(Allocation(10, 108, 1, 8, 1), complete=set()), "needs product"),
        (plan_of(Allocation(10, 107, 2, 7, 1), complete=set()), "another location"),
    ],
)
def test_validate_refuses(plan: BacklogPlan, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate(P, plan)


def test_validate_refuses_a_line_given_more_than_it_needs() -> None:
    p = problem([order(1, (7, 1))], [supply(1, 7, 5)])
    with pytest.raises(ValueError, match="over-allocated"):
        validate(p, plan_of(Allocation(10, 107, 1, 7, 2), complete={1}))


# --- properties over random problems --------------------------------------------------------


@st.composite
def problems(draw: st.DrawFn, max_orders: int = 8, most: int = 4) -> BacklogProblem:
    """Small random backlogs over 4 products and 3 locations, some pairs not shippable.

    Each location stocks each product with probability 3/4, up to `most` units.
    """
    n_orders = draw(st.integers(1, max_orders))
    orders = []
    for oid in range(1, n_orders + 1):
        products = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3, unique=True))
        lines = [(p, draw(st.integers(1, 3))) for p in products]
        priority = draw(st.sampled_from([0, 0, 5]))
        orders.append(order(oid, *lines, priority=priority, hours=draw(st.integers(0, 72))))
    supplies = [
        supply(loc, p, draw(st.integers(-1, most)))
        for loc in range(1, 4)
        for p in range(1, 5)
        if draw(st.integers(0, 3)) > 0
    ]
    cost = {
        (loc, o.order_id): draw(st.sampled_from([100, 250, 400]))
        for loc in range(1, 4)
        for o in orders
        if draw(st.integers(0, 5)) > 0
    }
    return problem(orders, supplies, cost)


@settings(max_examples=60, deadline=None)
@given(problems(), st.booleans())
def test_greedy_plans_are_always_valid(p: BacklogProblem, partial: bool) -> None:
    plan = plan_greedy(p, partial=partial)
    validate(p, plan)
    if not partial:  # all or nothing: an order given anything is complete
        order_of = {line.line_key: o.order_id for o in p.orders for line in o.lines}
        assert {order_of[a.line_key] for a in plan.allocations} == plan.complete_orders
