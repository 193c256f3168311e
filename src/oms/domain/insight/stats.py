"""Summary statistics the reports use, with their definitions written down.

A percentile is read by linear interpolation between the closest ranks: for n sorted values
v[0..n-1] and a fraction q, h = (n - 1) * q and the answer is v[⌊h⌋] + (h - ⌊h⌋) *
(v[⌊h⌋ + 1] - v[⌊h⌋]). This is Hyndman and Fan's type 7, numpy's and pandas' default
(`numpy.percentile(v, 100 * q)`, `Series.quantile(q)`), so anyone can check a figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile (0 ≤ q ≤ 1) of values already sorted ascending; none: ValueError."""
    if not ordered:
        raise ValueError("no values")
    if not 0 <= q <= 1:
        raise ValueError("q is a fraction from 0 to 1")
    h = (len(ordered) - 1) * q
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


@dataclass(frozen=True, slots=True)
class Summary:
    """count, mean and the percentiles of a list of values (none when the list is empty)."""

    count: int
    mean: float | None
    p50: float | None
    p90: float | None
    p99: float | None
    negative: int  # how many values are below zero (history can say so: see docs/insight.md)


def summarise(values: Sequence[float]) -> Summary:
    if not values:
        return Summary(0, None, None, None, None, 0)
    ordered = sorted(values)
    return Summary(
        count=len(ordered),
        mean=math.fsum(ordered) / len(ordered),
        p50=percentile(ordered, 0.5),
        p90=percentile(ordered, 0.9),
        p99=percentile(ordered, 0.99),
        negative=sum(1 for v in ordered if v < 0),
    )


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to share."""
    return part / whole if whole else None
