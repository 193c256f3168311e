"""The replenishment simulation of bench/forecast.py: weekly decisions, a fixed lead time,
an order-up-to policy per product, demand replayed day by day from the real history.

Each Monday (the review, R = 7 days) the policy orders up to
    S = forecast of demand over R + L + safety stock
against the inventory position (on hand + on order - backordered); the order arrives L
days later (14). Demand not met from stock waits (backorder) and is served first when
stock arrives. Safety stock is either
- empirical: the product's scale (mean daily demand over 8 weeks x open days in R + L)
  times the target quantile of earlier scaled errors of R + L totals of its ABC class,
  only errors whose window had closed by the decision (oms.domain.planning.replenishment);
- normal: z x sigma_d x sqrt(open days in R + L), sigma_d over the same 8 weeks, times a
  multiplier (1 is the textbook formula; larger ones find what it needs to reach a level).

Measured from the first arrival on, per product and week (a cycle): service level = the
share of weeks with no unit backordered, fill rate = units served from stock on the day
asked / units asked, average stock = mean on hand at the end of each open day, in units
and in days of demand."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from oms.domain.planning.demand import DemandSeries
from oms.domain.planning.intermittency import classify
from oms.domain.planning.models import members
from oms.domain.planning.replenishment import (
    AbcClass,
    empirical_quantile,
    safety_stock_normal,
    scaled_error,
)
from oms.services.ports.planning import Forecaster, ForecastJob

WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Plan:
    """What was forecast at one origin for one product over R + L."""

    cover: float  # forecast over R + L
    scale: float  # mean daily demand over the 8 weeks before x open days in R + L
    daily_std: float
    open_days: int
    actual: float | None  # what was asked for over R + L (None: past the data)


@dataclass(frozen=True, slots=True)
class SimResult:
    name: str
    service_level: float
    fill_rate: float
    average_stock: float  # units, all products together
    days_of_cover: float  # average stock / average daily demand


def plan_origins(
    series: Sequence[DemandSeries],
    forecaster: Forecaster,
    origins: Sequence[date],
    cover_days: int,
    progress: Callable[[date], None] | None = None,
) -> dict[date, dict[str, Plan]]:
    """At each origin: every product's forecast over `cover_days` calendar days."""
    out: dict[date, dict[str, Plan]] = {}
    last = max(s.days[-1] for s in series)
    for origin in origins:
        end = origin + timedelta(days=cover_days)
        past: list[DemandSeries] = []
        info: dict[str, tuple[float, float, int, float | None]] = {}
        for s in series:
            cut = next((i for i, d in enumerate(s.days) if d >= origin), len(s.days))
            if sum(s.units[:cut]) <= 0:
                continue
            ahead = [u for d, u in zip(s.days, s.units, strict=True) if origin <= d < end]
            recent = [u for d, u in zip(s.days, s.units, strict=True)
                      if origin - 8 * WEEK <= d < origin]  # fmt: skip
            mean = sum(recent) / len(recent) if recent else 0.0
            std = statistics.pstdev(recent) if len(recent) > 1 else 0.0
            actual = sum(ahead) if end - timedelta(days=1) <= last else None
            past.append(DemandSeries(s.key, s.days[:cut], s.units[:cut]))
            info[s.key] = (mean, std, len(ahead), actual)
        horizon = max(n for _, _, n, _ in info.values())
        patterns = {s.key: classify(s.units[-130:]).pattern for s in past}
        job = ForecastJob(past, horizon, {k: members(p) for k, p in patterns.items()})
        found = forecaster.forecast(job)
        out[origin] = {
            key: Plan(sum(found[key][:n]), mean * n, std, n, actual)
            for key, (mean, std, n, actual) in info.items()
        }
        if progress:
            progress(origin)
    return out


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    level: float
    empirical: bool
    multiplier: float = 1.0
    pool_weeks: int = 26


def _safety(
    policy: Policy,
    plan: Plan,
    pool: Sequence[float],
) -> float:
    if policy.empirical and len(pool) >= 30:
        return max(plan.scale * empirical_quantile(pool, policy.level), 0.0)
    return policy.multiplier * safety_stock_normal(plan.daily_std, plan.open_days, policy.level)


def _pools(
    plans: Mapping[date, Mapping[str, Plan]],
    classes: Mapping[str, AbcClass],
    decision: date,
    cover_days: int,
    pool_weeks: int,
) -> dict[AbcClass, list[float]]:
    pools: dict[AbcClass, list[float]] = defaultdict(list)
    for origin, per in plans.items():
        closed = origin + timedelta(days=cover_days) <= decision
        if not closed or origin < decision - WEEK * pool_weeks:
            continue
        for key, p in per.items():
            if p.actual is not None and p.scale > 0 and key in classes:
                pools[classes[key]].append(scaled_error(p.actual, p.cover, p.scale))
    return pools


def simulate(
    series: Sequence[DemandSeries],
    plans: Mapping[date, Mapping[str, Plan]],
    decisions: Sequence[date],
    classes: Mapping[str, AbcClass],
    policy: Policy,
    lead_days: int = 14,
) -> SimResult:
    cover_days = lead_days + 7
    levels: dict[date, dict[str, float]] = {}
    for decision in decisions:
        pools = _pools(plans, classes, decision, cover_days, policy.pool_weeks)
        levels[decision] = {
            key: p.cover + _safety(policy, p, pools.get(classes.get(key, AbcClass.C), []))
            for key, p in plans[decision].items()
        }
    start, end = decisions[0], decisions[-1] + WEEK
    measured_from = start + timedelta(days=lead_days)
    asked = served = stock_sum = 0.0
    stock_days = 0
    weeks_ok = weeks = 0
    for s in series:
        if s.key not in levels[start]:
            continue
        on_hand = levels[start][s.key]
        backorder = 0.0
        arrivals: dict[date, float] = defaultdict(float)
        on_order = 0.0
        demand = dict(zip(s.days, s.units, strict=True))
        short_week: dict[date, bool] = {}
        day = start
        while day < end:
            got = arrivals.pop(day, 0.0)
            on_order -= got
            on_hand += got
            fill = min(backorder, on_hand)
            backorder -= fill
            on_hand -= fill
            if day in levels:
                target = levels[day].get(s.key, 0.0)
                q = max(math.ceil(target - (on_hand + on_order - backorder) - 1e-9), 0)
                if q:
                    arrivals[day + timedelta(days=lead_days)] += q
                    on_order += q
            d = demand.get(day)
            if d is not None:  # an open day
                now = min(d, on_hand)
                on_hand -= now
                backorder += d - now
                if day >= measured_from:
                    asked += d
                    served += now
                    stock_sum += on_hand
                    stock_days += 1
                    monday = day - timedelta(days=day.weekday())
                    short_week[monday] = short_week.get(monday, False) or now < d
            day += timedelta(days=1)
        weeks += len(short_week)
        weeks_ok += sum(1 for short in short_week.values() if not short)
    products = len(levels[start])
    daily = asked / stock_days * products if stock_days else 0.0
    average = stock_sum / stock_days * products if stock_days else 0.0
    return SimResult(
        policy.name,
        weeks_ok / weeks if weeks else 0.0,
        served / asked if asked else 1.0,
        average,
        average / daily if daily else 0.0,
    )
