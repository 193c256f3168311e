"""Safety stock, reorder point, order-up-to, order quantity and ABC classes, by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.planning.intermittency import Pattern
from oms.domain.planning.models import ALL_MODELS, INTERMITTENT_MODELS, Model, median, members
from oms.domain.planning.replenishment import (
    AbcClass,
    abc_classes,
    empirical_quantile,
    order_quantity,
    reorder_levels,
    safety_stock_empirical,
    safety_stock_normal,
    scaled_error,
)


def test_the_empirical_quantile_is_the_ceil_n_level_th_smallest_value() -> None:
    errors = [float(v) for v in range(1, 21)]  # 1..20
    assert empirical_quantile(errors, 0.95) == 19.0  # ceil(19.0) = 19th
    assert empirical_quantile(errors, 0.5) == 10.0
    assert empirical_quantile([3.0, 1.0, 2.0], 0.9) == 3.0  # ceil(2.7) = 3rd
    with pytest.raises(ValueError):
        empirical_quantile([], 0.9)


def test_safety_stock_from_past_scaled_errors_and_from_the_normal_formula() -> None:
    # Past errors of 20 forecasts, in units of their scale: 19 of them at most 0.5.
    errors = [-0.5] * 10 + [0.2] * 5 + [0.5] * 4 + [1.5]
    assert safety_stock_empirical(40.0, errors, 0.95) == pytest.approx(20.0)  # 40 x 0.5
    assert safety_stock_empirical(40.0, [-0.3, -0.1], 0.95) == 0.0  # never negative
    assert scaled_error(30, 20, 5) == 2.0
    assert scaled_error(3, 0, 0) == 0.0
    # z(95%) = 1.6449; sigma 2 a day over 9 days: 1.6449 x 2 x 3
    assert safety_stock_normal(2.0, 9, 0.95) == pytest.approx(1.644854 * 6, rel=1e-5)


def test_reorder_point_and_order_up_to_level() -> None:
    levels = reorder_levels(lead_time_demand=28, cover_demand=42, safety_stock=10)
    assert (levels.reorder_point, levels.order_up_to) == (38, 52)


def test_an_order_honours_the_minimum_and_whole_packs() -> None:
    assert order_quantity(position=30, order_up_to=52) == 22
    assert order_quantity(30, 52, minimum=50) == 50
    assert order_quantity(30, 52, pack=12) == 24
    assert order_quantity(30, 52, minimum=30, pack=12) == 36
    assert order_quantity(60, 52, minimum=30, pack=12) == 0
    assert order_quantity(30.2, 52, pack=1) == 22  # 21.8 rounds up
    with pytest.raises(ValueError):
        order_quantity(0, 10, pack=0)


@given(
    st.floats(-100, 100),
    st.floats(0, 200),
    st.integers(0, 50),
    st.integers(1, 24),
)
def test_an_order_reaches_the_level_in_whole_packs_with_less_than_a_pack_to_spare(
    position: float, level: float, minimum: int, pack: int
) -> None:
    q = order_quantity(position, level, minimum, pack)
    assert q % pack == 0
    if position >= level:
        assert q == 0
    else:
        assert q >= minimum and position + q >= level - 1e-9
        assert q - pack < max(math.ceil(level - position - 1e-9), minimum)


def test_abc_classes_by_revenue_share() -> None:
    revenue = {"a": 50.0, "b": 25.0, "c": 10.0, "d": 8.0, "e": 5.0, "f": 2.0}
    # cumulated share before each: a 0, b .50, c .75, d .85, e .93, f .98
    assert abc_classes(revenue) == {
        "a": AbcClass.A, "b": AbcClass.A, "c": AbcClass.A,
        "d": AbcClass.B, "e": AbcClass.B, "f": AbcClass.C,
    }  # fmt: skip


def test_the_ensemble_leaves_theta_out_for_intermittent_products() -> None:
    assert members(Pattern.SMOOTH) == ALL_MODELS
    assert members(Pattern.LUMPY) == INTERMITTENT_MODELS
    assert Model.AUTOTHETA not in INTERMITTENT_MODELS
    assert members(Pattern.LUMPY, "autotheta") == (Model.AUTOTHETA,)
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
