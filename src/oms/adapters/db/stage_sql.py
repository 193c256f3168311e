"""The stage table computed by PostgreSQL over order_facts (issue 12): counts, means,
percentiles and the late and on-time counts in one grouped query, so that no order travels
to Python. The definitions are domain/insight/stages.py's and stats.py's:

- a stage's hours: (end - start) in seconds / 3600, over the delivered orders with both ends;
- percentiles: `percentile_cont`, which interpolates between the closest ranks exactly as
  stats.percentile does (Hyndman and Fan's type 7), one sort per stage for p50, p90, p99;
- hours: read from order_facts, where the writers keep them as the domain computes them
  (float(seconds) / 3600, to the bit);
- mean: the sum of the float hours / count (stats.summarise sums them exactly, math.fsum:
  PostgreSQL's float sum can differ from it by a few units in the last place, ~1e-12 of
  the mean at a million orders, never at the 3 decimals the API shows);
- late: the delivery's day in the location's time zone after the promised day; on time:
  the ship day in that zone on or before ship_by; ISO week of the day placed, in that zone.

Working hours need a walk over calendar days per order: those stay in Python, and so does
all of SQLite (no percentile aggregate, no time zones): `stage_reports` answers None.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from oms.adapters.db.base import Repository
from oms.adapters.db.tables import locations, order_facts
from oms.adapters.db.tables_facts import DURATIONS
from oms.domain.insight.stages import (
    ENDS,
    AnyStage,
    DetailStage,
    GroupBy,
    Hours,
    ReturnStage,
    Stage,
    StageReport,
    StageStats,
    assembled,
)
from oms.domain.insight.stats import Summary
from oms.services.ports.insight import TimesQuery

f = order_facts
_STAGES: list[AnyStage] = [*Stage, *DetailStage, *ReturnStage]
_COLUMN = {
    "placed": "placed_at",
    "confirmed": "confirmed_at",
    "shipped": "shipped_at",
    "delivered": "delivered_at",
    "picked": "picked_at",
    "packed": "packed_at",
    "return_requested": "return_requested_at",
    "return_received": "return_received_at",
    "return_refunded": "return_refunded_at",
}
# each stage's stored hours (tables_facts.DURATIONS: the column between its two ends)
_HOURS = {
    stage: next(
        h for h, ends in DURATIONS.items() if ends == tuple(_COLUMN[e] for e in ENDS[stage])
    )
    for stage in _STAGES
}
_QS = sa.literal([0.5, 0.9, 0.99], ARRAY(sa.Float))


def _figures(row: Any, i: int) -> list[sa.ColumnElement[Any]]:
    hours = row.c[f"h{i}"]
    return [
        sa.func.count(hours),
        sa.func.sum(hours),
        sa.func.percentile_cont(_QS).within_group(hours),
        sa.func.count().filter(hours < 0),
    ]


def _summary(count: int, total: float | None, ps: list[float] | None, negative: int) -> Summary:
    if not count:
        return Summary(0, None, None, None, None, 0)
    assert total is not None and ps is not None
    return Summary(count, total / count, ps[0], ps[1], ps[2], negative)


class PgStageReports(Repository):
    def stage_reports(
        self, q: TimesQuery, hours: Hours, by: GroupBy | None
    ) -> tuple[StageReport, list[tuple[str, StageReport]]] | None:
        """The whole report and the one of each group, or None: not for the database."""
        if not self.postgres or hours is not Hours.CALENDAR:
            return None
        zone = sa.func.coalesce(locations.c.time_zone, "UTC")

        def local(at: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
            return sa.cast(sa.func.timezone(zone, at), sa.Date)

        keys: dict[GroupBy | None, sa.ColumnElement[Any]] = {
            None: sa.literal(""),
            GroupBy.CHANNEL: f.c.channel,
            GroupBy.LOCATION: sa.func.coalesce(locations.c.code, ""),
            GroupBy.CARRIER: sa.func.coalesce(f.c.carrier, ""),
            GroupBy.WEEK: sa.func.to_char(sa.func.timezone(zone, f.c.placed_at), 'IYYY-"W"IW'),
        }
        has_ship_by = sa.and_(f.c.ship_by.is_not(None), f.c.shipped_at.is_not(None))
        rows = (
            sa.select(
                keys[by].label("key"),
                f.c.promised,
                (local(f.c.delivered_at) > f.c.promised).label("late"),
                has_ship_by.label("has_ship_by"),
                sa.and_(has_ship_by, local(f.c.shipped_at) <= f.c.ship_by).label("on_time"),
                *(f.c[_HOURS[stage]].label(f"h{i}") for i, stage in enumerate(_STAGES)),
            )
            .select_from(f.outerjoin(locations, locations.c.id == f.c.location_id))
            .where(f.c.placed_at.is_not(None), f.c.delivered_at.is_not(None))
        )
        if q.since is not None:
            rows = rows.where(f.c.created_at >= q.since)
        if q.until is not None:
            rows = rows.where(f.c.created_at < q.until)
        if q.channel:
            rows = rows.where(f.c.channel == q.channel)
        if q.location:
            rows = rows.where(locations.c.code == q.location)
        r = rows.subquery("r")
        # One pass for the whole and the groups: grouping(key) is 1 on the row of the whole.
        stmt = sa.select(
            sa.func.grouping(r.c.key) if by else sa.literal(1),
            sa.func.min(r.c.key) if not by else r.c.key,
            sa.func.count(),
            sa.func.count(r.c.promised),
            sa.func.count().filter(r.c.late),
            sa.func.count().filter(r.c.has_ship_by),
            sa.func.count().filter(r.c.on_time),
            *(x for i in range(len(_STAGES)) for x in _figures(r, i)),
        ).group_by(sa.text("GROUPING SETS ((r.key), ())" if by else "()"))
        # The sorts of a million durations: in memory, not in temporary files.
        self.conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        whole, groups = None, []
        for row in self.conn.execute(stmt):
            of_whole, key, orders, promised, late, ship_by, on_time, *rest = row
            stats = [
                StageStats(stage, _summary(*rest[4 * i : 4 * i + 4]))
                for i, stage in enumerate(_STAGES)
            ]
            report = assembled(stats, orders, promised, late, ship_by, on_time)
            if of_whole or not by:
                whole = report
            else:
                groups.append((key, report))
        empty = [StageStats(st, Summary(0, None, None, None, None, 0)) for st in _STAGES]
        return whole or assembled(empty, 0, 0, 0, 0, 0), sorted(groups, key=lambda g: g[0])
