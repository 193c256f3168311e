"""Reports on the order timeline: stage times, the bottleneck and the late rates
(domain/insight/stages.py says how each is computed). Reads only; `report.read` is checked."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oms.domain.access import Actor, Permission
from oms.domain.errors import FieldErrors
from oms.domain.insight.stages import GroupBy, Hours, StageReport, grouped, stage_report
from oms.services.ports import UnitOfWork
from oms.services.ports.insight import Timelines, TimesQuery


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
        for s in report.stages:
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
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(["" if v is None else v for v in row] for row in stage_rows(found))
    return out.getvalue()
