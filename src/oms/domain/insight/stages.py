"""Stage times: how long delivered orders took from placed to confirmed, to shipped, to
delivered, measured between the first event of each kind on their timelines.

- The orders measured are the delivered ones: those with a delivery time. A stage counts an
  order when both of its ends are known; a negative duration (history where the carrier's
  date comes before the approval) is kept, counted in `negative`, not hidden.
- Calendar hours are elapsed time. Working hours count only the time that falls on the
  location's working days less the national public holidays of its country (whole days,
  midnight to midnight in its time zone; the holidays are the fulfilment calendar's,
  `public_holidays`). An order without a location's country has no holidays.
- `bottleneck` is the stage with the largest median among the first three (API.md).
- Detail stages split confirmed → shipped at the warehouse's own events: confirmed →
  picked → packed → shipped (the first `shipment.picked` and `shipment.packed` of the order).
  History without them (Olist) leaves them empty; each counts only the orders that have both
  ends. `detail_bottleneck` is the largest median among placed → confirmed, the three
  warehouse steps and shipped → delivered, over the stages that counted any order.
- Return stages: the first `return.requested` → first `return.received` → first
  `return.refunded` of the order, over the measured orders that have them.
- Late delivery: delivered on a later day than promised, the day read in the location's time
  zone; over the measured orders that have a promised date.
- On-time ship: shipped on or before the day it had to leave by (`ship_by`), read in the
  location's time zone; over the measured orders that have both.
- Late split: each main stage's mean hours over the late deliveries and over the on-time
  ones (the measured orders with a promised date, and the stage). The difference is what
  the late orders lost in that stage; `late_bottleneck` is the step of the first three
  where they lost the most (means add up: the steps' differences make the lead time's when
  every order has every step).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from oms.domain.fulfilment.calendar import public_holidays
from oms.domain.insight.stats import Summary, share, summarise

ALL_DAYS = "0123456"


class Stage(StrEnum):
    PLACED_TO_CONFIRMED = "placed_to_confirmed"
    CONFIRMED_TO_SHIPPED = "confirmed_to_shipped"
    SHIPPED_TO_DELIVERED = "shipped_to_delivered"
    PLACED_TO_DELIVERED = "placed_to_delivered"


# The stages a bottleneck is chosen from (the last one is their sum, end to end).
STEPS = (Stage.PLACED_TO_CONFIRMED, Stage.CONFIRMED_TO_SHIPPED, Stage.SHIPPED_TO_DELIVERED)
_ENDS: dict[AnyStage, tuple[str, str]] = {
    Stage.PLACED_TO_CONFIRMED: ("placed", "confirmed"),
    Stage.CONFIRMED_TO_SHIPPED: ("confirmed", "shipped"),
    Stage.SHIPPED_TO_DELIVERED: ("shipped", "delivered"),
    Stage.PLACED_TO_DELIVERED: ("placed", "delivered"),
}


class DetailStage(StrEnum):
    CONFIRMED_TO_PICKED = "confirmed_to_picked"
    PICKED_TO_PACKED = "picked_to_packed"
    PACKED_TO_SHIPPED = "packed_to_shipped"


class ReturnStage(StrEnum):
    REQUESTED_TO_RECEIVED = "requested_to_received"
    RECEIVED_TO_REFUNDED = "received_to_refunded"
    REQUESTED_TO_REFUNDED = "requested_to_refunded"


AnyStage = Stage | DetailStage | ReturnStage
_ENDS.update(
    {
        DetailStage.CONFIRMED_TO_PICKED: ("confirmed", "picked"),
        DetailStage.PICKED_TO_PACKED: ("picked", "packed"),
        DetailStage.PACKED_TO_SHIPPED: ("packed", "shipped"),
        ReturnStage.REQUESTED_TO_RECEIVED: ("return_requested", "return_received"),
        ReturnStage.RECEIVED_TO_REFUNDED: ("return_received", "return_refunded"),
        ReturnStage.REQUESTED_TO_REFUNDED: ("return_requested", "return_refunded"),
    }
)
ENDS = _ENDS  # each stage's two ends: the OrderTimes fields it runs between
# The finer steps a detail bottleneck is chosen from.
DETAIL_STEPS: tuple[AnyStage, ...] = (
    Stage.PLACED_TO_CONFIRMED,
    *DetailStage,
    Stage.SHIPPED_TO_DELIVERED,
)


class Hours(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


class GroupBy(StrEnum):
    CHANNEL = "channel"
    LOCATION = "location"
    CARRIER = "carrier"
    WEEK = "week"  # ISO week of the day placed, in the location's time zone


@dataclass(frozen=True, slots=True)
class OrderTimes:
    """One order's first event of each kind (aware datetimes), its promises and where it
    shipped from (the location of its first shipment; none if it has none)."""

    order_id: int
    channel: str
    placed: datetime
    confirmed: datetime | None = None
    shipped: datetime | None = None
    delivered: datetime | None = None
    cancelled: datetime | None = None
    picked: datetime | None = None  # the first shipment.picked
    packed: datetime | None = None  # the first shipment.packed
    return_requested: datetime | None = None
    return_received: datetime | None = None
    return_refunded: datetime | None = None
    promised: date | None = None  # the latest promised delivery date of its shipments
    ship_by: date | None = None  # the latest day its shipments had to leave by
    location: str | None = None
    carrier: str | None = None
    time_zone: str = "UTC"  # the location's: where "a day" is read
    working_days: str = ALL_DAYS  # the location's, Monday=0
    country: str | None = None  # the location's: whose public holidays are days off

    def at(self, end: str) -> datetime | None:
        found: datetime | None = getattr(self, end)
        return found

    def local_day(self, at: datetime) -> date:
        return at.astimezone(ZoneInfo(self.time_zone)).date()


@dataclass(frozen=True, slots=True)
class StageStats:
    stage: AnyStage
    hours: Summary


@dataclass(frozen=True, slots=True)
class LateSplit:
    """One main stage's hours summed over the late deliveries and over the on-time ones
    (among the measured orders with a promised date that have the stage)."""

    stage: Stage
    late_count: int
    late_total: float
    on_time_count: int
    on_time_total: float

    @property
    def late_mean(self) -> float | None:
        return self.late_total / self.late_count if self.late_count else None

    @property
    def on_time_mean(self) -> float | None:
        return self.on_time_total / self.on_time_count if self.on_time_count else None

    @property
    def extra(self) -> float | None:
        """Mean hours the late orders spent in the stage beyond the on-time ones'."""
        late, on_time = self.late_mean, self.on_time_mean
        return None if late is None or on_time is None else late - on_time


@dataclass(frozen=True, slots=True)
class StageReport:
    stages: list[StageStats]
    bottleneck: Stage | None
    orders: int  # delivered orders measured
    promised: int  # ... of which with a promised date
    late: int  # ... delivered on a later day than promised
    ship_by: int  # ... with a ship-by day and a ship time
    shipped_on_time: int
    detail: list[StageStats] = field(default_factory=list)
    detail_bottleneck: AnyStage | None = None
    returns: list[StageStats] = field(default_factory=list)
    late_split: list[LateSplit] = field(default_factory=list)

    @property
    def late_bottleneck(self) -> Stage | None:
        """The step (of the first three) in which the late orders lost the most hours
        beside the on-time ones; none when no step lost any."""
        lost = [(x.extra, x.stage) for x in self.late_split if x.stage in STEPS and x.extra]
        worst = max(lost, default=None)
        return worst[1] if worst is not None and worst[0] > 0 else None

    @property
    def late_delivery_rate(self) -> float | None:
        return share(self.late, self.promised)

    @property
    def on_time_ship_rate(self) -> float | None:
        return share(self.shipped_on_time, self.ship_by)


def working_hours(
    start: datetime, end: datetime, zone: str, working_days: str, country: str | None = None
) -> float:
    """Hours from start to end that fall on working days (weekday digits, Monday=0) of a
    time zone, less the public holidays of `country` (none without one); negative when end
    comes first. A holiday is a whole local day, like a weekday the location does not work."""
    if end < start:
        return -working_hours(end, start, zone, working_days, country)
    tz = ZoneInfo(zone)
    seconds = 0.0
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        if str(day.weekday()) in working_days and not _holiday(day, country):
            # In UTC: two aware times of one zone would be subtracted as wall-clock times.
            opens = datetime.combine(day, time(0), tz).astimezone(UTC)
            closes = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
            lo, hi = max(start, opens), min(end, closes)
            if hi > lo:
                seconds += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return seconds / 3600


def _holiday(day: date, country: str | None) -> bool:
    """A national public holiday of the country (the fulfilment calendar's); none without one."""
    return country is not None and day in public_holidays(country, day.year)


def duration_hours(t: OrderTimes, stage: AnyStage, hours: Hours) -> float | None:
    first, then = (t.at(end) for end in _ENDS[stage])
    if first is None or then is None:
        return None
    if hours is Hours.WORKING:
        return working_hours(first, then, t.time_zone, t.working_days, t.country)
    return (then - first).total_seconds() / 3600


def stage_report(times: Iterable[OrderTimes], hours: Hours = Hours.CALENDAR) -> StageReport:
    """The stage table of the delivered orders among `times`."""
    delivered = [t for t in times if t.delivered is not None]

    def table(stages: Iterable[AnyStage]) -> list[StageStats]:
        stats = []
        for stage in stages:
            found = (duration_hours(t, stage, hours) for t in delivered)
            stats.append(StageStats(stage, summarise([h for h in found if h is not None])))
        return stats

    promised = [t for t in delivered if t.promised is not None]
    ship_by = [t for t in delivered if t.ship_by is not None and t.shipped is not None]
    late: list[OrderTimes] = []
    on_time: list[OrderTimes] = []
    for t in promised:
        (late if _late(t) else on_time).append(t)

    def hours_of(orders: list[OrderTimes], stage: Stage) -> list[float]:
        return [h for t in orders if (h := duration_hours(t, stage, hours)) is not None]

    def split(stage: Stage) -> LateSplit:
        a, b = hours_of(late, stage), hours_of(on_time, stage)
        return LateSplit(stage, len(a), math.fsum(a), len(b), math.fsum(b))

    return assembled(
        [*table(Stage), *table(DetailStage), *table(ReturnStage)],
        orders=len(delivered),
        promised=len(promised),
        late=len(late),
        ship_by=len(ship_by),
        shipped_on_time=sum(1 for t in ship_by if _shipped_on_time(t)),
        late_split=[split(stage) for stage in Stage],
    )


def assembled(  # noqa: PLR0913
    stats: list[StageStats], orders: int, promised: int, late: int, ship_by: int,
    shipped_on_time: int, late_split: list[LateSplit] | None = None,
) -> StageReport:  # fmt: skip
    """The report from its figures, computed here or by the database (the same definitions:
    every stage of Stage, DetailStage and ReturnStage, in that order, in `stats`; each of
    Stage, in order, in `late_split`)."""
    main = [s for s in stats if isinstance(s.stage, Stage)]
    detail = [s for s in stats if isinstance(s.stage, DetailStage)]
    return StageReport(
        stages=main,
        bottleneck=Stage(b) if (b := _largest_median(main, STEPS)) else None,
        orders=orders,
        promised=promised,
        late=late,
        ship_by=ship_by,
        shipped_on_time=shipped_on_time,
        detail=detail,
        detail_bottleneck=_largest_median([*main, *detail], DETAIL_STEPS),
        returns=[s for s in stats if isinstance(s.stage, ReturnStage)],
        late_split=late_split or [LateSplit(stage, 0, 0.0, 0, 0.0) for stage in Stage],
    )


def _largest_median(stats: list[StageStats], among: tuple[AnyStage, ...]) -> AnyStage | None:
    medians = [(s.hours.p50, s.stage) for s in stats if s.stage in among and s.hours.count]
    return max(medians, key=lambda m: m[0] or 0.0)[1] if medians else None


def _late(t: OrderTimes) -> bool:
    assert t.delivered is not None and t.promised is not None
    return t.local_day(t.delivered) > t.promised


def _shipped_on_time(t: OrderTimes) -> bool:
    assert t.shipped is not None and t.ship_by is not None
    return t.local_day(t.shipped) <= t.ship_by


def _week(t: OrderTimes) -> str:
    return week_name(t.local_day(t.placed))


def week_name(day: date) -> str:
    """The ISO week a day is in, as the reports name it: 2026-W49."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


_KEYS: dict[GroupBy, Callable[[OrderTimes], str]] = {
    GroupBy.CHANNEL: lambda t: t.channel,
    GroupBy.LOCATION: lambda t: t.location or "",
    GroupBy.CARRIER: lambda t: t.carrier or "",
    GroupBy.WEEK: _week,
}


def grouped(
    times: Iterable[OrderTimes], by: GroupBy, hours: Hours = Hours.CALENDAR
) -> list[tuple[str, StageReport]]:
    """The stage table per channel, location, carrier or week, in key order ("" for none)."""
    groups: dict[str, list[OrderTimes]] = defaultdict(list)
    for t in times:
        if t.delivered is not None:
            groups[_KEYS[by](t)].append(t)
    return [(key, stage_report(groups[key], hours)) for key in sorted(groups)]
