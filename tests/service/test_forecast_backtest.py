"""The rolling-origin backtest and the forecast use case over made-up series, with a fake
forecaster through the port (the statsforecast adapter has its own tests)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from oms.domain.errors import InvalidInput
from oms.domain.planning.demand import DemandSeries, OpenDays
from oms.domain.planning.intermittency import Pattern
from oms.domain.planning.models import INTERMITTENT_MODELS, Model
from oms.services.forecast_backtest import BacktestSpec, backtest, origin_dates
from oms.services.planning import forecast
from oms.services.ports.planning import ForecastJob

MONDAY = date(2026, 1, 5)


class LastWeekMean:
    """Forecasts every day at the mean of the last 5 open days; remembers its jobs."""

    def __init__(self) -> None:
        self.jobs: list[ForecastJob] = []

    def forecast(self, job: ForecastJob) -> dict[str, tuple[float, ...]]:
        self.jobs.append(job)
        return {s.key: (sum(s.units[-5:]) / 5,) * job.horizon for s in job.series}


def _series(key: str, weeks: list[list[float]]) -> DemandSeries:
    days = OpenDays().between(MONDAY, MONDAY + timedelta(days=7 * len(weeks) - 1))
    return DemandSeries(key, tuple(days), tuple(u for week in weeks for u in week))


def test_origins_are_mondays_a_week_apart_ending_a_lead_time_before_the_data() -> None:
    assert origin_dates(date(2026, 2, 27), 14, 3) == [
        date(2026, 1, 26), date(2026, 2, 2), date(2026, 2, 9),
    ]  # fmt: skip


def test_backtest_scores_lead_time_totals_and_weeks_against_the_benchmarks() -> None:
    # Four weeks of 1 a day, a week of 2 a day, then three weeks of 3 a day (to 02-27).
    steady = _series("S", [[1] * 5] * 4 + [[2] * 5] + [[3] * 5] * 3)
    spec = BacktestSpec(lead_days=14, origins=1)
    report = backtest([steady], LastWeekMean(), spec)

    # One origin, Monday of week 6 (2026-02-09): forecast 2 a day over 10 open days = 20,
    # actual 30: WAPE 1/3, bias -1/3. Weeks: forecast 10 and 10, actual 15 and 15;
    # naive (last week) 10, 4-week mean (5+5+5+10)/4 = 6.25.
    assert report.origins == [date(2026, 2, 9)]
    (all_,) = [s for s in report.scores if s.name == "all"]
    assert all_.wape == pytest.approx(1 / 3)
    assert all_.bias == pytest.approx(-1 / 3)
    assert all_.mase_naive == pytest.approx(10 / 10)
    assert all_.mase_mean4 == pytest.approx(10 / 17.5)
    (result,) = report.results
    assert (result.actual, result.forecast) == (30, 20)
    assert result.daily_mean == pytest.approx(30 / 25)  # the last 5 weeks before the origin


def test_a_product_without_demand_before_an_origin_is_not_judged_there() -> None:
    late = _series("L", [[0] * 5] * 5 + [[4] * 5] * 2)
    rare = _series("R", [[0, 0, 3, 0, 0]] * 7)
    fake = LastWeekMean()
    report = backtest([late, rare], fake, BacktestSpec(14, 1, groups={"mine": frozenset("R")}))
    assert {r.key for r in report.results} == {"R"}
    assert fake.jobs[0].members == {"R": INTERMITTENT_MODELS}
    assert [s.name for s in report.scores] == ["all", "mine", "intermittent"]


def test_forecast_chooses_models_by_pattern_and_refuses_unknown_ones() -> None:
    fake = LastWeekMean()
    smooth = _series("S", [[4, 5, 4, 5, 4]] * 4)
    rare = _series("R", [[0, 0, 3, 0, 0]] * 4)
    found = forecast([smooth, rare, _series("Z", [[0] * 5] * 4)], fake, 3)
    assert [(f.sku, f.pattern, f.total) for f in found] == [
        ("S", Pattern.SMOOTH, pytest.approx(3 * 4.4)),
        ("R", Pattern.INTERMITTENT, pytest.approx(3 * 0.6)),
    ]
    assert fake.jobs[0].members["S"] == tuple(Model)
    assert forecast([smooth], fake, 3, "tsb")[0].daily == (4.4, 4.4, 4.4)
    assert fake.jobs[-1].members == {"S": (Model.TSB,)}
    with pytest.raises(InvalidInput):
        forecast([smooth], fake, 3, "autoarima")
    with pytest.raises(InvalidInput):
        forecast([smooth], fake, 0)
