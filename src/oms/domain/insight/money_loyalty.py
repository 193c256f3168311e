"""Cash, stock value and loyalty, from the orders' facts (domain/insight/quality.py).

Cash, per currency, over the orders placed in the window:
- booked: each order's total less its cancelled units at their unit price; a cancelled
  order books nothing (the discount and tax of cancelled units are not taken out);
- paid, refunded: the order's captured payments and confirmed refunds (docs/money.md);
- outstanding: what booked orders still have unpaid, max(booked - paid, 0) per order.

Stock value by location: on hand x the product's price. oms keeps no cost price, so this
is value **at price**, labelled so (`based_on`). Days of cover: on hand / the units shipped
from the location per day over the last `days` days (none when nothing shipped).

Loyalty (customers are e-mail addresses; cancelled orders do not count):
- repeat-purchase rate: customers with two orders or more / customers;
- cohorts: customers by the month (UTC) of their first order; retention at month k = the
  share of the cohort that ordered in the k-th month after the first (None past the data);
- after a late or on-time first delivery (and after a return or none): among customers
  whose first order was delivered with a promised date and placed at least `horizon_days`
  before the last order of the data, the share that ordered again within `horizon_days`,
  with a 95 % Wilson interval per group and a two-proportion z-test (pooled) between them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from oms.domain.insight.quality import OrderFacts
from oms.domain.insight.stats import share

Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class CashLine:
    currency: str
    orders: int
    booked: int
    paid: int
    refunded: int
    outstanding: int


def cash(facts: Sequence[OrderFacts]) -> list[CashLine]:
    by: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for f in facts:
        c = by[f.currency]
        booked = 0 if f.cancelled else f.booked_minor
        c[0] += not f.cancelled
        c[1] += booked
        c[2] += f.paid_minor
        c[3] += f.refunded_minor
        c[4] += max(booked - f.paid_minor, 0) if not f.cancelled else 0
    return [CashLine(k, *v) for k, v in sorted(by.items())]


@dataclass(frozen=True, slots=True)
class StockPosition:
    """One location's stock in one currency: units on hand, their value at price, and the
    units shipped from it over the last `days` days."""

    location: str
    currency: str
    units: int
    value_minor: int
    shipped_units: int
    days: int

    @property
    def days_of_cover(self) -> float | None:
        if not self.shipped_units:
            return None
        return self.units / (self.shipped_units / self.days)


@dataclass(frozen=True, slots=True)
class Proportion:
    ordered_again: int
    customers: int

    @property
    def rate(self) -> float | None:
        return share(self.ordered_again, self.customers)

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.ordered_again, self.customers)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Customers who ordered again after their first order was X (`worse`) or not (`better`)."""

    worse: Proportion
    better: Proportion

    @property
    def difference(self) -> float | None:
        a, b = self.worse.rate, self.better.rate
        return None if a is None or b is None else a - b

    @property
    def p_value(self) -> float | None:
        return two_proportion_p(
            self.worse.ordered_again,
            self.worse.customers,
            self.better.ordered_again,
            self.better.customers,
        )


@dataclass(frozen=True, slots=True)
class Cohort:
    month: str  # YYYY-MM
    customers: int
    retention: list[float | None]  # month 1, 2, ... after the first


@dataclass(frozen=True, slots=True)
class Loyalty:
    customers: int
    repeat_customers: int
    cohorts: list[Cohort]
    horizon_days: int
    after_late: Comparison  # worse: the first delivery was late
    after_return: Comparison  # worse: the first order had a return

    @property
    def repeat_rate(self) -> float | None:
        return share(self.repeat_customers, self.customers)


def wilson(x: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of x successes out of n (None for n = 0)."""
    if n == 0:
        return None
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_p(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """Two-sided p-value of the pooled two-proportion z-test (None when undefined)."""
    if not n1 or not n2:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return None
    z = (x1 / n1 - x2 / n2) / se
    return math.erfc(abs(z) / math.sqrt(2))


def _month(at: datetime) -> tuple[int, int]:
    return at.year, at.month


def loyalty(facts: Sequence[OrderFacts], months: int = 12, horizon_days: int = 180) -> Loyalty:
    mine: dict[str, list[OrderFacts]] = defaultdict(list)
    for f in facts:
        if not f.cancelled:
            mine[f.customer].append(f)
    if not mine:
        empty = Comparison(Proportion(0, 0), Proportion(0, 0))
        return Loyalty(0, 0, [], horizon_days, empty, empty)
    last = max(f.placed for fs in mine.values() for f in fs)
    last_month = _month(last)
    cohorts: dict[tuple[int, int], list[set[int]]] = {}
    counts = {"late": [0, 0, 0, 0], "return": [0, 0, 0, 0]}  # worse x, n, better x, n
    for fs in mine.values():
        fs.sort(key=lambda f: (f.placed, f.order_id))
        first = fs[0]
        start = _month(first.placed)
        seen = cohorts.setdefault(start, [set() for _ in range(months + 1)])
        seen[0].add(first.order_id)
        for f in fs[1:]:
            k = (f.placed.year - start[0]) * 12 + f.placed.month - start[1]
            if 1 <= k <= months:
                seen[k].add(first.order_id)  # the customer, by their first order's id
        horizon = timedelta(days=horizon_days)
        if first.placed + horizon > last or first.delivered is None:
            continue
        again = any(f.placed <= first.placed + horizon for f in fs[1:])
        if first.promised is not None:
            _count(counts["late"], first.late, again)
        _count(counts["return"], first.returned, again)
    sizes = {start: [len(s) for s in seen] for start, seen in cohorts.items()}
    return Loyalty(
        customers=len(mine),
        repeat_customers=sum(len(fs) > 1 for fs in mine.values()),
        cohorts=cohorts_of(sizes, months, last_month),
        horizon_days=horizon_days,
        after_late=_comparison(counts["late"]),
        after_return=_comparison(counts["return"]),
    )


def cohorts_of(
    sizes: dict[tuple[int, int], list[int]], months: int, last_month: tuple[int, int]
) -> list[Cohort]:
    """From (year, month) of first orders -> [customers, customers ordering in month 1,
    ..., month `months` after]: the cohorts, retention None past `last_month`."""
    out = []
    for (year, month), seen in sorted(sizes.items()):
        size = seen[0]
        retention: list[float | None] = []
        for k in range(1, months + 1):
            y, m = divmod(month - 1 + k, 12)
            past = (year + y, m + 1) > last_month
            retention.append(None if past else seen[k] / size)
        out.append(Cohort(f"{year:04d}-{month:02d}", size, retention))
    return out


def comparison_of(counts: Sequence[int]) -> Comparison:
    """(worse ordered again, worse, better ordered again, better) as a Comparison."""
    return _comparison(list(counts))


def _count(c: list[int], worse: bool, again: bool) -> None:
    i = 0 if worse else 2
    c[i] += again
    c[i + 1] += 1


def _comparison(c: list[int]) -> Comparison:
    return Comparison(Proportion(c[0], c[1]), Proportion(c[2], c[3]))
