"""Lead times observed from receipts, the split of demand across locations and one
product's levels from its inputs (answers worked by hand)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from oms.domain.planning.lead_times import LeadTime, days_between, lead_time
from oms.domain.planning.levels import (
    MIN_ERRORS,
    Inputs,
    SafetyMethod,
    at_location,
    interval,
    product_levels,
)
from oms.domain.planning.locations import location_shares
from oms.domain.planning.replenishment import reorder_levels


def test_days_between_sending_and_a_receipt_are_fractional_and_never_negative() -> None:
    sent = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert days_between(sent, datetime(2026, 3, 12, 21, 0, tzinfo=UTC)) == 10.5
    assert days_between(sent, datetime(2026, 3, 1, tzinfo=UTC)) == 0.0


def test_a_product_with_three_receipts_of_its_own_uses_them() -> None:
    # 10, 12, 14: mean 12, population variance (4 + 0 + 4) / 3, spread √(8/3)
    found = lead_time([14, 10, 12], [10, 12, 14, 30], stated_days=7)
    assert (found.days, found.source, found.receipts) == (12, "product", 3)
    assert found.spread == pytest.approx(math.sqrt(8 / 3))
    assert found.whole_days == 12
    # 95% of 3: the ⌈2.85⌉ = 3rd smallest, 14: two days later than the mean
    assert found.quantile(0.95) == 14
    assert found.allowance(daily_demand=5, level=0.95) == 10


def test_fewer_receipts_of_its_own_take_the_suppliers_and_none_the_stated_lead_time() -> None:
    # two of its own (too few): the supplier's four, mean (10 + 12 + 14 + 30) / 4 = 16.5
    supplier = lead_time([10, 12], [10, 12, 14, 30], stated_days=7)
    assert (supplier.days, supplier.source, supplier.whole_days) == (16.5, "supplier", 17)
    assert supplier.quantile(0.5) == 12  # the 2nd of 4
    assert supplier.allowance(2, 0.5) == 0  # earlier than the mean: no allowance
    stated = lead_time([], [], stated_days=7)
    assert stated == LeadTime(7.0, 0.0, 0, "stated")
    assert stated.allowance(100, 0.99) == 0  # no receipts: no spread known


def test_demand_splits_by_each_locations_share_of_the_products_shipped_units() -> None:
    shipped = {
        ("TEE", "PAR"): 30.0,
        ("TEE", "LYO"): 10.0,
        ("MUG", "PAR"): 5.0,
        ("MUG", "WH"): 100.0,
    }  # WH does not ship: not counted
    shares = location_shares(shipped, ["TEE", "MUG", "CAP"], ["LYO", "PAR"])
    assert shares["TEE"] == {"LYO": 0.25, "PAR": 0.75}
    assert shares["MUG"] == {"LYO": 0.0, "PAR": 1.0}
    # CAP never shipped: all products' shipments, PAR 35 and LYO 10 of 45
    assert shares["CAP"] == pytest.approx({"LYO": 10 / 45, "PAR": 35 / 45})


def test_nothing_shipped_anywhere_splits_evenly_and_no_location_gives_nothing() -> None:
    assert location_shares({}, ["TEE"], ["LYO", "PAR"]) == {"TEE": {"LYO": 0.5, "PAR": 0.5}}
    assert location_shares({("TEE", "PAR"): 3}, ["TEE"], []) == {"TEE": {}}


def test_a_locations_levels_are_its_share_of_demand_and_root_share_of_safety_stock() -> None:
    whole = reorder_levels(lead_time_demand=40, cover_demand=60, safety_stock=20)
    part = at_location(whole, 0.25)
    # demand 40 x 0.25 = 10 and 60 x 0.25 = 15; safety 20 x √0.25 = 10
    assert part == reorder_levels(10, 15, 10)
    assert (part.reorder_point, part.order_up_to) == (20, 25)
    assert at_location(whole, 0) == reorder_levels(0, 0, 0)


def _inputs(errors: list[float], lead: LeadTime) -> Inputs:
    # forecast 20 over the lead time, 30 over lead time + review (21 calendar days, 15 open
    # days), scale 2 a day x 15 = 30, sigma_d 2, target 90%
    return Inputs(20, 30, 21, 15, 30, 2.0, errors, 0.9, lead)


def test_empirical_safety_stock_with_enough_errors_plus_the_lead_time_allowance() -> None:
    errors = [k / 100 for k in range(MIN_ERRORS)]  # 0.00 .. 0.29
    # 90% of 30: the 27th smallest, 0.26; safety 30 x 0.26 = 7.8. Lead times 14 (mean),
    # 90% quantile 18 (the ⌈2.7⌉ = 3rd of 10, 14, 18): 30 / 21 a day x 4 days = 40 / 7.
    lead = lead_time([10, 14, 18], [], 14)
    got = product_levels(_inputs(errors, lead))
    assert got.method is SafetyMethod.EMPIRICAL
    assert got.lead_allowance == pytest.approx(40 / 7)
    assert got.levels.safety_stock == pytest.approx(7.8 + 40 / 7)
    assert got.levels.reorder_point == pytest.approx(20 + 7.8 + 40 / 7)
    assert got.levels.order_up_to == pytest.approx(30 + 7.8 + 40 / 7)


def test_too_few_errors_fall_back_to_the_normal_formula_and_no_demand_holds_nothing() -> None:
    stated = lead_time([], [], 14)
    got = product_levels(_inputs([0.5] * (MIN_ERRORS - 1), stated))
    # z(0.90) = 1.2816 x 2 x √15
    assert got.method is SafetyMethod.NORMAL
    assert got.levels.safety_stock == pytest.approx(1.2815516 * 2 * math.sqrt(15))
    idle = product_levels(Inputs(0, 0, 21, 15, 0, 0.0, [], 0.9, stated))
    assert (idle.method, idle.levels.order_up_to) == (SafetyMethod.NONE, 0)


def test_the_chart_interval_is_the_forecast_plus_minus_z_sigma_root_days() -> None:
    # 80%: z = 1.2816; 1.2816 x 2 x √4 = 5.126
    found = interval(10, daily_std=2, open_days=4)
    assert (found.low, found.high) == pytest.approx((10 - 5.1262, 10 + 5.1262), abs=1e-3)
    assert interval(1, 2, 4).low == 0  # never below zero
