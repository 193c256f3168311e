"""Where stock is reserved: the location that serves most of the order first, then the next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from oms.domain.inventory.model import (
    Backorder,
    Demand,
    HeldReservation,
    StockOption,
    backorder_queue,
    plan_backorder_fill,
    plan_reservations,
    plan_take_back,
)

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def test_one_location_that_can_serve_everything_wins() -> None:
    options = [StockOption(1, 10, 100, 5), StockOption(2, 20, 100, 5), StockOption(3, 20, 101, 5)]
    plan = plan_reservations([Demand(0, 100, 2), Demand(1, 101, 2)], options)
    assert {a.location_id for a in plan} == {20}


def test_the_rest_goes_to_the_next_best_location() -> None:
    options = [StockOption(1, 10, 100, 1), StockOption(2, 20, 100, 3)]
    plan = plan_reservations([Demand(0, 100, 5)], options)
    assert [(a.location_id, a.quantity) for a in plan] == [(20, 3), (10, 1)]


def test_ties_go_to_location_priority_then_id() -> None:
    options = [StockOption(1, 10, 100, 5, 0), StockOption(2, 20, 100, 5, 9)]
    assert plan_reservations([Demand(0, 100, 1)], options)[0].location_id == 20
    options = [StockOption(1, 30, 100, 5), StockOption(2, 20, 100, 5)]
    assert plan_reservations([Demand(0, 100, 1)], options)[0].location_id == 20


def test_nothing_available_plans_nothing() -> None:
    assert plan_reservations([Demand(0, 100, 1)], [StockOption(1, 10, 100, 0)]) == []


demands = st.lists(
    st.tuples(st.integers(100, 104), st.integers(1, 20)),
    min_size=1,
    max_size=5,
    unique_by=lambda t: t[0],
)
options = st.lists(
    st.tuples(st.integers(10, 13), st.integers(100, 104), st.integers(-3, 20)),
    max_size=12,
    unique_by=lambda t: (t[0], t[1]),
)


@given(demands, options)
def test_a_plan_never_takes_more_than_needed_or_available(
    ds: list[tuple[int, int]], os: list[tuple[int, int, int]]
) -> None:
    demand = [Demand(i, p, q) for i, (p, q) in enumerate(ds)]
    stock = [StockOption(i, loc, p, avail) for i, (loc, p, avail) in enumerate(os)]
    plan = plan_reservations(demand, stock)
    for d in demand:
        assert sum(a.quantity for a in plan if a.line_key == d.line_key) <= d.quantity
    for o in stock:
        taken = sum(a.quantity for a in plan if a.stock_id == o.stock_id)
        assert taken <= max(o.available, 0)
        assert all(a.product_id == o.product_id for a in plan if a.stock_id == o.stock_id)
    # Greedy but complete: if a line is short, no stock of its product is left unused.
    for d in demand:
        got = sum(a.quantity for a in plan if a.line_key == d.line_key)
        if got < d.quantity:
            for o in stock:
                if o.product_id == d.product_id:
                    taken = sum(a.quantity for a in plan if a.stock_id == o.stock_id)
                    assert taken == max(o.available, 0)
    assert all(a.quantity > 0 for a in plan)


def test_backorders_are_served_by_priority_then_age() -> None:
    old = Backorder(1, 100, 2, 0, T0, 1)
    new_urgent = Backorder(2, 100, 2, 5, T0 + timedelta(days=1), 2)
    newest = Backorder(3, 100, 2, 0, T0 + timedelta(days=2), 3)
    assert [b.line_key for b in backorder_queue([newest, old, new_urgent])] == [2, 1, 3]
    plan = plan_backorder_fill([newest, old, new_urgent], [StockOption(9, 10, 100, 3)])
    assert [(a.line_key, a.quantity) for a in plan] == [(2, 2), (1, 1)]


def test_take_back_starts_with_the_newest_reservation() -> None:
    held = [
        HeldReservation(1, 4, T0),
        HeldReservation(2, 3, T0 + timedelta(hours=1)),
        HeldReservation(3, 1, T0 + timedelta(hours=2)),
    ]
    assert plan_take_back(held, 3) == [(3, 1), (2, 2)]
    assert plan_take_back(held, 0) == []
