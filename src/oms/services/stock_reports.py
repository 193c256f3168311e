"""The stock reports over the catalogue, per product and location (docs/planning.md, "Stock
reports"): the projected stock-out date, overstock, dead stock valued at cost, and the
stock value at cost by location. Reads only; `planning.read` is checked (the reports show
supplier cost prices). Sums over order lines and stock run in the database
(`StockPlanning`); the rules are domain/planning/projection.py and stock_reports.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from oms.domain.access import Actor, Permission
from oms.domain.errors import FieldErrors
from oms.domain.planning.projection import days_of_cover, is_overstock, project
from oms.domain.planning.stock_reports import (
    daily_rate,
    excess_units,
    open_days_between,
    split_demand,
)
from oms.services.ports import UnitOfWork
from oms.services.ports.stock_planning import (
    Demand,
    Holding,
    IncomingLine,
    LocationValue,
    StockPlanning,
    UnitCost,
)

RATE_BASED_ON = (
    "mean demand per open day over the last {days} days before today: units customers asked"
    " for (ordered, cancellations counted, an order cancelled whole within a day not; the"
    " rule of docs/planning.md), for the whole shop, split between the locations holding"
    " the product by units shipped from each in those days (equally when none shipped);"
    " open days are the location's working weekdays less the public holidays of its country"
)
COST_BASED_ON = (
    "on hand x the product's cost price: the lowest of its suppliers' (ties: the first"
    " supplier code); a product no supplier sells has no cost and is counted apart"
)


@dataclass(frozen=True, slots=True)
class Rated:
    """A stock row with its demand rate and what is on its way."""

    holding: Holding
    daily: float  # units per open day
    incoming: list[IncomingLine]

    @property
    def incoming_units(self) -> int:
        return sum(x.units for x in self.incoming)

    @property
    def next_expected(self) -> date | None:
        return min((x.expected_on for x in self.incoming if x.expected_on), default=None)


def _check(**ranges: tuple[int, int, int]) -> None:
    errors = FieldErrors()
    for name, (value, low, high) in ranges.items():
        if not low <= value <= high:
            errors.add(name, f"from {low} to {high}")
    errors.raise_if_any()


def _start(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _rated(uow: UnitOfWork, store: StockPlanning, today: date, days: int) -> list[Rated]:
    """Every stock row (and every location with stock only on its way), with its share of
    the product's demand rate over the last `days` days. Inside the caller's transaction."""
    first, last = today - timedelta(days=days), today - timedelta(days=1)
    demand = store.demand(_start(first), _start(today))
    shipped = store.shipped(first, last)
    holdings = store.holdings()
    incoming: dict[tuple[str, int], list[IncomingLine]] = defaultdict(list)
    for line in store.incoming():
        incoming[(line.location, line.product_id)].append(line)
    known = {(h.location, h.product_id) for h in holdings}
    missing = [key for key in incoming if key not in known]
    if missing:
        places = {loc.code: loc for loc in uow.locations.all()}
        named = uow.products.by_ids(sorted({pid for _, pid in missing}))
        for code, pid in missing:
            product = named[pid]
            place = places[code]
            weekdays = frozenset(place.schedule().working_days)
            holdings.append(
                Holding(code, weekdays, place.country, pid, product.sku, product.name, 0, 0)
            )
    holders: dict[int, list[str]] = defaultdict(list)
    for h in holdings:
        holders[h.product_id].append(h.location)
    # open days in the window per calendar (working weekdays, country)
    windows: dict[tuple[frozenset[int], str], int] = {}
    rated: list[Rated] = []
    for h in holdings:
        asked = demand.get(h.product_id)
        share = split_demand(
            asked.units if asked else 0,
            {loc: shipped.get((loc, h.product_id), 0) for loc in holders[h.product_id]},
            holders[h.product_id],
        )[h.location]
        calendar = (h.working_days, h.country)
        if calendar not in windows:
            windows[calendar] = len(open_days_between(h.working_days, first, last, h.country))
        open_days = windows[calendar]
        rated.append(Rated(h, daily_rate(share, open_days), incoming[(h.location, h.product_id)]))
    return rated


# -- projected stock-out ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StockOutRow:
    rated: Rated
    days_of_cover: float | None
    stock_out: date | None  # None: not within the horizon


@dataclass(frozen=True, slots=True)
class StockOutReport:
    today: date
    days: int
    horizon_days: int
    rows: list[StockOutRow]  # rows with demand, the soonest stock-out first
    without_demand: int  # stock rows left out: nobody asked in the window
    based_on: str


def stock_out(
    uow: UnitOfWork, store: StockPlanning, actor: Actor, days: int = 28, horizon_days: int = 90
) -> StockOutReport:
    """Per product and location: available (on hand less reserved), plus each incoming
    purchase-order line from its expected day, less the demand rate each open day; the
    first open day short is the projected stock-out date."""
    actor.require(Permission.PLANNING_READ)
    _check(days=(days, 1, 366), horizon_days=(horizon_days, 1, 730))
    today = uow.now().date()

    def read() -> StockOutReport:
        rows: list[StockOutRow] = []
        idle = 0
        last = today + timedelta(days=horizon_days - 1)
        calendars: dict[tuple[frozenset[int], str], list[date]] = {}
        for r in _rated(uow, store, today, days):
            if r.daily <= 0:
                idle += 1
                continue
            h = r.holding
            calendar = (h.working_days, h.country)
            if calendar not in calendars:
                calendars[calendar] = open_days_between(h.working_days, today, last, h.country)
            ahead = calendars[calendar]
            arrivals: dict[date, float] = defaultdict(float)
            for x in r.incoming:
                arrivals[x.expected_on or today] += x.units
            projection = project(r.holding.available, arrivals, ahead, [r.daily] * len(ahead))
            cover = days_of_cover(r.holding.available, r.daily)
            rows.append(StockOutRow(r, cover, projection.stock_out))
        rows.sort(
            key=lambda x: (x.stock_out or date.max, x.rated.holding.location, x.rated.holding.sku)
        )
        based = RATE_BASED_ON.format(days=days)
        return StockOutReport(today, days, horizon_days, rows, idle, based)

    return uow.run(read, write=False)


# -- overstock and dead stock -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OverstockRow:
    rated: Rated
    days_of_cover: float | None  # None: nobody asked in the window
    excess_units: int
    cost: UnitCost | None
    excess_value_minor: int | None  # None: no cost price


@dataclass(frozen=True, slots=True)
class OverstockReport:
    today: date
    days: int
    threshold_days: int
    rows: list[OverstockRow]  # the largest excess value first
    totals: dict[str, int]  # cost currency -> excess value in minor units
    without_cost: int  # rows whose product has no cost price
    based_on: str


def overstock(
    uow: UnitOfWork,
    store: StockPlanning,
    actor: Actor,
    threshold_days: int = 60,
    days: int = 28,
) -> OverstockReport:
    """Stock rows with more than `threshold_days` of cover at their demand rate (any
    available stock of a product nobody asked for), the excess valued at cost."""
    actor.require(Permission.PLANNING_READ)
    _check(threshold_days=(threshold_days, 1, 3650), days=(days, 1, 366))
    today = uow.now().date()

    def read() -> OverstockReport:
        costs = store.unit_costs()
        rows: list[OverstockRow] = []
        for r in _rated(uow, store, today, days):
            available = r.holding.available
            if not is_overstock(available, r.daily, threshold_days):
                continue
            excess = excess_units(available, r.daily, threshold_days)
            cost = costs.get(r.holding.product_id)
            value = None if cost is None else excess * cost.cost_minor
            rows.append(OverstockRow(r, days_of_cover(available, r.daily), excess, cost, value))
        rows.sort(key=lambda x: (-(x.excess_value_minor or 0), -x.excess_units, _key(x.rated)))
        totals, without = _totals((x.cost, x.excess_value_minor) for x in rows)
        based = RATE_BASED_ON.format(days=days) + "; values: " + COST_BASED_ON
        return OverstockReport(today, days, threshold_days, rows, totals, without, based)

    return uow.run(read, write=False)


def _key(r: Rated) -> tuple[str, str]:
    return r.holding.location, r.holding.sku


def _totals(pairs: Iterable[tuple[UnitCost | None, int | None]]) -> tuple[dict[str, int], int]:
    """Values per cost currency, and how many rows have no cost price."""
    totals: dict[str, int] = defaultdict(int)
    without = 0
    for cost, value in pairs:
        if cost is None or value is None:
            without += 1
        else:
            totals[cost.currency] += value
    return dict(sorted(totals.items())), without


@dataclass(frozen=True, slots=True)
class DeadStockRow:
    holding: Holding
    last_demand: date | None  # the last day anyone asked; None: never
    cost: UnitCost | None
    value_minor: int | None  # None: no cost price


@dataclass(frozen=True, slots=True)
class DeadStockReport:
    today: date
    idle_days: int
    rows: list[DeadStockRow]  # the largest value first
    totals: dict[str, int]
    without_cost: int
    based_on: str


def dead_stock(
    uow: UnitOfWork, store: StockPlanning, actor: Actor, idle_days: int = 90
) -> DeadStockReport:
    """Stock on hand of products nobody asked for in `idle_days` days (anywhere: demand is
    the shop's), valued at cost."""
    actor.require(Permission.PLANNING_READ)
    _check(idle_days=(idle_days, 1, 3650))
    today = uow.now().date()

    def read() -> DeadStockReport:
        since = _start(today - timedelta(days=idle_days))
        recent = store.demand(since, _start(today + timedelta(days=1)))
        holdings = [h for h in store.holdings() if h.on_hand > 0 and h.product_id not in recent]
        ever: dict[int, Demand] = {}
        if holdings:  # when they were last asked for, from the whole history
            ever = store.demand(datetime(1970, 1, 1, tzinfo=UTC), since)
        costs = store.unit_costs()
        rows: list[DeadStockRow] = []
        for h in holdings:
            last = ever.get(h.product_id)
            day = last.last_placed.date() if last and last.last_placed else None
            cost = costs.get(h.product_id)
            value = None if cost is None else h.on_hand * cost.cost_minor
            rows.append(DeadStockRow(h, day, cost, value))
        rows.sort(key=lambda x: (-(x.value_minor or 0), x.holding.location, x.holding.sku))
        totals, without = _totals((x.cost, x.value_minor) for x in rows)
        based = (
            f"no units asked for (the demand rule) in the {idle_days} days up to today; "
            + COST_BASED_ON
        )
        return DeadStockReport(today, idle_days, rows, totals, without, based)

    return uow.run(read, write=False)


# -- stock value at cost ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StockValueReport:
    rows: list[LocationValue]
    totals: dict[str, int]
    based_on: str


def stock_value(uow: UnitOfWork, store: StockPlanning, actor: Actor) -> StockValueReport:
    """Stock on hand valued at cost, per location and cost currency, summed in SQL."""
    actor.require(Permission.PLANNING_READ)

    def read() -> StockValueReport:
        rows = store.value_by_location()
        totals: dict[str, int] = defaultdict(int)
        for x in rows:
            if x.currency is not None:
                totals[x.currency] += x.value_minor
        return StockValueReport(rows, dict(sorted(totals.items())), COST_BASED_ON)

    return uow.run(read, write=False)
