"""Work in progress counted by PostgreSQL over order_facts (issue 12), as
domain/insight/flow.py defines it, without sending the orders to Python.

Each order gives up to three waits (awaiting confirmation, awaiting shipment, in transit):
the start, the end (the first later event of its journey, a cancellation included) and
whether a cancellation ended it. The query counts them by the day edges e_0 .. e_D (the
midnights of the days asked, in their zone): `width_bucket(t, edges)` is the number of
edges at or before t, so `width_bucket(t - 1 µs, edges)` is the number before t (times are
kept to the microsecond). Then WIP(e_j) = waits begun by e_j - waits ended by e_j, summed
in Python over at most a few thousand groups (domain flow_counted).

A wait that ended before e_0 counts in both terms and cancels: the orders finished
(delivered or cancelled, the later events only end waits earlier) before e_0 are left out
by the index on coalesce(delivered_at, cancelled_at), so a window of 90 days reads the
orders of those days and those still open, not two years of history.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.base import Repository
from oms.domain.insight.flow import Counted, Flow, Waiting, edges_of, flow_counted
from oms.services.ports.insight import TimesQuery

_STAGES = list(Waiting)  # 0, 1, 2 in the query below

_FLOW = """
WITH o AS (
    SELECT f.placed_at, f.confirmed_at, f.shipped_at, f.delivered_at, f.cancelled_at
    FROM order_facts f LEFT JOIN locations l ON l.id = f.location_id
    WHERE f.placed_at IS NOT NULL AND f.created_at < :until
      AND (coalesce(f.delivered_at, f.cancelled_at) IS NULL
           OR coalesce(f.delivered_at, f.cancelled_at) >= :since)
      {filters}
), w AS (
    SELECT x.st, x.start, least(x.later, o.cancelled_at) AS fin,
           coalesce(o.cancelled_at < coalesce(x.later, 'infinity'), false) AS by_cancel
    FROM o CROSS JOIN LATERAL (VALUES
        (0, o.placed_at, least(o.confirmed_at, o.shipped_at, o.delivered_at)),
        (1, o.confirmed_at, least(o.shipped_at, o.delivered_at)),
        (2, o.shipped_at, o.delivered_at)
    ) AS x (st, start, later)
    WHERE x.start IS NOT NULL
), s AS (
    SELECT * FROM w WHERE fin IS NULL OR fin >= start
)
SELECT st,
       width_bucket(start - interval '1 microsecond', CAST(:edges AS timestamptz[])) AS cs,
       width_bucket(fin - interval '1 microsecond', CAST(:edges AS timestamptz[])) AS ce,
       CASE WHEN NOT by_cancel THEN width_bucket(fin, CAST(:edges AS timestamptz[])) END AS cl,
       count(*) AS n,
       sum(extract(epoch FROM least(coalesce(fin, :until), :until) - greatest(start, :since)))
           FILTER (WHERE least(coalesce(fin, :until), :until) > greatest(start, :since))
           AS inside,
       count(*) FILTER (WHERE fin >= :since AND fin < :until) AS departures,
       sum(extract(epoch FROM fin - start)) FILTER (WHERE fin >= :since AND fin < :until)
           AS departed
FROM s
GROUP BY 1, 2, 3, 4
"""


class PgFlow(Repository):
    def flow(self, q: TimesQuery, first: date, last: date, zone: str) -> Flow | None:
        """Days `first` to `last` in `zone`, orders of the channel or location of `q`
        placed before `q.until`; None on SQLite (the domain counts there)."""
        if not self.postgres:
            return None
        edges = edges_of(first, last, zone)
        filters, params = "", {}
        if q.channel:
            filters += " AND f.channel = :channel"
            params["channel"] = q.channel
        if q.location:
            filters += " AND l.code = :location"
            params["location"] = q.location
        until = q.until or edges[-1]
        n = len(edges)  # e_0 .. e_D: D + 1 edges
        starts = {s: [0] * (n + 1) for s in _STAGES}
        ends = {s: [0] * (n + 1) for s in _STAGES}
        left = {s: [0] * (n + 1) for s in _STAGES}
        sums: dict[Waiting, list[Any]] = defaultdict(lambda: [Decimal(0), 0, Decimal(0)])
        rows = self.conn.execute(
            sa.text(_FLOW.format(filters=filters)),
            {"since": edges[0], "until": until, "edges": edges, **params},
        )
        for st, cs, ce, cl, count, inside, departures, departed in rows:
            stage = _STAGES[st]
            starts[stage][cs] += count  # begun after cs edges: counted from e_cs on
            if ce is not None:
                ends[stage][ce] += count
            if cl is not None:
                left[stage][cl] += count  # ended in [e_{cl-1}, e_cl)
            total = sums[stage]
            total[0] += inside or 0
            total[1] += departures
            total[2] += departed or 0
        counted = {}
        for stage in _STAGES:
            total = sums[stage]
            counted[stage] = Counted(
                starts=_running(starts[stage])[:n],
                ends=_running(ends[stage])[:n],
                left=left[stage][1:n],
                inside_seconds=float(total[0]),
                departures=total[1],
                departed_seconds=float(total[2]),
            )
        return flow_counted(first, last, zone, counted)


def _running(counts: list[int]) -> list[int]:
    out, total = [], 0
    for c in counts:
        total += c
        out.append(total)
    return out
