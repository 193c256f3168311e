"""Bulk orders in a demand history: a one-off order of thousands of units is real demand,
but no model can say which product gets the next one, and a model fitted on it forecasts
it again, every day, for weeks (docs/planning.md, "Bulk orders").

Before fitting, each product's open days are capped at a high quantile of its own days
with demand; after, the forecasts of the whole catalogue are scaled up by what the caps
took off the catalogue's recent demand, so that the bulk orders still count in the
total, spread over every product in proportion to its forecast instead of repeated on the
one that happened to get the last one. Everything is learnt from the history given: the
quantile from the product's own past, the factor from the recent past of all products."""

from __future__ import annotations

from collections.abc import Sequence

from oms.domain.insight.stats import percentile

CAP_QUANTILE = 0.95  # of a product's days with demand
MIN_DAYS = 5  # days with demand a product needs before it is capped
RECENT_DAYS = 56  # open days over which the caps' share of demand is measured


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile with linear interpolation between order statistics (NumPy's default,
    Hyndman and Fan's type 7), as the insight reports' percentiles."""
    return percentile(sorted(values), q)


def cap_of(units: Sequence[float], q: float = CAP_QUANTILE) -> float | None:
    """The most a day may count: the q-quantile of the days with demand; None (no cap) with
    fewer than MIN_DAYS of them, where a quantile says nothing."""
    sizes = [u for u in units if u > 0]
    if len(sizes) < MIN_DAYS:
        return None
    return quantile(sizes, q)


def capped(units: Sequence[float], cap: float | None) -> tuple[float, ...]:
    if cap is None:
        return tuple(units)
    return tuple(min(u, cap) for u in units)


def restoring_factor(
    raw: Sequence[Sequence[float]], kept: Sequence[Sequence[float]], recent: int = RECENT_DAYS
) -> float:
    """Σ raw / Σ capped over the last `recent` open days of every series (the units the
    caps took off, put back as a share); 1 when nothing is left to compare."""
    before = sum(sum(s[-recent:]) for s in raw)
    after = sum(sum(s[-recent:]) for s in kept)
    return before / after if after > 0 else 1.0
