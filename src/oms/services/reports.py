"""Reports on the order timeline: stage times, the bottleneck and the late rates
(domain/insight/stages.py says how each is computed). Reads only; `report.read` is checked."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oms.domain.access import Actor, Permission
from oms.domain.errors import FieldErrors
from oms.domain.insight.aging import Aging, aging
from oms.domain.insight.flow import Flow, Waiting, flow
from oms.domain.insight.stages import (
    STEPS,
    GroupBy,
    Hours,
    Stage,
    StageReport,
    grouped,
    stage_report,
)
from oms.services.ports import UnitOfWork
from oms.services.ports.insight import OpenOrders, Timelines, TimesQuery


@dataclass(frozen=True, slots=True)
class StageQuery:
    """Orders placed on a day from `since` to `until` (inclusive; none: no bound), the days
    read in `time_zone`; on one channel or shipped from one location (by code)."""

    since: date | None = None
    until: date | None = None
    channel: str | None = None
    location: str | None = None
    time_zone: str = "UTC"
    hours: Hours = Hours.CALENDAR
    group_by: GroupBy | None = None


@dataclass(frozen=True, slots=True)
class StageTimes:
    query: StageQuery
    report: StageReport
    groups: list[tuple[str, StageReport]]


def stage_times(uow: UnitOfWork, timelines: Timelines, actor: Actor, q: StageQuery) -> StageTimes:
    actor.require(Permission.REPORT_READ)
    window = _window(q)
    summed = uow.run(lambda: timelines.stage_reports(window, q.hours, q.group_by), write=False)
    if summed is not None:  # the database did it (PostgreSQL, calendar hours)
        return StageTimes(q, *summed)
    times = uow.run(lambda: timelines.order_times(window), write=False)
    groups = grouped(times, q.group_by, q.hours) if q.group_by else []
    return StageTimes(q, stage_report(times, q.hours), groups)


def _window(q: StageQuery) -> TimesQuery:
    errors = FieldErrors()
    zone = None
    try:
        zone = ZoneInfo(q.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.add("tz", "an IANA time zone, e.g. Europe/Paris")
    if q.since and q.until and q.since > q.until:
        errors.add("from", "must not be after to")
    errors.raise_if_any()
    assert zone is not None

    def start(day: date | None) -> datetime | None:
        return datetime.combine(day, time(0), zone) if day else None

    return TimesQuery(
        since=start(q.since),
        until=start(q.until + timedelta(days=1)) if q.until else None,
        channel=q.channel or None,
        location=q.location or None,
    )


CSV_HEADER = (
    "group",
    "stage",
    "count",
    "mean_hours",
    "p50_hours",
    "p90_hours",
    "p99_hours",
    "negative",
)


def rounded(hours: float | None) -> float | None:
    """Hours to 3 decimals (3.6 seconds): what the API, the CSV and the pages show."""
    return None if hours is None else round(hours, 3)


def stage_rows(found: StageTimes) -> list[tuple[object, ...]]:
    """The stage table as rows under CSV_HEADER: the whole first (group ""), then each group."""
    rows: list[tuple[object, ...]] = []
    for key, report in [("", found.report), *found.groups]:
        for s in [*report.stages, *report.detail, *report.returns]:
            h = s.hours
            rows.append(
                (
                    key,
                    s.stage.value,
                    h.count,
                    *map(rounded, (h.mean, h.p50, h.p90, h.p99)),
                    h.negative,
                )
            )
    return rows


def stage_csv(found: StageTimes) -> str:
    return to_csv(CSV_HEADER, stage_rows(found))


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Rows under a header as CSV text (every report's download); None is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue()


TREND_HEADER = (
    "week",
    "orders",
    *(f"{stage.value}_p50_hours" for stage in STEPS),
    "bottleneck",
    "late_orders",
    "promised_orders",
    "late_delivery_rate",
    *(f"{stage.value}_late_extra_hours" for stage in STEPS),
    "late_bottleneck",
)


@dataclass(frozen=True, slots=True)
class TrendWeek:
    """One week of the bottleneck's trend (a group of a `group_by=week` query)."""

    week: str
    orders: int
    medians: dict[Stage, float | None]  # each step's p50 hours
    bottleneck: Stage | None
    late: int
    promised: int
    late_rate: float | None
    extra: dict[Stage, float | None]  # each step's hours lost by the late orders
    late_bottleneck: Stage | None

    def row(self) -> tuple[object, ...]:
        """The week under TREND_HEADER, hours rounded as the API rounds them."""
        return (
            self.week,
            self.orders,
            *(rounded(self.medians[stage]) for stage in STEPS),
            self.bottleneck.value if self.bottleneck else None,
            self.late,
            self.promised,
            None if self.late_rate is None else round(self.late_rate, 4),
            *(rounded(self.extra[stage]) for stage in STEPS),
            self.late_bottleneck.value if self.late_bottleneck else None,
        )


def trend(found: StageTimes) -> list[TrendWeek]:
    """The bottleneck week by week: each week's medians of the three steps and the step
    with the largest; its late rate and, per step, the hours its late orders lost beside
    its on-time ones."""
    weeks = []
    for week, r in found.groups:
        medians = {s.stage: s.hours.p50 for s in r.stages}
        extra = {x.stage: x.extra for x in r.late_split}
        weeks.append(
            TrendWeek(
                week,
                r.orders,
                {stage: medians.get(stage) for stage in STEPS},
                r.bottleneck,
                r.late,
                r.promised,
                r.late_delivery_rate,
                {stage: extra.get(stage) for stage in STEPS},
                r.late_bottleneck,
            )
        )
    return weeks


def trend_csv(found: StageTimes) -> str:
    return to_csv(TREND_HEADER, (w.row() for w in trend(found)))


MAX_FLOW_DAYS = 731


@dataclass(frozen=True, slots=True)
class FlowQuery:
    """Days `since` to `until` (inclusive, both needed), read in `time_zone`."""

    since: date
    until: date
    channel: str | None = None
    location: str | None = None
    time_zone: str = "UTC"


def work_in_progress(uow: UnitOfWork, timelines: Timelines, actor: Actor, q: FlowQuery) -> Flow:
    """Orders waiting in each stage at the end of each day, those leaving it each day, and
    Little's law over the days (domain/insight/flow.py)."""
    actor.require(Permission.REPORT_READ)
    if (q.until - q.since).days >= MAX_FLOW_DAYS:
        raise FieldErrors.single("to", f"at most {MAX_FLOW_DAYS} days after from")
    window = _window(StageQuery(q.since, q.until, q.channel, q.location, q.time_zone))
    # Every order placed before the end: those placed earlier may still wait in the window.
    every = replace(window, since=None, delivered_only=False)
    counted = uow.run(lambda: timelines.flow(every, q.since, q.until, q.time_zone), write=False)
    if counted is not None:  # the database counted (PostgreSQL)
        return counted
    times = uow.run(lambda: timelines.order_times(every), write=False)
    return flow(times, q.since, q.until, q.time_zone)


FLOW_HEADER = ("day", *(f"wip_{s.value}" for s in Waiting), *(f"left_{s.value}" for s in Waiting))


def flow_csv(found: Flow) -> str:
    return to_csv(
        FLOW_HEADER,
        (
            (d.day.isoformat(), *(d.wip[s] for s in Waiting), *(d.throughput[s] for s in Waiting))
            for d in found.days
        ),
    )


def open_orders_aging(
    uow: UnitOfWork,
    source: OpenOrders,
    actor: Actor,
    channel: str | None = None,
    include_history: bool = False,
) -> Aging:
    """Open orders and backorders by age bucket, the oldest first, and which are late now
    (domain/insight/aging.py). Imported history is left out unless asked for: its open
    orders stopped in the past and would only crowd the oldest."""
    actor.require(Permission.REPORT_READ)
    now = uow.now()
    counted = uow.run(lambda: source.aging(channel or None, include_history, now), write=False)
    if counted is not None:  # the database counted (PostgreSQL)
        return counted
    found = uow.run(lambda: source.open_orders(channel or None, include_history), write=False)
    return aging(found, now)


def aging_csv(found: Aging) -> str:
    return to_csv(
        ("bucket", "orders", "backorders", "late"),
        ((b.label, b.orders, b.backorders, b.late) for b in found.buckets),
    )
