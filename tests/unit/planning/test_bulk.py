"""Bulk orders capped before fitting and their share put back (domain/planning/bulk.py),
on small made-up series with the answers worked by hand."""

from __future__ import annotations

import pytest

from oms.domain.planning.bulk import cap_of, capped, quantile, restoring_factor


def test_quantile_interpolates_between_order_statistics() -> None:
    # Sorted 1, 2, 3, 4, 100: position (5 - 1) x 0.95 = 3.8, between 4 (index 3) and 100
    # (index 4): 4 + 0.8 x 96 = 80.8. The median: position 2, the value 3.
    assert quantile([100, 2, 1, 4, 3], 0.95) == pytest.approx(80.8)
    assert quantile([100, 2, 1, 4, 3], 0.5) == 3
    assert quantile([7], 0.95) == 7


def test_a_day_counts_at_most_the_quantile_of_the_days_with_demand() -> None:
    # Days with demand 2, 3, 2, 4, 3, 500 (the zeros are left out): sorted 2, 2, 3, 3, 4,
    # 500; position 5 x 0.8 = 4, the 5th value: 4. The bulk order of 500 counts 4.
    units = [2, 0, 3, 2, 0, 4, 3, 500]
    assert cap_of(units, 0.8) == 4
    assert capped(units, 4) == (2, 0, 3, 2, 0, 4, 3, 4)


def test_fewer_than_five_days_with_demand_are_not_capped() -> None:
    units = [0, 0, 1, 0, 900, 0, 2, 3]
    assert cap_of(units) is None
    assert capped(units, None) == tuple(units)


def test_the_units_the_caps_took_off_are_put_back_as_a_share_of_the_catalogue() -> None:
    # Over the last 3 days: product A 10 + 0 + 500 raw, 10 + 0 + 20 capped; product B
    # 5 + 5 + 5 both ways (older days do not count). (510 + 15) / (30 + 15) = 525 / 45.
    raw = [[999, 10, 0, 500], [1, 5, 5, 5]]
    kept = [[20, 10, 0, 20], [1, 5, 5, 5]]
    assert restoring_factor(raw, kept, recent=3) == pytest.approx(525 / 45)
    assert restoring_factor([[0, 0]], [[0, 0]]) == 1.0
