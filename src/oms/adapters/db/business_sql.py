"""The service, returns, cash and loyalty figures counted by PostgreSQL over order_facts
(issue 12), as domain/insight/quality.py and money_loyalty.py define them: one row per
order already holds its money, units, promises, location, damage and returns (kept by the
writers, order_facts.py), so each report is one grouped scan and no order travels to
Python. SQLite answers None: the domain computes there from `order_facts()`.

- late: the first delivery's day in the location's time zone after the promised day (an
  order without a promised day is not late);
- months (cohorts) are UTC months of the day an order was created; a customer is the
  order's e-mail address; cancelled orders are left out of loyalty, as in the domain.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from oms.adapters.db.base import Repository
from oms.domain.insight.money_loyalty import (
    CashLine,
    Comparison,
    Loyalty,
    Proportion,
    cohorts_of,
    comparison_of,
)
from oms.domain.insight.quality import PerfectOrders
from oms.services.ports.insight import TimesQuery

# late (in _PERFECT and _LOYALTY): the first delivery's day in its location's zone after
# the promised day; an order without a promised day is not late.


def _window(q: TimesQuery) -> tuple[str, dict[str, Any]]:
    sql, params = "", dict[str, Any]()
    if q.since is not None:
        sql += " AND f.created_at >= :since"
        params["since"] = q.since
    if q.until is not None:
        sql += " AND f.created_at < :until"
        params["until"] = q.until
    if q.channel:
        sql += " AND f.channel = :channel"
        params["channel"] = q.channel
    return sql, params


_PERFECT = """
SELECT count(*),
       count(*) FILTER (WHERE complete),
       count(*) FILTER (WHERE NOT late),
       count(*) FILTER (WHERE undamaged),
       count(*) FILTER (WHERE NOT sellers_fault_return),
       count(*) FILTER (WHERE complete AND NOT late AND undamaged AND NOT sellers_fault_return),
       count(*) FILTER (WHERE parcels > 1)
FROM (
    SELECT f.cancelled_units = 0 AND f.delivered_units >= f.units AND f.units > 0 AS complete,
           coalesce(CAST(timezone(coalesce(l.time_zone, 'UTC'), f.delivered_at) AS date)
               > f.promised, false) AS late,
           NOT f.damage_reported AND NOT f.return_damaged AS undamaged,
           f.sellers_fault_return, f.parcels
    FROM order_facts f LEFT JOIN locations l ON l.id = f.location_id
    WHERE f.delivered_at IS NOT NULL {window}
) AS d
"""

_CASH = """
SELECT f.currency,
       count(*) FILTER (WHERE NOT f.cancelled),
       coalesce(sum(f.booked_minor) FILTER (WHERE NOT f.cancelled), 0),
       coalesce(sum(f.paid_minor), 0),
       coalesce(sum(f.refunded_minor), 0),
       coalesce(sum(greatest(f.booked_minor - f.paid_minor, 0)) FILTER (WHERE NOT f.cancelled), 0)
FROM order_facts f
WHERE true {window}
GROUP BY f.currency
ORDER BY f.currency
"""

_RETURNS = """
SELECT f.channel, count(*) FILTER (WHERE f.returned), count(*)
FROM order_facts f
WHERE f.delivered_at IS NOT NULL {window}
GROUP BY f.channel
"""

# Loyalty: o the orders not cancelled; c per customer the first time, its month and how
# many orders; d per customer the first order (earliest time, then lowest id) and how many
# orders by the horizon; r per cohort month and month after, the customers who ordered.
_LOYALTY = """
WITH o AS MATERIALIZED (
    SELECT f.order_id, f.customer, f.created_at AS placed,
           f.delivered_at IS NOT NULL AS delivered, f.promised IS NOT NULL AS promised,
           f.returned, coalesce(CAST(timezone(coalesce(l.time_zone, 'UTC'), f.delivered_at) AS date)
               > f.promised, false) AS late,
           CAST(extract(year FROM f.created_at AT TIME ZONE 'UTC') * 12
                + extract(month FROM f.created_at AT TIME ZONE 'UTC') - 1 AS int) AS mon
    FROM order_facts f LEFT JOIN locations l ON l.id = f.location_id
    WHERE NOT f.cancelled {window}
), c AS MATERIALIZED (
    SELECT customer, min(placed) AS first_at, min(mon) AS first_mon, count(*) AS n
    FROM o GROUP BY customer
), d AS (
    SELECT c.first_at,
           min(o.order_id) FILTER (WHERE o.placed = c.first_at) AS first_id,
           count(*) FILTER (WHERE o.placed <= c.first_at + :horizon) > 1 AS again
    FROM o JOIN c ON c.customer = o.customer
    GROUP BY c.customer, c.first_at
), r AS (
    SELECT first_mon, k, count(*) AS n FROM (
        SELECT DISTINCT c.first_mon, o.mon - c.first_mon AS k, o.customer
        FROM o JOIN c ON c.customer = o.customer
        WHERE o.mon - c.first_mon BETWEEN 1 AND :months
    ) AS x GROUP BY first_mon, k
), last AS (
    SELECT max(placed) AS at, max(mon) AS mon FROM o
), firsts AS (
    SELECT fo.promised, fo.late, fo.returned, d.again
    FROM d JOIN o AS fo ON fo.order_id = d.first_id, last
    WHERE d.first_at + :horizon <= last.at AND fo.delivered
)
SELECT 'cohort', first_mon, 0, count(*) FROM c GROUP BY first_mon
UNION ALL SELECT 'month', first_mon, k, n FROM r
UNION ALL SELECT 'customers', count(*) FILTER (WHERE n > 1), 0, count(*) FROM c
UNION ALL SELECT 'last', mon, 0, 0 FROM last
UNION ALL SELECT 'late', CAST(late AS int), CAST(again AS int), count(*) FROM firsts
    WHERE promised GROUP BY late, again
UNION ALL SELECT 'return', CAST(returned AS int), CAST(again AS int), count(*) FROM firsts
    GROUP BY returned, again
"""


class PgBusiness(Repository):
    def _run(self, sql: str, q: TimesQuery, **extra: Any) -> Any:
        window, params = _window(q)
        return self.conn.execute(sa.text(sql.format(window=window)), {**params, **extra})

    def perfect_orders(self, q: TimesQuery) -> PerfectOrders | None:
        if not self.postgres:
            return None
        return PerfectOrders(*self._run(_PERFECT, q).one())

    def cash(self, q: TimesQuery) -> list[CashLine] | None:
        if not self.postgres:
            return None
        return [CashLine(r[0], *map(int, r[1:])) for r in self._run(_CASH, q)]

    def channel_returns(self, q: TimesQuery) -> dict[str, tuple[int, int]] | None:
        if not self.postgres:
            return None
        return {channel: (returned, of) for channel, returned, of in self._run(_RETURNS, q)}

    def loyalty(self, q: TimesQuery, months: int, horizon_days: int) -> Loyalty | None:
        if not self.postgres:
            return None
        rows = self._run(_LOYALTY, q, horizon=timedelta(days=horizon_days), months=months).all()
        sizes: dict[tuple[int, int], list[int]] = {}
        counts = {"late": [0, 0, 0, 0], "return": [0, 0, 0, 0]}  # worse x, n, better x, n
        customers = repeat = 0
        last_month = None
        for kind, a, b, n in rows:
            if kind == "cohort":
                sizes.setdefault(divmod(a, 12), [0] * (months + 1))[0] = n
            elif kind == "month":
                sizes.setdefault(divmod(a, 12), [0] * (months + 1))[b] = n
            elif kind == "customers":
                repeat, customers = a, n
            elif kind == "last" and a is not None:
                last_month = divmod(a, 12)
            elif kind in counts:
                c = counts[kind]
                i = 0 if a else 2
                c[i] += n * b
                c[i + 1] += n
        if not customers or last_month is None:
            empty = Comparison(Proportion(0, 0), Proportion(0, 0))
            return Loyalty(0, 0, [], horizon_days, empty, empty)
        year_month = {(y, m + 1): v for (y, m), v in sizes.items()}
        return Loyalty(
            customers=customers,
            repeat_customers=repeat,
            cohorts=cohorts_of(year_month, months, (last_month[0], last_month[1] + 1)),
            horizon_days=horizon_days,
            after_late=comparison_of(counts["late"]),
            after_return=comparison_of(counts["return"]),
        )
