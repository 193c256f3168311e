"""The stock reports' rules (docs/planning.md, "Stock reports"): a product's demand rate
split between the locations that hold it, and the stock above a cover threshold. Pure
functions; the projection itself is `projection.py`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date

from oms.domain.fulfilment.calendar import public_holidays
from oms.domain.planning.demand import OpenDays


def split_demand(
    units: float, shipped: Mapping[str, int], holders: Sequence[str]
) -> dict[str, float]:
    """A product's demand is counted for the whole shop (an order's location is chosen
    after the customer asked); each location that holds it gets its share of the units
    shipped from those locations in the same days, or, when none shipped, an equal share."""
    if not holders:
        return {}
    sent = {loc: max(shipped.get(loc, 0), 0) for loc in holders}
    total = sum(sent.values())
    if total == 0:
        return {loc: units / len(holders) for loc in holders}
    return {loc: units * n / total for loc, n in sent.items()}


def daily_rate(units: float, open_days: int) -> float:
    """Mean demand per open day; 0 over no open day."""
    return units / open_days if open_days > 0 else 0.0


def open_days_between(
    weekdays: frozenset[int], first: date, last: date, country: str | None = None
) -> list[date]:
    """A location's open days from first to last, both included: its working weekdays less
    the national public holidays of its country (the fulfilment calendar's; none without
    a country)."""
    closed: frozenset[date] = frozenset()
    if country is not None:
        years = range(first.year, last.year + 1)
        closed = frozenset(d for y in years for d in public_holidays(country, y))
    return OpenDays(weekdays, closed).between(first, last)


def excess_units(available: int, daily_mean: float, threshold_days: float) -> int:
    """The units above `threshold_days` of cover: what cover the threshold needs is rounded
    up to whole units (0.5 units a day for 45 days: 23 units stay, the rest is excess)."""
    if available <= 0:
        return 0
    needed = math.ceil(threshold_days * daily_mean - 1e-9) if daily_mean > 0 else 0
    return max(available - needed, 0)
