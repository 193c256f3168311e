"""Reorder levels per product and location, refreshed from the order history and stored
(docs/planning.md, "Reorder levels per location"): the forecast of lead-time demand, a
safety stock calibrated on the forecast's own past errors, the lead time observed from
receipts, the ABC class and its target service level, split across the shipping locations.
`purchasing.write` refreshes, `planning.read` reads."""

from __future__ import annotations

import statistics
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as day_time

from oms.domain.access import Actor, Permission
from oms.domain.errors import NotFound
from oms.domain.planning.demand import DemandSeries, OpenDays, weekly
from oms.domain.planning.lead_times import LeadTime, days_between, lead_time
from oms.domain.planning.levels import Inputs, Interval, at_location, interval, product_levels
from oms.domain.planning.locations import location_shares
from oms.domain.planning.models import ENSEMBLE, check_choice
from oms.domain.planning.replenishment import AbcClass, abc_classes, scaled_error
from oms.services.forecast_backtest import origin_dates
from oms.services.planning import (
    HistoryQuery,
    ProductForecast,
    forecast,
    read_series,
    shop_calendar,
)
from oms.services.ports import UnitOfWork
from oms.services.ports.planning import DemandLines, Forecaster
from oms.services.ports.replenishment import LevelRow, Receipt, ReplenishmentStore, Source

RECENT = 40  # open days (8 weeks) that give a product's mean and spread of daily demand
DEFAULT_LEVELS = {"A": 0.98, "B": 0.95, "C": 0.90}


@dataclass(frozen=True, slots=True)
class PlanningSettings:
    """The target service level per ABC class, the review period (days between two
    decisions), the history read, how many past origins calibrate the safety stock, and
    the forecast model."""

    service_levels: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_LEVELS))
    review_days: int = 7
    history_days: int = 365
    error_origins: int = 8
    model: str = ENSEMBLE

    def level(self, abc: AbcClass) -> float:
        return self.service_levels.get(abc.value, DEFAULT_LEVELS[abc.value])


@dataclass(frozen=True, slots=True)
class RefreshResult:
    products: int
    rows: int
    origins: int
    seconds: float


def choose_sources(sources: Sequence[Source]) -> dict[str, Source]:
    """Per sku, the supplier that sells it cheapest (ties: by supplier code)."""
    out: dict[str, Source] = {}
    for s in sorted(sources, key=lambda s: (s.sku, s.cost_minor, s.supplier)):
        out.setdefault(s.sku, s)
    return out


def lead_times(chosen: Mapping[str, Source], receipts: Sequence[Receipt]) -> dict[str, LeadTime]:
    """Per sku, its supplier's lead time observed from receipts (domain/planning/lead_times)."""
    by_supplier: dict[str, list[float]] = defaultdict(list)
    by_pair: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in receipts:
        days = days_between(r.sent_at, r.received_at)
        by_supplier[r.supplier].append(days)
        by_pair[(r.supplier, r.sku)].append(days)
    return {
        sku: lead_time(
            by_pair.get((s.supplier, sku), []), by_supplier.get(s.supplier, []), s.lead_time_days
        )
        for sku, s in chosen.items()
    }


def _history(today: date, days: int) -> HistoryQuery:
    """The `days` complete days before today."""
    return HistoryQuery(today - timedelta(days=days), today - timedelta(days=1))


def refresh_levels(  # noqa: PLR0913 - the ports and settings a refresh needs
    uow: UnitOfWork,
    lines: DemandLines,
    store: ReplenishmentStore,
    forecaster: Forecaster,
    actor: Actor,
    settings: PlanningSettings,
    progress: Callable[[int, int], None] | None = None,
) -> RefreshResult:
    """Computes every product's levels at every shipping location and replaces the stored
    ones. `progress(done, total)` is told after each forecast (the calibration origins,
    then today's)."""
    actor.require(Permission.PURCHASING_WRITE)
    check_choice(settings.model)
    started = time.perf_counter()
    now = uow.now()
    today = now.date()
    q = _history(today, settings.history_days)
    series = read_series(uow, lines, q)

    def read() -> tuple[
        list[Source], list[Receipt], dict[tuple[str, str], float], dict[str, float], list[str]
    ]:
        start = datetime.combine(q.since, day_time(), now.tzinfo)
        end = datetime.combine(today, day_time(), now.tzinfo)
        return (
            store.sources(),
            store.receipts(),
            store.shipped(start),
            store.revenue(start, end),
            store.shipping_locations(),
        )

    sources, receipts, shipped, revenue, shipping = uow.run(read, write=False)
    chosen = choose_sources(sources)
    leads = lead_times(chosen, receipts)
    calendar = _calendar(
        uow, today, max((lt.whole_days for lt in leads.values()), default=0) + settings.review_days
    )
    covers = {sku: lt.whole_days + settings.review_days for sku, lt in leads.items()}
    wanted = [s for s in series if s.key in chosen]
    classes = abc_classes({sku: revenue.get(sku, 0.0) for sku in chosen})
    total = settings.error_origins + 1
    pools = _error_pools(wanted, forecaster, covers, classes, settings, q.until, progress)
    horizon = max((calendar.count(today, c) for c in covers.values()), default=0)
    found = {f.sku: f for f in forecast(wanted, forecaster, max(horizon, 1), settings.model)}
    if progress:
        progress(total, total)
    shares = location_shares(shipped, sorted(chosen), shipping)
    by_key = {s.key: s for s in wanted}
    rows: list[LevelRow] = []
    for sku, source in sorted(chosen.items()):
        lead = leads[sku]
        abc = classes[sku]
        inputs = _inputs(
            sku,
            lead,
            covers[sku],
            calendar.count(today, lead.whole_days),
            calendar.count(today, covers[sku]),
            found.get(sku),
            by_key.get(sku),
            pools.get(abc, []),
            settings.level(abc),
        )
        whole = product_levels(inputs)
        f = found.get(sku)
        for location, share in shares[sku].items():
            if share <= 0:
                continue
            lv = at_location(whole.levels, share)
            rows.append(
                LevelRow(
                    sku,
                    location,
                    source.supplier,
                    abc.value,
                    inputs.level,
                    share,
                    lead.days,
                    lead.spread,
                    lead.source,
                    lv.lead_time_demand,
                    lv.order_up_to - lv.safety_stock,
                    lv.safety_stock,
                    whole.method.value,
                    lv.reorder_point,
                    lv.order_up_to,
                    settings.model if f else "none",
                    f.pattern.value if f else "none",
                    now,
                )
            )
    uow.run(lambda: store.replace_levels(rows))
    return RefreshResult(len(chosen), len(rows), total - 1, time.perf_counter() - started)


def _calendar(uow: UnitOfWork, today: date, days: int) -> OpenDays:
    locations = uow.run(uow.locations.all, write=False)
    return shop_calendar(locations, today, today + timedelta(days=days + 7))


def _inputs(  # noqa: PLR0913
    sku: str,
    lead: LeadTime,
    cover_days: int,
    lead_open: int,
    cover_open: int,
    f: ProductForecast | None,
    s: DemandSeries | None,
    errors: Sequence[float],
    level: float,
) -> Inputs:
    recent = list(s.units[-RECENT:]) if s else []
    mean = statistics.fmean(recent) if recent else 0.0
    std = statistics.pstdev(recent) if len(recent) > 1 else 0.0
    lt_demand = sum(f.daily[:lead_open]) if f else 0.0
    cover = sum(f.daily[:cover_open]) if f else 0.0
    return Inputs(
        lt_demand, cover, cover_days, cover_open, mean * cover_open, std, errors, level, lead
    )


def _error_pools(  # noqa: PLR0913
    series: Sequence[DemandSeries],
    forecaster: Forecaster,
    covers: Mapping[str, int],
    classes: Mapping[str, AbcClass],
    settings: PlanningSettings,
    until: date,
    progress: Callable[[int, int], None] | None,
) -> dict[AbcClass, list[float]]:
    """At each of the last `error_origins` Mondays whose every cover window has closed:
    forecast from the history before it, and pool per class each product's error of its
    cover total (lead time + review), scaled by its mean daily demand over the 40 open
    days before the origin x the open days of its window."""
    pools: dict[AbcClass, list[float]] = defaultdict(list)
    total = settings.error_origins + 1
    if not series or settings.error_origins < 1:
        return pools
    longest = max(covers[s.key] for s in series)
    for done, origin in enumerate(origin_dates(until, longest, settings.error_origins), 1):
        past: list[DemandSeries] = []
        windows: dict[str, tuple[float, int, float]] = {}
        for s in series:
            cut = bisect_left(s.days, origin)
            if sum(s.units[:cut]) <= 0:
                continue
            end = origin + timedelta(days=covers[s.key])
            ahead = [u for d, u in zip(s.days[cut:], s.units[cut:], strict=True) if d < end]
            recent = s.units[max(cut - RECENT, 0) : cut]
            past.append(DemandSeries(s.key, s.days[:cut], s.units[:cut]))
            windows[s.key] = (sum(ahead), len(ahead), statistics.fmean(recent))
        horizon = max((n for _, n, _ in windows.values()), default=0)
        if past and horizon:
            for f in forecast(past, forecaster, horizon, settings.model):
                actual, n, mean = windows[f.sku]
                if mean * n > 0:
                    pools[classes[f.sku]].append(scaled_error(actual, sum(f.daily[:n]), mean * n))
        if progress:
            progress(done, total)
    return pools


def reorder_levels(
    uow: UnitOfWork,
    store: ReplenishmentStore,
    actor: Actor,
    sku: str | None = None,
    location: str | None = None,
) -> list[LevelRow]:
    """The stored levels, by sku then location, as the last refresh left them."""
    actor.require(Permission.PLANNING_READ)
    return uow.run(lambda: store.levels(sku, location), write=False)


@dataclass(frozen=True, slots=True)
class SupplierLeadTimes:
    """A supplier's lead time over all its receipts, and per product that has receipts."""

    supplier: LeadTime
    products: dict[str, LeadTime]


def supplier_lead_times(
    uow: UnitOfWork, store: ReplenishmentStore, actor: Actor, code: str, stated_days: int
) -> SupplierLeadTimes:
    actor.require(Permission.PLANNING_READ)
    receipts = [r for r in uow.run(store.receipts, write=False) if r.supplier == code]
    every = [days_between(r.sent_at, r.received_at) for r in receipts]
    per: dict[str, list[float]] = defaultdict(list)
    for r in receipts:
        per[r.sku].append(days_between(r.sent_at, r.received_at))
    return SupplierLeadTimes(
        lead_time([], every, stated_days),
        {sku: lead_time(v, every, stated_days) for sku, v in sorted(per.items())},
    )


@dataclass(frozen=True, slots=True)
class WeekForecast:
    monday: date
    units: float
    interval: Interval  # 80%


@dataclass(frozen=True, slots=True)
class ProductPlan:
    """One product: its weekly demand history, its weekly forecast with an 80% interval,
    its stored levels and the units available per location (for the chart and the API)."""

    sku: str
    name: str
    model: str
    pattern: str
    history: list[tuple[date, float]]
    forecast: list[WeekForecast]
    levels: list[LevelRow]
    available: dict[str, int]


def product_plan(  # noqa: PLR0913
    uow: UnitOfWork,
    lines: DemandLines,
    store: ReplenishmentStore,
    forecaster: Forecaster,
    actor: Actor,
    settings: PlanningSettings,
    sku: str,
    weeks: int = 26,
    ahead: int = 8,
) -> ProductPlan:
    """The last `weeks` weeks of demand and the next `ahead` weeks' forecast; 404 for an
    unknown sku."""
    actor.require(Permission.PLANNING_READ)
    product = uow.run(lambda: uow.products.get(sku), write=False)
    if product is None:
        raise NotFound(f"no product {sku}")
    today = uow.now().date()
    q = _history(today, weeks * 7 - today.weekday())  # whole weeks, and this one so far
    found = [s for s in read_series(uow, lines, q) if s.key == sku]
    history = weekly(found[0]) if found else []
    calendar = _calendar(uow, today, ahead * 7)
    days = calendar.between(today, today + timedelta(days=ahead * 7 - 1))
    plan: list[WeekForecast] = []
    model = pattern = "none"
    live = [s for s in found if s.total() > 0]
    if live and days:
        (f,) = forecast(live, forecaster, len(days), settings.model)
        model, pattern = settings.model, f.pattern.value
        recent = live[0].units[-RECENT:]
        std = statistics.pstdev(recent) if len(recent) > 1 else 0.0
        by_week: dict[date, list[float]] = defaultdict(list)
        for day, units in zip(days, f.daily, strict=True):
            by_week[day - timedelta(days=day.weekday())].append(units)
        plan = [
            WeekForecast(monday, sum(v), interval(sum(v), std, len(v)))
            for monday, v in sorted(by_week.items())
        ]

    def read() -> tuple[list[LevelRow], dict[str, int]]:
        positions = store.positions([sku])
        return store.levels(sku), {loc: p.available for (loc, _), p in positions.items()}

    levels, available = uow.run(read, write=False)
    return ProductPlan(sku, product.name, model, pattern, history, plan, levels, available)
