"""Demand history and forecasts from the order lines oms keeps (domain/planning/demand.py
says what counts); the open days are the shop's calendar (every shipping location's
working days, less the public holidays all of them keep). Reads only; `report.read`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oms.domain.access import Actor, Permission
from oms.domain.catalogue.model import Location
from oms.domain.errors import FieldErrors
from oms.domain.fulfilment.calendar import public_holidays
from oms.domain.planning.demand import DemandSeries, OpenDays, daily_demand, demand_by_day
from oms.domain.planning.intermittency import Pattern, classify
from oms.domain.planning.models import ENSEMBLE, check_choice, members
from oms.services.ports import UnitOfWork
from oms.services.ports.planning import DemandLines, Forecaster, ForecastJob


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """Demand on the days from `since` to `until` (inclusive), read in `time_zone`."""

    since: date
    until: date
    time_zone: str = "UTC"


def shop_calendar(locations: Sequence[Location], first: date, last: date) -> OpenDays:
    """Open: a weekday some shipping location works; closed: a public holiday that every
    shipping location's country keeps. No shipping location: Monday to Friday."""
    shipping = [loc for loc in locations if loc.ships]
    if not shipping:
        return OpenDays()
    weekdays = frozenset(d for loc in shipping for d in loc.working_days)
    closed: set[date] = set()
    for year in range(first.year, last.year + 1):
        common = frozenset.intersection(*(public_holidays(loc.country, year) for loc in shipping))
        closed |= {d for d in common if first <= d <= last}
    return OpenDays(weekdays, frozenset(closed))


def demand_history(
    uow: UnitOfWork, lines: DemandLines, actor: Actor, q: HistoryQuery
) -> list[DemandSeries]:
    """One series per sku over the shop's open days."""
    actor.require(Permission.REPORT_READ)
    return read_series(uow, lines, q)


def read_series(uow: UnitOfWork, lines: DemandLines, q: HistoryQuery) -> list[DemandSeries]:
    """demand_history without the permission check, for the services that call it under
    their own (replenishment: planning.read, purchasing.write)."""
    if q.since > q.until:
        raise FieldErrors.single("since", "must not be after until")
    zone = ZoneInfo(q.time_zone)
    start = datetime.combine(q.since, time(), zone)
    end = datetime.combine(q.until + timedelta(days=1), time(), zone)

    def read() -> tuple[list[Location], dict[str, dict[date, float]]]:
        found = lines.ordered_lines(start, end)
        local = [
            type(line)(
                line.sku,
                line.placed_at.astimezone(zone),
                line.quantity,
                line.shipped_quantity,
                line.order_cancelled_at,
            )
            for line in found
        ]
        return uow.locations.all(), demand_by_day(local)

    locations, per_day = uow.run(read, write=False)
    calendar = shop_calendar(locations, q.since, q.until)
    return daily_demand(per_day, calendar, q.since, q.until)


@dataclass(frozen=True, slots=True)
class ProductForecast:
    sku: str
    pattern: Pattern
    daily: tuple[float, ...]

    @property
    def total(self) -> float:
        return sum(self.daily)


def forecast(
    series: Sequence[DemandSeries],
    forecaster: Forecaster,
    horizon: int,
    model: str = ENSEMBLE,
) -> list[ProductForecast]:
    """Each product's next `horizon` open days: the median of its models (the ensemble
    chosen by its demand pattern over the last 26 weeks of open days, or one model)."""
    check_choice(model)
    if horizon < 1:
        raise FieldErrors.single("horizon", "at least one day")
    live = [s for s in series if s.total() > 0]
    patterns = {s.key: classify(s.units[-130:]).pattern for s in live}
    job = ForecastJob(live, horizon, {k: members(p, model) for k, p in patterns.items()})
    found = forecaster.forecast(job) if live else {}
    return [ProductForecast(s.key, patterns[s.key], found[s.key]) for s in live]
