"""The rolling-origin backtest: at each origin, forecast from the history before it, then
compare with what customers asked for over the lead time, and week by week against the
naive forecast and the 4-week mean (domain/planning/measures.py). Pure orchestration over
series and a forecaster: `oms forecast backtest` and bench/forecast.py both call it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from oms.domain.planning.demand import DemandSeries
from oms.domain.planning.intermittency import Pattern, classify
from oms.domain.planning.measures import (
    Outcome,
    WeekOutcome,
    benchmarks,
    bias,
    relative_mae,
    wape,
)
from oms.domain.planning.models import ENSEMBLE, members
from oms.services.ports.planning import Forecaster, ForecastJob

WEEK = timedelta(days=7)
ALL = "all"


@dataclass(frozen=True, slots=True)
class BacktestSpec:
    """Origins are `origins` Mondays a week apart, the last one `lead_days` before the end
    of the data; each forecast covers the `lead_days` calendar days from its origin."""

    lead_days: int = 14
    origins: int = 8
    model: str = ENSEMBLE
    history_weeks: int = 0  # 0: all history before the origin; else only the last weeks
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)  # name -> keys


@dataclass(frozen=True, slots=True)
class LeadTimeResult:
    """One product at one origin: its lead-time total and forecast, and its daily scale."""

    key: str
    origin: date
    actual: float
    forecast: float
    daily_mean: float  # mean demand per open day over the 8 weeks before the origin
    pattern: Pattern


@dataclass(frozen=True, slots=True)
class GroupScore:
    name: str
    products: int
    wape: float | None
    bias: float | None
    mase_naive: float | None
    mase_mean4: float | None


@dataclass(frozen=True, slots=True)
class BacktestReport:
    spec: BacktestSpec
    origins: list[date]
    scores: list[GroupScore]
    results: list[LeadTimeResult]
    seconds: float


def origin_dates(last_day: date, lead_days: int, count: int) -> list[date]:
    """`count` Mondays a week apart, the last the latest Monday whose lead time ends by
    `last_day`."""
    latest = last_day - timedelta(days=lead_days - 1)
    latest -= timedelta(days=latest.weekday())
    return [latest - WEEK * k for k in reversed(range(count))]


def backtest(
    series: Sequence[DemandSeries],
    forecaster: Forecaster,
    spec: BacktestSpec,
    progress: Callable[[int], None] | None = None,
) -> BacktestReport:
    started = time.perf_counter()
    if not series:
        return BacktestReport(spec, [], [], [], 0.0)
    last_day = max(s.days[-1] for s in series if s.days)
    origins = origin_dates(last_day, spec.lead_days, spec.origins)
    results: list[LeadTimeResult] = []
    weeks: dict[str, list[WeekOutcome]] = {}
    for origin in origins:
        found, week_rows = _one_origin(series, forecaster, spec, origin)
        results.extend(found)
        for key, rows in week_rows.items():
            weeks.setdefault(key, []).extend(rows)
        if progress:
            progress(1)
    scores = _scores(results, weeks, spec.groups)
    return BacktestReport(spec, origins, scores, results, time.perf_counter() - started)


def _one_origin(
    series: Sequence[DemandSeries], forecaster: Forecaster, spec: BacktestSpec, origin: date
) -> tuple[list[LeadTimeResult], dict[str, list[WeekOutcome]]]:
    end = origin + timedelta(days=spec.lead_days)
    start = origin - WEEK * spec.history_weeks if spec.history_weeks else date.min
    past: list[DemandSeries] = []
    future: dict[str, list[tuple[date, float]]] = {}
    patterns: dict[str, Pattern] = {}
    for s in series:
        before = [(d, u) for d, u in zip(s.days, s.units, strict=True) if start <= d < origin]
        if not before or sum(u for _, u in before) <= 0:
            continue  # nothing asked for yet: no forecast to judge
        past.append(DemandSeries(s.key, tuple(d for d, _ in before), tuple(u for _, u in before)))
        future[s.key] = [(d, u) for d, u in zip(s.days, s.units, strict=True) if origin <= d < end]
        patterns[s.key] = classify([u for _, u in before[-182:]]).pattern
    horizon = max((len(v) for v in future.values()), default=0)
    if not past or horizon == 0:
        return [], {}
    job = ForecastJob(past, horizon, {k: members(p, spec.model) for k, p in patterns.items()})
    forecasts = forecaster.forecast(job)
    results: list[LeadTimeResult] = []
    weeks: dict[str, list[WeekOutcome]] = {}
    for s in past:
        days = future[s.key]
        daily = forecasts[s.key]
        recent = [u for d, u in zip(s.days, s.units, strict=True) if d >= origin - 8 * WEEK]
        results.append(
            LeadTimeResult(
                s.key,
                origin,
                sum(u for _, u in days),
                sum(daily[: len(days)]),
                sum(recent) / len(recent) if recent else 0.0,
                patterns[s.key],
            )
        )
        weeks[s.key] = _weeks(s, days, daily, origin, spec.lead_days)
    return results, weeks


def _weeks(
    past: DemandSeries,
    days: list[tuple[date, float]],
    daily: tuple[float, ...],
    origin: date,
    lead_days: int,
) -> list[WeekOutcome]:
    """The whole weeks of the lead time, each against the benchmarks made at the origin."""
    before = [
        sum(u for d, u in zip(past.days, past.units, strict=True) if k_start <= d < k_start + WEEK)
        for k_start in (origin - WEEK * k for k in range(4, 0, -1))
    ]
    naive, mean4 = benchmarks(before)
    out: list[WeekOutcome] = []
    for w in range(lead_days // 7):
        lo, hi = origin + WEEK * w, origin + WEEK * (w + 1)
        idx = [i for i, (d, _) in enumerate(days) if lo <= d < hi]
        out.append(
            WeekOutcome(sum(days[i][1] for i in idx), sum(daily[i] for i in idx), naive, mean4)
        )
    return out


def _scores(
    results: list[LeadTimeResult],
    weeks: Mapping[str, list[WeekOutcome]],
    groups: Mapping[str, frozenset[str]],
) -> list[GroupScore]:
    named: list[tuple[str, Callable[[LeadTimeResult], bool]]] = [(ALL, lambda r: True)]
    named += [(name, _in_keys(keys)) for name, keys in groups.items()]
    named += [(p.value, _of_pattern(p)) for p in Pattern if p is not Pattern.NONE]
    out: list[GroupScore] = []
    for name, wanted in named:
        chosen = [r for r in results if wanted(r)]
        keys = {r.key for r in chosen}
        if not keys:
            continue
        outcomes = [Outcome(r.actual, r.forecast) for r in chosen]
        rows = [w for k in sorted(keys) for w in weeks.get(k, [])]
        out.append(
            GroupScore(
                name,
                len(keys),
                wape(outcomes),
                bias(outcomes),
                relative_mae(rows, "naive"),
                relative_mae(rows, "mean4"),
            )
        )
    return out


def by_model(spec: BacktestSpec, model: str) -> BacktestSpec:
    """The same backtest with one model (or the ensemble)."""
    return BacktestSpec(spec.lead_days, spec.origins, model, spec.history_weeks, spec.groups)


def _in_keys(keys: frozenset[str]) -> Callable[[LeadTimeResult], bool]:
    return lambda r: r.key in keys


def _of_pattern(pattern: Pattern) -> Callable[[LeadTimeResult], bool]:
    return lambda r: r.pattern == pattern
