"""Perfect orders, returns, cash and loyalty on a small made-up history, against values
computed by hand (domain/insight/quality.py, domain/insight/money_loyalty.py)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest

from oms.domain.insight.money_loyalty import (
    StockPosition,
    cash,
    loyalty,
    two_proportion_p,
    wilson,
)
from oms.domain.insight.quality import (
    OrderFacts,
    ReturnCosts,
    ReturnedLine,
    perfect_orders,
    returns_report,
)
from oms.domain.returns.reasons import ReturnReason as R

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


PROMISED = date(2026, 1, 10)
# Five delivered orders and a cancelled one:
#   1 perfect                          4 late (delivered 11 Jan, promised 10 Jan)
#   2 one unit cancelled: incomplete   5 damage reported, and a changed-mind return
#   3 returned: wrong item (seller)    6 cancelled, never delivered
FACTS = [
    OrderFacts(1, "web", "a@x", day(0), booked_minor=1000, paid_minor=1000,
               delivered=day(3), promised=PROMISED, units=2, delivered_units=2, parcels=1),
    OrderFacts(2, "web", "b@x", day(0), booked_minor=500, paid_minor=200, delivered=day(3),
               promised=PROMISED, units=3, delivered_units=2, cancelled_units=1, parcels=2),
    OrderFacts(3, "shop", "c@x", day(1), booked_minor=700, paid_minor=700, refunded_minor=700,
               delivered=day(3), units=1, delivered_units=1, parcels=1, returned=True,
               return_reasons=frozenset({R.WRONG_ITEM})),
    OrderFacts(4, "shop", "a@x", day(1), booked_minor=300, paid_minor=300, delivered=day(6),
               promised=PROMISED, units=1, delivered_units=1, parcels=1),
    OrderFacts(5, "web", "d@x", day(2), booked_minor=800, delivered=day(4), units=1,
               delivered_units=1, parcels=1, damage_reported=True, returned=True,
               return_reasons=frozenset({R.CHANGED_MIND})),
    OrderFacts(6, "web", "e@x", day(2), cancelled=True, paid_minor=400, refunded_minor=400,
               units=1, cancelled_units=1),
]  # fmt: skip


def test_the_perfect_order_rate_and_its_components() -> None:
    p = perfect_orders(FACTS)
    assert p.delivered == 5  # order 6 never was
    assert (p.complete, p.on_time, p.undamaged, p.no_fault_return) == (4, 4, 4, 4)
    assert p.perfect == 1 and p.rate(p.perfect) == 0.2  # only order 1
    assert p.split == 1  # order 2
    assert perfect_orders([]).rate(0) is None


def test_a_late_day_is_read_in_the_location_time_zone() -> None:
    # 10 Jan 23:30 UTC is 11 Jan in Paris: late there, on time in UTC
    at = datetime(2026, 1, 10, 23, 30, tzinfo=UTC)
    f = OrderFacts(9, "web", "z@x", day(0), delivered=at, promised=PROMISED, units=1)
    assert not f.late
    assert OrderFacts(9, "web", "z@x", day(0), delivered=at, promised=PROMISED,
                      time_zone="Europe/Paris").late  # fmt: skip


def test_returns_by_product_reason_channel_and_their_cost() -> None:
    lines = [
        ReturnedLine(3, "MUG", R.WRONG_ITEM, 1, 0, 700, "EUR"),
        ReturnedLine(5, "CUP", R.CHANGED_MIND, 1, 1, 800, "EUR"),
        ReturnedLine(5, "CUP", R.DAMAGED, 2, 2, 800, "EUR"),
    ]
    delivered = {"MUG": 4, "CUP": 6, "PEN": 3}
    r = returns_report(FACTS, delivered, lines, ReturnCosts({"EUR": 700}, {"EUR": 450}))
    assert [(x.key, x.part, x.whole) for x in r.by_product] == [
        ("CUP", 3, 6),  # 0.5
        ("MUG", 1, 4),  # 0.25
        ("PEN", 0, 3),
    ]
    assert {x.key: (x.part, x.whole) for x in r.by_reason} == {
        "wrong_item": (1, 4),
        "damaged": (2, 4),
        "changed_mind": (1, 4),
    }
    assert [(x.key, x.part, x.whole) for x in r.by_channel] == [("shop", 1, 2), ("web", 1, 3)]
    assert r.written_off == {"EUR": 2400} and r.written_off_units == 3  # 3 damaged x 800
    assert r.total_cost == {"EUR": 700 + 450 + 2400}


def test_cash_booked_paid_refunded_outstanding() -> None:
    (eur,) = cash(FACTS)
    assert eur.orders == 5
    assert eur.booked == 1000 + 500 + 700 + 300 + 800
    assert eur.paid == 1000 + 200 + 700 + 300 + 0 + 400
    assert eur.refunded == 1100
    assert eur.outstanding == 300 + 800  # order 2 owes 300, order 5 all of its 800


def test_days_of_cover() -> None:
    assert StockPosition("PAR", "EUR", 90, 9000, 84, 28).days_of_cover == 30.0  # 90 / 3
    assert StockPosition("PAR", "EUR", 90, 9000, 0, 28).days_of_cover is None


def test_wilson_interval_and_the_two_proportion_test() -> None:
    lo, hi = wilson(5, 10) or (0, 0)
    assert (round(lo, 4), round(hi, 4)) == (0.2366, 0.7634)  # the textbook example
    assert wilson(0, 0) is None
    # 30/100 against 50/100: pooled 0.4, se = sqrt(0.4 * 0.6 * 0.02), z = -2.8868
    assert two_proportion_p(30, 100, 50, 100) == pytest.approx(
        0.0038924, abs=1e-7
    )  # erfc(2.8868 / sqrt 2)
    assert two_proportion_p(1, 0, 1, 1) is None


def test_repeat_rate_cohorts_and_what_a_late_first_delivery_does() -> None:
    jan, feb = datetime(2026, 1, 3, tzinfo=UTC), datetime(2026, 2, 3, tzinfo=UTC)
    promised = date(2026, 1, 6)
    f = [
        # p: on time in January, again in February and April
        OrderFacts(1, "web", "p", jan, delivered=jan, promised=promised),
        OrderFacts(2, "web", "p", feb),
        OrderFacts(3, "web", "p", datetime(2026, 4, 3, tzinfo=UTC)),
        # q: late in January, never again
        OrderFacts(4, "web", "q", jan, delivered=jan + timedelta(days=5), promised=promised),
        # r: on time in January, returned, never again
        OrderFacts(5, "web", "r", jan, delivered=jan, promised=promised, returned=True),
        # s: February, a cancelled second order does not count
        OrderFacts(6, "web", "s", feb, delivered=feb, promised=date(2026, 2, 9)),
        OrderFacts(7, "web", "s", feb + timedelta(days=1), cancelled=True),
        # t: the last order of the data, in June
        OrderFacts(8, "web", "t", datetime(2026, 6, 30, tzinfo=UTC)),
    ]
    found = loyalty(f, months=6, horizon_days=60)
    assert (found.customers, found.repeat_customers) == (5, 1)
    assert found.repeat_rate == 0.2
    jan_c, feb_c, jun_c = found.cohorts
    assert (jan_c.month, jan_c.customers) == ("2026-01", 3)
    assert jan_c.retention == [1 / 3, 0.0, 1 / 3, 0.0, 0.0, None]  # months 2..6; July is past
    assert feb_c.retention == [0.0, 0.0, 0.0, 0.0, None, None]
    assert jun_c.retention == [None] * 6
    # p, q, r, s were placed 60+ days before 30 June; p ordered again within 60 days
    late = found.after_late
    assert (late.worse.ordered_again, late.worse.customers) == (0, 1)  # q
    assert (late.better.ordered_again, late.better.customers) == (1, 3)  # p, r, s
    assert late.difference == pytest.approx(-1 / 3)
    ret = found.after_return
    assert (ret.worse.ordered_again, ret.worse.customers) == (0, 1)  # r
    assert (ret.better.ordered_again, ret.better.customers) == (1, 3)
    assert late.p_value == pytest.approx(
        math.erfc(abs(-1 / 3 / math.sqrt(0.25 * 0.75 * 4 / 3)) / 2**0.5)
    )
