"""The service, returns, cash and loyalty figures counted by PostgreSQL over order_facts
(issue 12), as domain/insight/quality.py and money_loyalty.py define them: one row per
order already holds its money, units, promises, location, damage and returns (kept by the
writers, order_facts.py), so each report is one grouped scan and no order travels to
Python. SQLite answers None (the domain computes there from `order_facts()`), but for
loyalty over the whole history, read from customer_facts as on PostgreSQL.

- late: the first delivery's day in the location's time zone after the promised day (an
  order without a promised day is not late);
- months (cohorts) are UTC months of the day an order was created; a customer is the
  order's e-mail address; cancelled orders are left out of loyalty, as in the domain.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from oms.adapters.db.base import Repository
from oms.adapters.db.tables import locations
from oms.adapters.db.tables_loyalty import MONTH_BITS, customer_facts
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


# Loyalty in one pass over the orders not cancelled, read in order of customer, time and id
# from the index ix_order_facts_customer (no sort): per order its rank in its customer's
# orders, the first one's time and month, the next one's time, the previous one's month.
# Kept: each customer's first order (its cohort, whether another came, and for the
# comparisons its delivery, promise, lateness, return and whether another came within the
# horizon), and the first order of each later month (the customers per month after).
def _compared(t: str, last: str, first: str = "") -> str:
    """What a customer's first order was, as bits + 1 (NULL when it cannot be compared yet:
    not delivered, or its horizon not over by `last`): promised, late (its delivery's day in
    its location's zone after the promise), returned, and another order within the horizon.
    `t`: the alias holding the first order's columns; `first`: a condition that it is one."""
    return f"""CASE WHEN {first}{t}.first_at + :horizon <= {last} AND {t}.delivered_at IS NOT NULL
            THEN 1 + 2 * CAST({t}.promised IS NOT NULL AS int)
                 + 4 * CAST(coalesce(CAST(timezone(coalesce(l.time_zone, 'UTC'), {t}.delivered_at)
                                          AS date) > {t}.promised, false) AS int)
                 + 8 * CAST({t}.returned AS int)
                 + 16 * CAST(coalesce({t}.next_at <= {t}.first_at + :horizon, false) AS int)
       END AS compared"""


_LOYALTY = """
WITH w AS (
    SELECT f.created_at AS placed, f.delivered_at, f.promised, f.returned, f.location_id,
           f.mon, row_number() OVER c AS rn, first_value(f.created_at) OVER c AS first_at,
           first_value(f.mon) OVER c AS first_mon, lead(f.created_at) OVER c AS next_at,
           lag(f.mon) OVER c AS prev_mon
    FROM (
        SELECT f.*, CAST(extract(year FROM f.created_at AT TIME ZONE 'UTC') * 12
                         + extract(month FROM f.created_at AT TIME ZONE 'UTC') - 1 AS int) AS mon
        FROM order_facts f
        WHERE NOT f.cancelled {window}
    ) AS f
    WINDOW c AS (PARTITION BY f.customer COLLATE "C" ORDER BY f.created_at, f.order_id)
), last AS (
    SELECT max(f.created_at) AS at FROM order_facts f WHERE NOT f.cancelled {window}
)
SELECT w.rn = 1 AS first, w.first_mon,
       CASE WHEN w.rn = 1 THEN 0 ELSE w.mon - w.first_mon END AS k,
       {compared_w},
       count(*) AS n,
       count(*) FILTER (WHERE w.next_at IS NOT NULL) AS again
FROM w LEFT JOIN locations l ON l.id = w.location_id, last
WHERE w.rn = 1 OR (w.mon <> w.prev_mon AND w.mon - w.first_mon BETWEEN 1 AND :months)
GROUP BY 1, 2, 3, 4
"""


# Loyalty over the whole history (no window): customer_facts holds one row per customer,
# kept by triggers (customer_facts.py): its first order, the next one's time, the months
# after the first as bits; a few hundred groups of (cohort month, what the first order was).
# :last is the time of the last order (the latest last_at), read first.
_LOYALTY_ALL = """
SELECT c.first_mon,
       {compared_c},
       count(*) AS n,
       count(c.next_at) AS again{months}
FROM customer_facts c LEFT JOIN locations l ON l.id = c.location_id
GROUP BY 1, 2
"""
_LOYALTY = _LOYALTY.replace("{compared_w}", _compared("w", "last.at", "w.rn = 1 AND "))
_LOYALTY_ALL = _LOYALTY_ALL.replace("{compared_c}", _compared("c", ":last"))

_LAST_MONTH = """
SELECT CAST(extract(year FROM max(f.created_at) AT TIME ZONE 'UTC') * 12
            + extract(month FROM max(f.created_at) AT TIME ZONE 'UTC') - 1 AS int)
FROM order_facts f WHERE NOT f.cancelled {window}
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
        whole = q.since is None and q.until is None and not q.channel and months <= MONTH_BITS
        if not self.postgres:
            return self._loyalty_in_python(months, horizon_days) if whole else None
        if whole:
            return self._loyalty_all(months, horizon_days)
        # The planner expects as many groups as rows (760,000 at a million orders; there
        # are a few hundred) and sorts them: hashing is what fits.
        self.conn.exec_driver_sql("SET LOCAL enable_sort = off")
        rows = self._run(_LOYALTY, q, horizon=timedelta(days=horizon_days), months=months).all()
        self.conn.exec_driver_sql("SET LOCAL enable_sort = on")
        sizes: dict[tuple[int, int], list[int]] = {}
        counts = {"late": [0, 0, 0, 0], "return": [0, 0, 0, 0]}  # worse x, n, better x, n
        customers = repeat = 0
        last_month = None
        for first, first_mon, k, compared, n, again in rows:
            cohort = sizes.setdefault(divmod(first_mon, 12), [0] * (months + 1))
            if not first:
                cohort[k] += n
                continue
            cohort[0] += n
            customers += n
            repeat += again
            if compared is not None:
                _compare(counts, compared, n)
        if sizes:
            last_month = self._last_month(q)
        return _assembled(sizes, counts, customers, repeat, last_month, months, horizon_days)

    def _loyalty_all(self, months: int, horizon_days: int) -> Loyalty:
        """The whole history's loyalty from customer_facts (one row per customer)."""
        ks = "".join(
            f",\n       count(*) FILTER (WHERE c.months & {1 << k} <> 0)"
            for k in range(1, months + 1)
        )
        last = self.conn.execute(sa.select(sa.func.max(customer_facts.c.last_at))).scalar()
        if last is None:
            return _assembled({}, {}, 0, 0, None, months, horizon_days)
        # The planner expects a group per customer (a few hundred are) and so a costly
        # gathering of partial groups: the parallel plan it then passes over is faster.
        self.conn.exec_driver_sql("SET LOCAL parallel_tuple_cost = 0")
        rows = self.conn.execute(
            sa.text(_LOYALTY_ALL.format(months=ks)),
            {"horizon": timedelta(days=horizon_days), "last": last},
        ).all()
        self.conn.exec_driver_sql("RESET parallel_tuple_cost")
        sizes: dict[tuple[int, int], list[int]] = {}
        counts = {"late": [0, 0, 0, 0], "return": [0, 0, 0, 0]}  # worse x, n, better x, n
        customers = repeat = 0
        for first_mon, compared, n, again, *later in rows:
            cohort = sizes.setdefault(divmod(first_mon, 12), [0] * (months + 1))
            cohort[0] += n
            for k, seen in enumerate(later, 1):
                cohort[k] += seen
            customers += n
            repeat += again
            if compared is not None:
                _compare(counts, compared, n)
        return _assembled(sizes, counts, customers, repeat, _month_of(last), months, horizon_days)

    def _loyalty_in_python(self, months: int, horizon_days: int) -> Loyalty:
        """SQLite (no time zones): the same from customer_facts' rows, one per customer."""
        c, loc = customer_facts, locations
        last = self.conn.execute(sa.select(sa.func.max(c.c.last_at))).scalar()
        rows = self.conn.execute(
            sa.select(c.c.first_mon, c.c.first_at, c.c.next_at, c.c.months, c.c.delivered_at,
                      c.c.promised, c.c.returned, loc.c.time_zone)
            .select_from(c.outerjoin(loc, loc.c.id == c.c.location_id))
        )  # fmt: skip
        sizes: dict[tuple[int, int], list[int]] = {}
        counts = {"late": [0, 0, 0, 0], "return": [0, 0, 0, 0]}  # worse x, n, better x, n
        customers = repeat = 0
        horizon = timedelta(days=horizon_days)
        for first_mon, first_at, next_at, bits, delivered, promised, returned, zone in rows:
            cohort = sizes.setdefault(divmod(first_mon, 12), [0] * (months + 1))
            cohort[0] += 1
            for k in range(1, months + 1):
                cohort[k] += bits >> k & 1
            customers += 1
            repeat += next_at is not None
            if delivered is None or last is None or first_at + horizon > last:
                continue
            soon = next_at is not None and next_at <= first_at + horizon
            if promised is not None:
                late = delivered.astimezone(ZoneInfo(zone or "UTC")).date() > promised
                _tally(counts["late"], late, soon, 1)
            _tally(counts["return"], returned, soon, 1)
        return _assembled(sizes, counts, customers, repeat, _month_of(last), months, horizon_days)

    def _last_month(self, q: TimesQuery) -> tuple[int, int] | None:
        """(year, month - 1), UTC, of the last order not cancelled in the window."""
        found = self._run(_LAST_MONTH, q).scalar()
        return None if found is None else divmod(found, 12)


def _assembled(  # noqa: PLR0913 (the figures counted, and the two parameters)
    sizes: dict[tuple[int, int], list[int]], counts: dict[str, list[int]], customers: int,
    repeat: int, last_month: tuple[int, int] | None, months: int, horizon_days: int,
) -> Loyalty:  # fmt: skip
    """Loyalty from the cohorts' sizes by (year, month - 1) of the first order, the
    comparisons' counts and the (year, month - 1), UTC, of the last order."""
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


def _month_of(at: datetime | None) -> tuple[int, int] | None:
    """(year, month - 1), UTC, of a time."""
    if at is None:
        return None
    at = at.astimezone(UTC)
    return at.year, at.month - 1


def _compare(counts: dict[str, list[int]], compared: int, n: int) -> None:
    """Count `n` customers whose first order is `compared` (its bits + 1: promised, late,
    returned, ordered again soon) for the late and the return comparisons."""
    bits = compared - 1
    promised, late, returned, soon = (bool(bits & b) for b in (2, 4, 8, 16))
    if promised:
        _tally(counts["late"], late, soon, n)
    _tally(counts["return"], returned, soon, n)


def _tally(c: list[int], worse: bool, again: bool, n: int) -> None:
    i = 0 if worse else 2
    c[i] += n * again
    c[i + 1] += n
