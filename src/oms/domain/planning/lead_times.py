"""Lead times observed from receipts: the days from a purchase order's sending to each of
its receipts, per supplier (and per product where it has enough receipts of its own), with
the supplier's stated lead time when nothing has arrived yet (docs/planning.md)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from oms.domain.planning.replenishment import empirical_quantile

MIN_OWN_RECEIPTS = 3  # a product's own receipts are used from this many on
DAY_SECONDS = 86_400.0


def days_between(sent_at: datetime, received_at: datetime) -> float:
    """Days (fractional, never negative) from sending to a receipt."""
    return max((received_at - sent_at).total_seconds() / DAY_SECONDS, 0.0)


@dataclass(frozen=True, slots=True)
class LeadTime:
    """`days` is what the reorder levels use: the mean of the observations, or the stated
    lead time without any; `spread` their population standard deviation (0 without two)."""

    days: float
    spread: float
    receipts: int
    source: str  # "product", "supplier" or "stated"
    observed: tuple[float, ...] = ()

    @property
    def whole_days(self) -> int:
        """The lead time in whole calendar days (rounded up: the goods are not there before)."""
        return max(math.ceil(self.days - 1e-9), 0)

    def quantile(self, level: float) -> float:
        """The `level` quantile of the observations (⌈n·level⌉-th smallest), or `days`."""
        return empirical_quantile(self.observed, level) if self.observed else self.days

    def allowance(self, daily_demand: float, level: float) -> float:
        """Units to hold for a late delivery: the demand per calendar day times how much
        longer than the mean the lead time is at the service level; 0 without receipts."""
        return daily_demand * max(self.quantile(level) - self.days, 0.0)


def lead_time(own: Sequence[float], supplier: Sequence[float], stated_days: int) -> LeadTime:
    """The product's own observations from this supplier when it has at least
    MIN_OWN_RECEIPTS, else all the supplier's, else the stated lead time."""
    if len(own) >= MIN_OWN_RECEIPTS:
        chosen, source = own, "product"
    elif supplier:
        chosen, source = supplier, "supplier"
    else:
        return LeadTime(float(stated_days), 0.0, 0, "stated")
    values = tuple(sorted(chosen))
    spread = statistics.pstdev(values) if len(values) > 1 else 0.0
    return LeadTime(statistics.fmean(values), spread, len(values), source, values)
