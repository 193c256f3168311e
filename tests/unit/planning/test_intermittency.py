"""ADI / CV² classification (Syntetos-Boylan), hand-computed."""

from __future__ import annotations

import pytest

from oms.domain.planning.intermittency import Pattern, classify


def test_frequent_regular_demand_is_smooth() -> None:
    shape = classify([4, 5, 4, 5, 4, 5])
    assert shape.adi == 1.0
    # mean 4.5, variance 0.25: CV² = 0.25 / 20.25
    assert shape.cv2 == pytest.approx(0.25 / 20.25)
    assert shape.pattern is Pattern.SMOOTH
    assert not shape.pattern.intermittent


def test_rare_demand_is_intermittent_or_lumpy_by_the_spread_of_its_sizes() -> None:
    rare = classify([0, 3, 0, 0, 3, 0, 3, 0])  # ADI 8/3 = 2.67, CV² 0
    assert rare.adi == pytest.approx(8 / 3)
    assert rare.pattern is Pattern.INTERMITTENT
    lumpy = classify([0, 1, 0, 0, 9, 0])  # ADI 3; sizes 1, 9: mean 5, var 16, CV² 0.64
    assert lumpy.cv2 == pytest.approx(0.64)
    assert lumpy.pattern is Pattern.LUMPY and lumpy.pattern.intermittent


def test_frequent_but_varied_demand_is_erratic_and_no_demand_is_none() -> None:
    assert classify([1, 9, 1, 9]).pattern is Pattern.ERRATIC  # CV² 0.64, ADI 1
    assert classify([0, 0, 0]).pattern is Pattern.NONE
