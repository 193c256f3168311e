"""Work in progress and throughput per stage, and Little's law as a check.

An order waits in a stage from the event that starts it until the next event of its journey
(whichever comes first of the later ones, a cancellation included); an order with no later
event still waits. The stages:

- `awaiting_confirmation`: placed → confirmed (or shipped, delivered, cancelled);
- `awaiting_shipment`: confirmed → shipped (or delivered, cancelled);
- `in_transit`: shipped → delivered (or cancelled).

Per day (in a time zone): `wip` counts the orders waiting at the end of the day (at the next
midnight); `throughput` the orders that left the stage during the day, cancellations not
included. Over the whole window, Little's law says L = λ·W: the time-average number waiting
(L, exact: the hours all orders spent in the stage inside the window / the window's hours)
should be close to the rate of departures (λ per hour, cancellations included) times the mean
time in the stage of the orders that left in the window (W, hours). The ratio L / (λ·W) is
reported; it drifts from 1 when the window is short beside W, or when the stage fills or
empties during it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from oms.domain.insight.stages import OrderTimes


class Waiting(StrEnum):
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    AWAITING_SHIPMENT = "awaiting_shipment"
    IN_TRANSIT = "in_transit"


_START = {
    Waiting.AWAITING_CONFIRMATION: "placed",
    Waiting.AWAITING_SHIPMENT: "confirmed",
    Waiting.IN_TRANSIT: "shipped",
}
_LATER = {
    Waiting.AWAITING_CONFIRMATION: ("confirmed", "shipped", "delivered"),
    Waiting.AWAITING_SHIPMENT: ("shipped", "delivered"),
    Waiting.IN_TRANSIT: ("delivered",),
}


@dataclass(frozen=True, slots=True)
class Span:
    """One order's wait in one stage: `end` None while it still waits."""

    start: datetime
    end: datetime | None
    cancelled: bool  # it ended by a cancellation


def span(t: OrderTimes, stage: Waiting) -> Span | None:
    start = t.at(_START[stage])
    if start is None:
        return None
    ends = [(at, False) for at in (t.at(e) for e in _LATER[stage]) if at is not None]
    if t.cancelled is not None:
        ends.append((t.cancelled, True))
    if not ends:
        return Span(start, None, False)
    end, cancelled = min(ends)
    if end < start:
        return None  # a later event recorded before it began: no wait to count
    return Span(start, end, cancelled)


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    wip: dict[Waiting, int]
    throughput: dict[Waiting, int]


@dataclass(frozen=True, slots=True)
class StageFlow:
    stage: Waiting
    average_wip: float  # L
    departures: int  # in the window, cancellations included
    throughput_per_day: float  # λ, per day
    mean_hours: float | None  # W, of the departures
    littles_wip: float | None  # λ·W

    @property
    def ratio(self) -> float | None:
        return self.average_wip / self.littles_wip if self.littles_wip else None


@dataclass(frozen=True, slots=True)
class Flow:
    days: list[Day]
    stages: list[StageFlow]


def edges_of(first: date, last: date, zone: str) -> list[datetime]:
    """The midnights in `zone` from `first` to the day after `last`: e_0 .. e_D."""
    tz = ZoneInfo(zone)
    return [
        datetime.combine(first + timedelta(days=i), time(0), tz)
        for i in range((last - first).days + 2)
    ]


def flow(times: Sequence[OrderTimes], first: date, last: date, zone: str) -> Flow:
    """Days `first` to `last` (inclusive), read in `zone`."""
    edges = edges_of(first, last, zone)
    spans = {s: [x for t in times if (x := span(t, s)) is not None] for s in Waiting}
    counts = {s: _Counts(spans[s]) for s in Waiting}
    days = [
        Day(
            day=edges[i].date(),
            wip={s: counts[s].waiting(edges[i + 1]) for s in Waiting},
            throughput={s: counts[s].left(edges[i], edges[i + 1]) for s in Waiting},
        )
        for i in range(len(edges) - 1)
    ]
    return Flow(days, [_little(s, spans[s], edges[0], edges[-1]) for s in Waiting])


class _Counts:
    """Sorted starts and ends: the orders waiting at an instant are those started by then
    less those ended by then (an end never comes before its start)."""

    def __init__(self, spans: list[Span]) -> None:
        self.starts = sorted(x.start for x in spans)
        self.ends = sorted(x.end for x in spans if x.end is not None)
        self.done = sorted(x.end for x in spans if x.end is not None and not x.cancelled)

    def waiting(self, at: datetime) -> int:
        return bisect_right(self.starts, at) - bisect_right(self.ends, at)

    def left(self, since: datetime, until: datetime) -> int:
        return bisect_left(self.done, until) - bisect_left(self.done, since)


def _little(stage: Waiting, spans: list[Span], since: datetime, until: datetime) -> StageFlow:
    hours = (until - since).total_seconds() / 3600
    inside = 0.0
    for x in spans:
        lo, hi = max(x.start, since), min(x.end or until, until)
        if hi > lo:
            inside += (hi - lo).total_seconds() / 3600
    left = [x for x in spans if x.end is not None and since <= x.end < until]
    mean = (
        sum((x.end - x.start).total_seconds() for x in left if x.end) / 3600 / len(left)
        if left
        else None
    )
    return _stage_flow(stage, inside, len(left), mean, hours)


def _stage_flow(
    stage: Waiting, inside: float, departures: int, mean: float | None, hours: float
) -> StageFlow:
    rate = departures / hours
    return StageFlow(
        stage=stage,
        average_wip=inside / hours,
        departures=departures,
        throughput_per_day=rate * 24,
        mean_hours=mean,
        littles_wip=rate * mean if mean is not None else None,
    )


@dataclass(frozen=True, slots=True)
class Counted:
    """One stage's waits as a database counts them over the edges e_0 .. e_D (edges_of):
    `starts[j]` and `ends[j]` the waits begun, ended, at or before e_j (the waits ended
    before e_0 may be left out of both: they cancel); `left[i]` those ended in [e_i,
    e_{i+1}), cancellations not included; `inside_seconds` the time all waits spent in
    [e_0, e_D); `departures` the waits ended in it (cancellations included) and
    `departed_seconds` their whole length."""

    starts: list[int]
    ends: list[int]
    left: list[int]
    inside_seconds: float
    departures: int
    departed_seconds: float


def flow_counted(first: date, last: date, zone: str, counted: dict[Waiting, Counted]) -> Flow:
    """The same Flow as `flow`, from counts: WIP(e_j) = starts[j] - ends[j]."""
    edges = edges_of(first, last, zone)
    days = [
        Day(
            day=edges[i].date(),
            wip={s: counted[s].starts[i + 1] - counted[s].ends[i + 1] for s in Waiting},
            throughput={s: counted[s].left[i] for s in Waiting},
        )
        for i in range(len(edges) - 1)
    ]
    hours = (edges[-1] - edges[0]).total_seconds() / 3600
    stages = []
    for s in Waiting:
        c = counted[s]
        mean = c.departed_seconds / 3600 / c.departures if c.departures else None
        stages.append(_stage_flow(s, c.inside_seconds / 3600, c.departures, mean, hours))
    return Flow(days, stages)
