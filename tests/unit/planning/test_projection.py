"""Projected stock and the stock-out date, cover, overstock and dead stock (by hand)."""

from __future__ import annotations

from datetime import date

from oms.domain.planning.projection import days_of_cover, dead_stock_value, is_overstock, project

DAYS = [date(2026, 3, d) for d in (2, 3, 4, 5, 6, 9)]  # Mon-Fri, then Monday


def test_the_stock_out_date_is_the_first_day_the_projection_goes_below_zero() -> None:
    p = project(10, {}, DAYS, [3, 3, 3, 3, 3, 3])
    assert p.stock == (7, 4, 1, -2, -5, -8)
    assert p.stock_out == date(2026, 3, 5)


def test_incoming_stock_counts_from_its_expected_day_weekend_arrivals_on_monday() -> None:
    p = project(10, {date(2026, 3, 5): 6, date(2026, 3, 7): 10}, DAYS, [3] * 6)
    # 7, 4, 1, then +6: 4, 1, then Saturday's 10 on Monday: 8
    assert p.stock == (7, 4, 1, 4, 1, 8)
    assert p.stock_out is None


def test_cover_overstock_and_dead_stock() -> None:
    assert days_of_cover(60, 2.5) == 24
    assert days_of_cover(60, 0) is None
    assert is_overstock(60, 0.5, 90)  # 120 days of cover
    assert not is_overstock(60, 2.5, 90)
    assert is_overstock(1, 0, 90)  # nobody asks for it
    assert not is_overstock(0, 0, 90)
    today = date(2026, 6, 1)
    assert dead_stock_value(12, 250, date(2026, 1, 2), today, 90) == 3000
    assert dead_stock_value(12, 250, date(2026, 5, 2), today, 90) == 0
    assert dead_stock_value(12, 250, None, today, 90) == 3000
