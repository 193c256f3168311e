"""The stage table computed by PostgreSQL over order_facts (issue 12): counts, means,
percentiles and the late and on-time counts in one query, so that no order travels to
Python; its branches (`UNION ALL`, a few stages each) run side by side (Parallel Append).
The definitions are domain/insight/stages.py's and stats.py's:

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

from datetime import date
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
    LateSplit,
    ReturnStage,
    Stage,
    StageReport,
    StageStats,
    assembled,
    week_name,
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


# The branches of the whole: the order counts (each row's days in its zone: the longest
# without a sort), the seven main stages by two, the last with the three return stages (a
# few percent of the orders): five branches of about the same cost.
_COUNTS = -1
_WHOLE_PARTS: list[tuple[int, ...]] = [(_COUNTS,), (0, 1), (2, 3), (4, 5), (6, 7, 8, 9)]
# The groups' branches: each sorts the rows by key, then each group's hours per stage.
_GROUP_PARTS: list[tuple[int, ...]] = [(_COUNTS, 0, 1, 2, 7, 8, 9), (3, 4, 5, 6)]


def _branch(r: Any, part: tuple[int, ...], *, key: bool) -> sa.Select[Any]:
    """One branch of the union: the key (None for the whole), the five order counts, then
    each stage's count, sum, percentiles and negative count; NULL for what it leaves to
    others (every branch has the same columns)."""

    def null(kind: Any) -> sa.ColumnElement[Any]:
        return sa.cast(sa.null(), kind)

    if _COUNTS in part:
        counts = [
            sa.func.count(),
            sa.func.count(r.c.promised),
            sa.func.count().filter(r.c.late),
            sa.func.count().filter(r.c.has_ship_by),
            sa.func.count().filter(r.c.on_time),
        ]
        for i in range(len(Stage)):  # the late split: NULL `late` (no promise) in neither
            hours = r.c[f"h{i}"]
            for which in (r.c.late, sa.not_(r.c.late)):
                counts += [sa.func.count(hours).filter(which), sa.func.sum(hours).filter(which)]
    else:
        split = [sa.BigInteger, sa.Float] * 2 * len(Stage)  # count, sum; late, on time
        counts = [null(kind) for kind in [sa.BigInteger] * 5 + split]
    figures: list[sa.ColumnElement[Any]] = []
    for i in range(len(_STAGES)):
        if i in part:
            figures += _figures(r, i)
        else:
            figures += [null(sa.BigInteger), null(sa.Float), null(ARRAY(sa.Float)),
                        null(sa.BigInteger)]  # fmt: skip
    stmt = sa.select(r.c.key if key else sa.null(), *counts, *figures)
    return stmt.group_by(r.c.key) if key else stmt


def _name(key: Any) -> str:
    """A group's name: the ISO week of a Monday as the domain names it, or the key."""
    return week_name(key) if isinstance(key, date) else str(key)


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
            # byte order, the cheapest sort (the groups are sorted again by their names)
            GroupBy.CHANNEL: sa.collate(f.c.channel, "C"),
            GroupBy.LOCATION: sa.collate(sa.func.coalesce(locations.c.code, ""), "C"),
            GroupBy.CARRIER: sa.collate(sa.func.coalesce(f.c.carrier, ""), "C"),
            # the Monday of the ISO week (a date sorts faster than its name; named below)
            GroupBy.WEEK: sa.cast(
                sa.func.date_trunc("week", sa.func.timezone(zone, f.c.placed_at)), sa.Date
            ),
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
        # OFFSET 0 keeps the rows a subquery of their own: each row's `late` (a time-zone
        # conversion) is computed once, not once per aggregate that filters on it (the late
        # split's sixteen: 1.7 s against 4.6 s at a million orders); a branch that reads no
        # such column does not compute it (PostgreSQL drops unused outputs). Written '0', a
        # constant of type unknown: an integer 0 would be a cast, which PostgreSQL takes for
        # a real OFFSET and then runs no branch in parallel.
        r = rows.offset(sa.literal_column("'0'")).subquery("r")
        # The whole in a few branches, each with its share of the stages (one sort of up to
        # a million hours per stage) and one scan; the groups, if asked, in two more
        # branches sorted by their key. PostgreSQL runs the branches side by side (Parallel Append):
        # an ordered-set aggregate cannot be split between processes. Exact, as before.
        branches = [_branch(r, part, key=True) for part in _GROUP_PARTS] if by else []
        # (the groups first: the key's type is theirs, NULL in the whole's branches.) With
        # groups, the whole's order counts are theirs summed (every row has one key): one
        # scan and one join fewer.
        branches += [_branch(r, part, key=False) for part in _WHOLE_PARTS
                     if not (by and part == (_COUNTS,))]  # fmt: skip
        # The sorts of a million durations: in memory, not in temporary files.
        self.conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        self.conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 4")
        found: dict[Any, list[Any]] = {}
        for key, *slots in self.conn.execute(sa.union_all(*branches)):
            merged = found.setdefault(key, [None] * len(slots))
            for i, value in enumerate(slots):
                if value is not None:
                    merged[i] = value
        return _assembled(found, by)


# the counts of a branch: five of orders, then the late split's four per main stage
_N = 5 + 4 * len(Stage)


def _assembled(
    found: dict[Any, list[Any]], by: GroupBy | None
) -> tuple[StageReport, list[tuple[str, StageReport]]]:
    """The whole report and each group's, from the branches' rows merged by key."""
    if by:
        keyed = [slots for key, slots in found.items() if key is not None]
        whole_slots = found.setdefault(None, [None] * (_N + 4 * len(_STAGES)))
        whole_slots[:_N] = [sum(g[i] or 0 for g in keyed) for i in range(_N)]
    whole, groups = None, []
    for key, slots in found.items():
        orders, promised, late, ship_by, on_time = (x or 0 for x in slots[:5])
        split = [
            LateSplit(stage, *(x or 0 for x in slots[5 + 4 * i : 9 + 4 * i]))
            for i, stage in enumerate(Stage)
        ]
        stats = [
            StageStats(stage, _summary(*slots[_N + 4 * i : _N + 4 + 4 * i]))
            for i, stage in enumerate(_STAGES)
        ]
        report = assembled(stats, orders, promised, late, ship_by, on_time, split)
        if key is None:
            whole = report
        else:
            groups.append((_name(key), report))
    empty = [StageStats(st, Summary(0, None, None, None, None, 0)) for st in _STAGES]
    return whole or assembled(empty, 0, 0, 0, 0, 0), sorted(groups, key=lambda g: g[0])
