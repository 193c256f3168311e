"""How good a forecast is, measured after the fact (docs/planning.md has each formula).

- WAPE of lead-time totals: Σ|actual - forecast| / Σ actual, over products and origins.
- Bias: (Σ forecast - Σ actual) / Σ actual; positive means the forecast says too much.
- Weekly MASE against a benchmark: Σ|actual - forecast| / Σ|actual - benchmark| over the
  same weeks; the benchmark is the naive forecast (last week again) or the mean of the last
  four weeks. Below 1 the forecast beats the benchmark; 0.7 is 30% better."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Outcome:
    """One forecast and what happened: totals over the same days."""

    actual: float
    forecast: float


def wape(outcomes: Sequence[Outcome]) -> float | None:
    """None when nothing was asked for (the measure is undefined)."""
    actual = sum(o.actual for o in outcomes)
    if actual <= 0:
        return None
    return sum(abs(o.actual - o.forecast) for o in outcomes) / actual


def bias(outcomes: Sequence[Outcome]) -> float | None:
    actual = sum(o.actual for o in outcomes)
    if actual <= 0:
        return None
    return (sum(o.forecast for o in outcomes) - actual) / actual


@dataclass(frozen=True, slots=True)
class WeekOutcome:
    """One week: what was asked for, the forecast and the two benchmarks."""

    actual: float
    forecast: float
    naive: float
    mean4: float


def relative_mae(weeks: Sequence[WeekOutcome], benchmark: str) -> float | None:
    """MASE against `benchmark` ("naive" or "mean4"); None when the benchmark was perfect."""
    ours = sum(abs(w.actual - w.forecast) for w in weeks)
    if benchmark not in ("naive", "mean4"):
        raise ValueError(f"unknown benchmark {benchmark!r}")
    theirs = sum(abs(w.actual - (w.naive if benchmark == "naive" else w.mean4)) for w in weeks)
    if theirs <= 0:
        return None
    return ours / theirs


def benchmarks(past_weeks: Sequence[float]) -> tuple[float, float]:
    """(naive, mean4) weekly forecasts from the weeks before the origin, oldest first."""
    if not past_weeks:
        return 0.0, 0.0
    last4 = past_weeks[-4:]
    return past_weeks[-1], sum(last4) / len(last4)
