"""The statsforecast adapter behind the Forecaster port: each model, the median ensemble,
parallel processes and the Dask path on a local cluster (small made-up series)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from oms.adapters.forecast.statsforecast import Engine, StatsForecaster
from oms.domain.planning.demand import DemandSeries
from oms.domain.planning.models import ALL_MODELS, INTERMITTENT_MODELS, Model, median
from oms.services.ports.planning import ForecastJob


def _series(key: str, units: list[float]) -> DemandSeries:
    days = tuple(date(2026, 1, 1) + timedelta(days=i) for i in range(len(units)))
    return DemandSeries(key, days, tuple(units))


FLAT = _series("FLAT", [3.0] * 60)
RARE = _series("RARE", [0.0, 0.0, 0.0, 6.0] * 15)  # 6 every fourth day: 1.5 a day
WAVY = _series("WAVY", [float(2 + (i % 5)) for i in range(70)])


def test_every_model_forecasts_a_flat_series_at_its_level() -> None:
    job = ForecastJob([FLAT], 5, {"FLAT": ALL_MODELS})
    (values,) = StatsForecaster().forecast(job).values()
    assert values == pytest.approx((3.0,) * 5, rel=1e-4)


def test_the_moving_mean_is_the_mean_of_the_last_28_open_days() -> None:
    job = ForecastJob([RARE, WAVY], 4, {"RARE": (Model.MOVING_MEAN,), "WAVY": (Model.MOVING_MEAN,)})
    found = StatsForecaster().forecast(job)
    assert found["RARE"] == pytest.approx((1.5,) * 4)
    assert found["WAVY"] == pytest.approx((sum(WAVY.units[-28:]) / 28,) * 4)


def test_the_ensemble_is_the_median_of_its_models_day_by_day() -> None:
    forecaster = StatsForecaster()
    alone = {
        m: forecaster.forecast(ForecastJob([RARE], 3, {"RARE": (m,)}))["RARE"]
        for m in INTERMITTENT_MODELS
    }
    together = forecaster.forecast(ForecastJob([RARE], 3, {"RARE": INTERMITTENT_MODELS}))
    for day in range(3):
        expected = median([alone[m][day] for m in INTERMITTENT_MODELS])
        assert together["RARE"][day] == pytest.approx(expected, rel=1e-6)


def test_parallel_processes_give_the_same_forecasts() -> None:
    job = ForecastJob([FLAT, RARE, WAVY], 7, {s.key: ALL_MODELS for s in (FLAT, RARE, WAVY)})
    one = StatsForecaster().forecast(job)
    two = StatsForecaster(Engine("local", n_jobs=2)).forecast(job)
    for key in one:
        assert two[key] == pytest.approx(one[key], rel=1e-6)


def test_the_dask_path_runs_on_a_local_cluster_and_agrees() -> None:
    pytest.importorskip("fugue")
    distributed = pytest.importorskip("distributed")
    job = ForecastJob(
        [FLAT, RARE, WAVY], 5, {s.key: INTERMITTENT_MODELS for s in (FLAT, RARE, WAVY)}
    )
    local = StatsForecaster().forecast(job)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        found = StatsForecaster(Engine("dask", scheduler=cluster.scheduler_address)).forecast(job)
    assert set(found) == set(local)
    for key in local:
        assert found[key] == pytest.approx(local[key], rel=1e-5)
