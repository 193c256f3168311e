"""The service, returns, cash and loyalty reports (issue 12): the perfect-order rate with
its components, returns by product, reason and channel with their cost, cash and stock
value with days of cover, repeat purchases, cohorts and what a late delivery or a return
does to them. Reads only; `report.read` is checked. The formulas are in
domain/insight/quality.py and domain/insight/money_loyalty.py."""

from __future__ import annotations

from dataclasses import dataclass

from oms.domain.access import Actor, Permission
from oms.domain.errors import FieldErrors
from oms.domain.insight.money_loyalty import CashLine, Loyalty, StockPosition, cash, loyalty
from oms.domain.insight.quality import (
    PerfectOrders,
    Returns,
    channel_returns,
    perfect_orders,
    returns_counted,
)
from oms.services.ports import UnitOfWork
from oms.services.ports.insight import BusinessFacts
from oms.services.reports import StageQuery, _window, to_csv

# What each money figure rests on: oms keeps no cost price of a product.
STOCK_BASED_ON = "on hand x the product's price (oms keeps no cost price: value at price, not cost)"
WRITE_OFF_BASED_ON = (
    "damaged units found at inspection x the order line's unit price (no cost price)"
)
CASH_BASED_ON = (
    "booked: order totals less cancelled units at their unit price (cancelled orders: 0); "
    "paid and refunded: the orders' captured payments and confirmed refunds"
)


def perfect_order(
    uow: UnitOfWork, facts: BusinessFacts, actor: Actor, q: StageQuery
) -> PerfectOrders:
    actor.require(Permission.REPORT_READ)
    window = _window(q)

    def read() -> PerfectOrders:
        counted = facts.perfect_orders(window)  # the database's count, or the domain's
        return counted if counted is not None else perfect_orders(facts.order_facts(window))

    return uow.run(read, write=False)


def returns(uow: UnitOfWork, facts: BusinessFacts, actor: Actor, q: StageQuery) -> Returns:
    actor.require(Permission.REPORT_READ)
    window = _window(q)

    def read() -> Returns:
        channels = facts.channel_returns(window)
        if channels is None:
            channels = channel_returns(facts.order_facts(window))
        return returns_counted(
            channels,
            facts.delivered_units(window),
            facts.returned_lines(window),
            facts.return_costs(window),
        )

    return uow.run(read, write=False)


@dataclass(frozen=True, slots=True)
class Cash:
    lines: list[CashLine]
    stock: list[StockPosition]
    days: int
    based_on: dict[str, str]


def cash_report(
    uow: UnitOfWork, facts: BusinessFacts, actor: Actor, q: StageQuery, days: int = 28
) -> Cash:
    actor.require(Permission.REPORT_READ)
    if not 1 <= days <= 366:
        raise FieldErrors.single("days", "from 1 to 366")
    window = _window(q)
    today = uow.now().date()

    def read() -> Cash:
        lines = facts.cash(window)
        return Cash(
            lines if lines is not None else cash(facts.order_facts(window)),
            facts.stock_positions(today, days),
            days,
            {"cash": CASH_BASED_ON, "stock_value": STOCK_BASED_ON},
        )

    return uow.run(read, write=False)


def loyalty_report(
    uow: UnitOfWork,
    facts: BusinessFacts,
    actor: Actor,
    q: StageQuery,
    months: int = 12,
    horizon_days: int = 180,
) -> Loyalty:
    actor.require(Permission.REPORT_READ)
    errors = FieldErrors()
    if not 1 <= months <= 36:
        errors.add("months", "from 1 to 36")
    if not 1 <= horizon_days <= 730:
        errors.add("horizon_days", "from 1 to 730")
    errors.raise_if_any()
    window = _window(q)

    def read() -> Loyalty:
        found = facts.loyalty(window, months, horizon_days)
        return (
            found if found is not None else loyalty(facts.order_facts(window), months, horizon_days)
        )

    return uow.run(read, write=False)


# -- CSV ----------------------------------------------------------------------------------------


def pct(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def perfect_rows(p: PerfectOrders) -> list[tuple[str, int, int, float | None]]:
    """(component, orders meeting it, delivered orders, rate)."""
    parts = (
        ("complete", p.complete),
        ("on_time", p.on_time),
        ("undamaged", p.undamaged),
        ("no_sellers_fault_return", p.no_fault_return),
        ("perfect", p.perfect),
        ("split_into_parcels", p.split),
    )
    return [(name, n, p.delivered, pct(p.rate(n))) for name, n in parts]


def perfect_csv(p: PerfectOrders) -> str:
    return to_csv(("component", "orders", "delivered_orders", "rate"), perfect_rows(p))


def returns_csv(r: Returns) -> str:
    rows: list[tuple[object, ...]] = []
    for kind, rates in (
        ("product", r.by_product),
        ("reason", r.by_reason),
        ("channel", r.by_channel),
    ):
        rows += [(kind, x.key, x.part, x.whole, pct(x.rate)) for x in rates]
    return to_csv(("by", "key", "returned", "of", "rate"), rows)


def cash_csv(c: Cash) -> str:
    rows: list[tuple[object, ...]] = [
        ("cash", x.currency, "", x.orders, x.booked, x.paid, x.refunded, x.outstanding, "", "")
        for x in c.lines
    ]
    rows += [
        ("stock", s.currency, s.location, "", "", "", "", "", s.units, s.value_minor)
        for s in c.stock
    ]
    header = (
        "kind", "currency", "location", "orders", "booked_minor", "paid_minor",
        "refunded_minor", "outstanding_minor", "units_on_hand", "value_at_price_minor",
    )  # fmt: skip
    return to_csv(header, rows)


def cohort_csv(found: Loyalty) -> str:
    months = max((len(c.retention) for c in found.cohorts), default=0)
    header = ("cohort", "customers", *(f"month_{k}" for k in range(1, months + 1)))
    return to_csv(header, ((c.month, c.customers, *map(pct, c.retention)) for c in found.cohorts))
