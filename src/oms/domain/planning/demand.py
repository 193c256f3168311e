"""Demand history: what customers asked for, counted on the days the selling location is
open (a closed day is no day at all, not a day of zero demand), by day and by week.

The counting rule (docs/planning.md): a line's demand is the quantity ordered, on the day
the order was placed, cancelled units included — a customer asked for them, and a shop
that cancels for want of stock has lost exactly the demand the forecast must see. One
exception: an order cancelled whole within a day of being placed, nothing shipped, is a
mistake (a duplicate, a wrong quantity, a failed payment), not demand, and counts zero."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MISTAKE_WINDOW = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class OrderedLine:
    """One order line as the demand history reads it."""

    sku: str
    placed_at: datetime
    quantity: int
    shipped_quantity: int = 0
    order_cancelled_at: datetime | None = None  # the whole order's cancellation, if any


def counted_units(line: OrderedLine) -> int:
    """The units this line adds to demand (the rule in the module's docstring)."""
    cancelled = line.order_cancelled_at
    if (
        cancelled is not None
        and line.shipped_quantity == 0
        and cancelled - line.placed_at <= MISTAKE_WINDOW
    ):
        return 0
    return max(line.quantity, 0)


@dataclass(frozen=True, slots=True)
class OpenDays:
    """The days a location sells: its working weekdays (Monday=0) less its closed dates."""

    weekdays: frozenset[int] = frozenset(range(5))
    closed: frozenset[date] = frozenset()

    def is_open(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.closed

    def between(self, first: date, last: date) -> list[date]:
        """The open days from first to last, both included."""
        days: list[date] = []
        day = first
        while day <= last:
            if self.is_open(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def count(self, first: date, days: int) -> int:
        """How many open days are in the `days` calendar days starting at first."""
        return len(self.between(first, first + timedelta(days=days - 1))) if days > 0 else 0


@dataclass(frozen=True, slots=True)
class DemandSeries:
    """Units asked for per open day, oldest first; `days[i]` is the date of `units[i]`."""

    key: str
    days: tuple[date, ...]
    units: tuple[float, ...]

    def total(self) -> float:
        return sum(self.units)


def daily_demand(
    per_day: Mapping[str, Mapping[date, float]], calendar: OpenDays, first: date, last: date
) -> list[DemandSeries]:
    """One series per key over the open days from first to last; units sold on a closed day
    (an order taken on a Sunday) count on the next open day, never lost, never a new day."""
    days = calendar.between(first, last)
    if not days:
        return []
    out: list[DemandSeries] = []
    for key in sorted(per_day):
        units = [0.0] * len(days)
        i = 0
        for day, qty in sorted(per_day[key].items()):
            if day < first or day > last:
                continue
            while i < len(days) and days[i] < day:
                i += 1
            if i < len(days):
                units[i] += qty
        out.append(DemandSeries(key, tuple(days), tuple(units)))
    return out


def demand_by_day(lines: Iterable[OrderedLine]) -> dict[str, dict[date, float]]:
    """Counted units per sku and calendar day of placing (the caller's time zone)."""
    out: dict[str, dict[date, float]] = {}
    for line in lines:
        units = counted_units(line)
        if units:
            per = out.setdefault(line.sku, {})
            day = line.placed_at.date()
            per[day] = per.get(day, 0.0) + units
    return out


def weekly(series: DemandSeries) -> list[tuple[date, float]]:
    """The series summed by ISO week: (the Monday, units), only weeks with an open day."""
    weeks: dict[date, float] = {}
    for day, units in zip(series.days, series.units, strict=True):
        monday = day - timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0.0) + units
    return sorted(weeks.items())


def sums_by_block(values: Sequence[float], size: int) -> list[float]:
    """Consecutive sums of `size` values (the last, shorter block dropped)."""
    return [sum(values[i : i + size]) for i in range(0, len(values) - size + 1, size)]
