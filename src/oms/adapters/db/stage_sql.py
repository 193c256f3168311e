"""The stage table computed by PostgreSQL over order_facts (issue 12): counts, means,
percentiles and the late and on-time counts in one grouped query, so that no order travels
to Python. The definitions are domain/insight/stages.py's and stats.py's:

- a stage's hours: (end - start) in seconds / 3600, over the delivered orders with both ends;
- percentiles: `percentile_cont`, which interpolates between the closest ranks exactly as
  stats.percentile does (Hyndman and Fan's type 7), one sort per stage for p50, p90, p99;
- mean: the exact sum of the seconds (numeric) / 3600 / count, rounded once to a float
  (stats.summarise rounds each duration to a float, then sums them exactly: the two can
  differ in the last bit, never at the 3 decimals the API shows);
- late: the delivery's day in the location's time zone after the promised day; on time:
  the ship day in that zone on or before ship_by; ISO week of the day placed, in that zone.

Working hours need a walk over calendar days per order: those stay in Python, and so does
all of SQLite (no percentile aggregate, no time zones): `stage_reports` answers None.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from oms.adapters.db.base import Repository
from oms.adapters.db.tables import locations, order_facts
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
_QS = sa.literal([0.5, 0.9, 0.99], ARRAY(sa.Float))


def _seconds(stage: AnyStage) -> sa.ColumnElement[Any]:
    start, end = (f.c[_COLUMN[e]] for e in ENDS[stage])
    return sa.extract("epoch", end - start)


def _figures(stage: AnyStage) -> list[sa.ColumnElement[Any]]:
    seconds = _seconds(stage)
    hours = sa.cast(seconds, sa.Float) / 3600.0
    return [
        sa.func.count(seconds),
        sa.func.sum(seconds),
        sa.func.percentile_cont(_QS).within_group(hours),
        sa.func.count().filter(seconds < 0),
    ]


def _summary(count: int, seconds: Decimal | None, ps: list[float] | None, negative: int) -> Summary:
    if not count:
        return Summary(0, None, None, None, None, 0)
    assert seconds is not None and ps is not None
    mean = float(Decimal(seconds) / Decimal(3600 * count))
    return Summary(count, mean, ps[0], ps[1], ps[2], negative)


class PgStageReports(Repository):
    def stage_reports(
        self, q: TimesQuery, hours: Hours, by: GroupBy | None
    ) -> tuple[StageReport, list[tuple[str, StageReport]]] | None:
        """The whole report and the one of each group, or None: not for the database."""
        if not self.postgres or hours is not Hours.CALENDAR:
            return None
        from oms.adapters.db.reports import _SHIPPED as s

        zone = sa.func.coalesce(locations.c.time_zone, "UTC")

        def local(at: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
            return sa.cast(sa.func.timezone(zone, at), sa.Date)

        keys: dict[GroupBy | None, sa.ColumnElement[Any]] = {
            None: sa.literal(""),
            GroupBy.CHANNEL: f.c.channel,
            GroupBy.LOCATION: sa.func.coalesce(locations.c.code, ""),
            GroupBy.CARRIER: sa.func.coalesce(s.c.carrier, ""),
            GroupBy.WEEK: sa.func.to_char(sa.func.timezone(zone, f.c.placed_at), 'IYYY-"W"IW'),
        }
        has_ship_by = sa.and_(s.c.ship_by.is_not(None), f.c.shipped_at.is_not(None))
        counts = [
            sa.func.count(),
            sa.func.count(s.c.promised),
            sa.func.count().filter(local(f.c.delivered_at) > s.c.promised),
            sa.func.count().filter(has_ship_by),
            sa.func.count().filter(has_ship_by, local(f.c.shipped_at) <= s.c.ship_by),
        ]
        base = (
            sa.select()
            .select_from(
                f.outerjoin(s, s.c.order_id == f.c.order_id).outerjoin(
                    locations, locations.c.id == s.c.location_id
                )
            )
            .where(f.c.placed_at.is_not(None), f.c.delivered_at.is_not(None))
        )
        if q.since is not None:
            base = base.where(f.c.created_at >= q.since)
        if q.until is not None:
            base = base.where(f.c.created_at < q.until)
        if q.channel:
            base = base.where(f.c.channel == q.channel)
        if q.location:
            base = base.where(locations.c.code == q.location)
        figures = [x for stage in _STAGES for x in _figures(stage)]

        def reports(key: sa.ColumnElement[Any]) -> dict[str, StageReport]:
            stmt = base.add_columns(key.label("key"), *counts, *figures).group_by(key)
            out = {}
            for row in self.conn.execute(stmt):
                _, orders, promised, late, ship_by, on_time, *rest = row
                stats = [
                    StageStats(stage, _summary(*rest[4 * i : 4 * i + 4]))
                    for i, stage in enumerate(_STAGES)
                ]
                out[row[0]] = assembled(stats, orders, promised, late, ship_by, on_time)
            return out

        whole = reports(keys[None]).get("") or assembled(
            [StageStats(st, Summary(0, None, None, None, None, 0)) for st in _STAGES], 0, 0, 0, 0, 0
        )
        groups = sorted(reports(keys[by]).items()) if by else []
        return whole, groups
