"""The stock reports' rules, worked by hand: demand split between the locations holding a
product, the rate per open day, and the units above a cover threshold."""

from __future__ import annotations

from datetime import date

from oms.domain.planning.projection import project
from oms.domain.planning.stock_reports import (
    daily_rate,
    excess_units,
    open_days_between,
    split_demand,
)


def test_demand_is_split_by_the_units_each_location_shipped() -> None:
    # 30 units asked; PAR shipped 6, LYO 2 (BER none): 30 x 6/8 = 22.5, 30 x 2/8 = 7.5
    assert split_demand(30, {"PAR": 6, "LYO": 2}, ["PAR", "LYO", "BER"]) == {
        "PAR": 22.5,
        "LYO": 7.5,
        "BER": 0.0,
    }


def test_shipments_from_a_location_that_does_not_hold_the_product_are_not_counted() -> None:
    # AMS shipped 10 but holds none now: PAR's 3 is all there is, so PAR gets all 12
    assert split_demand(12, {"PAR": 3, "AMS": 10}, ["PAR"]) == {"PAR": 12.0}


def test_without_shipments_each_holder_gets_an_equal_share() -> None:
    assert split_demand(9, {}, ["PAR", "LYO", "BER"]) == {"PAR": 3.0, "LYO": 3.0, "BER": 3.0}
    assert split_demand(9, {"PAR": 0}, []) == {}


def test_the_rate_is_per_open_day_of_the_location() -> None:
    # 4 weeks Monday to Friday from Monday 9 February: 20 open days; 10 units: 0.5 a day
    days = open_days_between(frozenset(range(5)), date(2026, 2, 9), date(2026, 3, 8))
    assert len(days) == 20 and days[0] == date(2026, 2, 9) and days[-1] == date(2026, 3, 6)
    assert daily_rate(10, len(days)) == 0.5
    # a shop open seven days: 28 open days, 14 units: 0.5 a day
    assert len(open_days_between(frozenset(range(7)), date(2026, 2, 9), date(2026, 3, 8))) == 28
    assert daily_rate(3, 0) == 0.0


def test_excess_is_what_lies_above_the_cover_the_threshold_needs() -> None:
    assert excess_units(100, 0.5, 45) == 77  # 22.5 units a threshold: 23 stay, 77 excess
    assert excess_units(100, 2, 50) == 0  # exactly the threshold: nothing above it
    assert excess_units(40, 0, 60) == 40  # nobody asks for it: all of it
    assert excess_units(0, 0, 60) == 0
    assert excess_units(-3, 1, 10) == 0  # more reserved than on hand: no excess


def test_the_stock_out_date_of_the_service_test_worked_by_hand() -> None:
    # 3 available, 0.5 a day Monday to Friday from Monday 9 March, 12 units expected on
    # Monday 16 March: 2.5, 2, 1.5, 1, 0.5 that week; 12 on the 16th, then 0.5 a day for
    # 24 more open days reaches 0 on Friday 17 April; short on Monday 20 April.
    days = open_days_between(frozenset(range(5)), date(2026, 3, 9), date(2026, 6, 6))
    with_po = project(3, {date(2026, 3, 16): 12}, days, [0.5] * len(days))
    assert with_po.stock[:6] == (2.5, 2.0, 1.5, 1.0, 0.5, 12.0)
    assert with_po.stock_out == date(2026, 4, 20)
    without = project(3, {}, days, [0.5] * len(days))
    assert without.stock_out == date(2026, 3, 17)  # 0 on the 16th, short the day after
    # The service test's location is in France: Easter Monday, 6 April, is closed, so the
    # 24th open day after the 16th is Monday 20 April (0), short on Tuesday 21 April.
    in_france = open_days_between(frozenset(range(5)), date(2026, 3, 9), date(2026, 6, 6), "FR")
    assert date(2026, 4, 6) not in in_france and len(in_france) == len(days) - 5
    with_po = project(3, {date(2026, 3, 16): 12}, in_france, [0.5] * len(in_france))
    assert with_po.stock_out == date(2026, 4, 21)


def test_open_days_leave_out_the_public_holidays_of_the_country() -> None:
    # Monday 13 to Sunday 19 July 2026: Bastille Day (Tuesday 14) is French, not German.
    weekdays, first, last = frozenset(range(5)), date(2026, 7, 13), date(2026, 7, 19)
    in_france = open_days_between(weekdays, first, last, "FR")
    assert len(in_france) == 4 and date(2026, 7, 14) not in in_france
    assert len(open_days_between(weekdays, first, last, "DE")) == 5
    assert len(open_days_between(weekdays, first, last)) == 5  # no country: no holidays
    # Fridays over a new year: Christmas (25 December 2026) and New Year's Day (1 January
    # 2027) are both closed, each read in its own year.
    fridays = open_days_between(frozenset({4}), date(2026, 12, 21), date(2027, 1, 10), "FR")
    assert fridays == [date(2027, 1, 8)]
