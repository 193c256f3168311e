"""WAPE, bias and weekly MASE against the benchmarks (hand-computed)."""

from __future__ import annotations

import pytest

from oms.domain.planning.measures import (
    Outcome,
    WeekOutcome,
    benchmarks,
    bias,
    relative_mae,
    wape,
)


def test_wape_and_bias_of_lead_time_totals() -> None:
    outcomes = [Outcome(10, 8), Outcome(20, 26), Outcome(0, 1)]
    # |10-8| + |20-26| + |0-1| = 9 over 30 asked for; (35 - 30) / 30.
    assert wape(outcomes) == pytest.approx(0.3)
    assert bias(outcomes) == pytest.approx(1 / 6)
    assert wape([Outcome(0, 3)]) is None
    assert bias([]) is None


def test_weekly_mase_compares_absolute_errors_with_the_benchmarks_on_the_same_weeks() -> None:
    weeks = [WeekOutcome(10, 9, 4, 8), WeekOutcome(6, 8, 4, 8)]
    # ours: 1 + 2 = 3; naive: 6 + 2 = 8; 4-week mean: 2 + 2 = 4
    assert relative_mae(weeks, "naive") == pytest.approx(3 / 8)
    assert relative_mae(weeks, "mean4") == pytest.approx(3 / 4)
    assert relative_mae([WeekOutcome(5, 4, 5, 5)], "naive") is None
    with pytest.raises(ValueError):
        relative_mae(weeks, "mean8")


def test_the_benchmarks_are_last_week_and_the_mean_of_the_last_four() -> None:
    assert benchmarks([9, 1, 2, 3, 6]) == (6, 3.0)
    assert benchmarks([2, 4]) == (4, 3.0)
    assert benchmarks([]) == (0.0, 0.0)
