"""The forecaster on Nixtla's statsforecast: series with the same models are fitted in one
call (in parallel over `n_jobs` processes, or on a Dask cluster through statsforecast's
own Fugue backend), and each day's forecast is the median of the product's models. By
default bulk orders are capped before fitting and their share put back after, over the
job's whole catalogue (domain/planning/bulk.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from oms.domain.planning import bulk
from oms.domain.planning.demand import DemandSeries
from oms.domain.planning.models import Model
from oms.services.ports.planning import ForecastJob

WINDOW = 28  # open days in the moving mean (about five weeks)


@dataclass(frozen=True, slots=True)
class Engine:
    """`local` (n_jobs processes, -1 for every core) or `dask` at a scheduler's address."""

    kind: str = "local"
    n_jobs: int = 1
    scheduler: str | None = None
    partitions: int = 0  # Dask partitions; 0: twice the workers


def _model(name: Model, season: int) -> Any:
    from statsforecast.models import ADIDA, IMAPA, TSB, AutoTheta, WindowAverage

    match name:
        case Model.MOVING_MEAN:
            return WindowAverage(window_size=WINDOW, alias=name.value)
        case Model.IMAPA:
            return IMAPA(alias=name.value)
        case Model.TSB:
            return TSB(alpha_d=0.1, alpha_p=0.1, alias=name.value)
        case Model.ADIDA:
            return ADIDA(alias=name.value)
        case Model.AUTOTHETA:
            return AutoTheta(season_length=season, alias=name.value)


class StatsForecaster:
    """services/ports/planning.Forecaster on statsforecast."""

    def __init__(
        self, engine: Engine | None = None, season_length: int = 1, cap_bulk: bool = True
    ) -> None:
        self.engine = engine or Engine()
        self.season_length = season_length
        self.cap_bulk = cap_bulk

    def forecast(self, job: ForecastJob) -> dict[str, tuple[float, ...]]:
        if not self.cap_bulk:
            return self._forecast(job)
        kept = [bulk.capped(s.units, bulk.cap_of(s.units)) for s in job.series]
        factor = bulk.restoring_factor([s.units for s in job.series], kept)
        fitted = [DemandSeries(s.key, s.days, k) for s, k in zip(job.series, kept, strict=True)]
        out = self._forecast(ForecastJob(fitted, job.horizon, job.members))
        return {key: tuple(v * factor for v in values) for key, values in out.items()}

    def _forecast(self, job: ForecastJob) -> dict[str, tuple[float, ...]]:
        groups: dict[tuple[Model, ...], list[int]] = defaultdict(list)
        for i, s in enumerate(job.series):
            if len(s.units) > 0:
                groups[tuple(sorted(job.members[s.key]))].append(i)
        out: dict[str, tuple[float, ...]] = {}
        for models, indices in groups.items():
            out.update(self._group(job, models, indices))
        for s in job.series:
            out.setdefault(s.key, (0.0,) * job.horizon)
        return out

    def _group(
        self, job: ForecastJob, models: tuple[Model, ...], indices: list[int]
    ) -> dict[str, tuple[float, ...]]:
        import numpy as np
        import pandas as pd
        from statsforecast import StatsForecast

        keys = [job.series[i].key for i in indices]
        lengths = [len(job.series[i].units) for i in indices]
        frame = pd.DataFrame(
            {
                "unique_id": np.repeat(np.arange(len(indices)), lengths),
                # Open days are numbered: the series has no calendar gaps to fill.
                "ds": np.concatenate([np.arange(n) for n in lengths]),
                "y": np.concatenate([np.asarray(job.series[i].units, float) for i in indices]),
            }
        )
        fitted = [_model(m, self.season_length) for m in models]
        n_jobs = self.engine.n_jobs if self.engine.kind == "local" else 1
        sf = StatsForecast(models=fitted, freq=1, n_jobs=n_jobs)
        if self.engine.kind == "dask":
            result = self._on_dask(sf, frame, job.horizon)
        else:
            result = sf.forecast(df=frame, h=job.horizon)
        columns = [m.value for m in models]
        result = result.sort_values(["unique_id", "ds"])
        values = np.clip(np.median(result[columns].to_numpy(float), axis=1), 0.0, None)
        values = np.nan_to_num(values, nan=0.0)
        ids = result["unique_id"].to_numpy()
        per: dict[str, tuple[float, ...]] = {}
        for uid in range(len(indices)):
            per[keys[uid]] = tuple(float(v) for v in values[ids == uid])
        return per

    def _on_dask(self, sf: Any, frame: Any, horizon: int) -> Any:
        """statsforecast hands a Dask frame to its Fugue backend, which runs each partition's
        series on the cluster's workers; the answer comes back as a pandas frame."""
        import dask.dataframe as dd
        from dask.distributed import Client

        with Client(self.engine.scheduler) as client:  # type: ignore[no-untyped-call]
            workers = max(len(client.scheduler_info().get("workers", {})), 1)
            parts = self.engine.partitions or 2 * workers
            distributed = dd.from_pandas(frame, npartitions=parts)  # type: ignore[no-untyped-call]
            result = sf.forecast(df=distributed, h=horizon)
            return result.compute() if hasattr(result, "compute") else result
