"""`oms report perfect-orders | returns | cash | loyalty` (issue 12; docs/insight.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from oms.cli import _wired, console
from oms.cli.insight import _day, _pct, report_app
from oms.domain.access import SYSTEM

if TYPE_CHECKING:
    from oms.services.reports import StageQuery

SINCE = typer.Option(None, "--from", help="First day placed (YYYY-MM-DD).")
UNTIL = typer.Option(None, "--to", help="Last day placed (YYYY-MM-DD), inclusive.")
CHANNEL = typer.Option(None, help="Only this channel.")
TZ = typer.Option("UTC", help="Time zone the --from/--to days are read in.")
CSV = typer.Option(None, "--csv", help="Also write the table to this CSV file.")


def _query(since: str | None, until: str | None, channel: str | None, tz: str) -> StageQuery:
    from oms.services.reports import StageQuery

    return StageQuery(_day(since, "from"), _day(until, "to"), channel, None, tz)


def _write(csv_file: Path | None, text: str) -> None:
    if csv_file is not None:
        csv_file.write_text(text, encoding="utf-8")
        console.print(f"wrote {escape(str(csv_file))}")


@report_app.command("perfect-orders")
def perfect_orders(
    since: str = SINCE, until: str = UNTIL, channel: str = CHANNEL, tz: str = TZ,
    csv_file: Path = CSV,
) -> None:  # fmt: skip
    """The perfect-order rate of delivered orders and its components: complete, on time,
    undamaged, no return for the seller's fault."""
    from oms.services import business_reports as b

    with _wired() as container:
        uow = container.uow()
        p = b.perfect_order(
            uow, container.business_facts(uow), SYSTEM, _query(since, until, channel, tz)
        )
    table = Table("component", "orders", "of delivered", "rate", title="perfect orders")
    for name, n, whole, rate in b.perfect_rows(p):
        table.add_row(name, str(n), str(whole), _pct(rate))
    console.print(table)
    _write(csv_file, b.perfect_csv(p))


@report_app.command("returns")
def returns(
    since: str = SINCE, until: str = UNTIL, channel: str = CHANNEL, tz: str = TZ,
    top: int = typer.Option(10, min=0, help="How many products to list."),
    csv_file: Path = CSV,
) -> None:  # fmt: skip
    """Return rates by product, reason and channel, and what returns cost."""
    from oms.services import business_reports as b

    with _wired() as container:
        uow = container.uow()
        r = b.returns(uow, container.business_facts(uow), SYSTEM, _query(since, until, channel, tz))
    for title, rates in (
        ("by product (units)", r.by_product[:top]),
        ("by reason (units)", r.by_reason),
        ("by channel (orders)", r.by_channel),
    ):
        table = Table("key", "returned", "of", "rate", title=f"returns {title}")
        for x in rates:
            table.add_row(escape(x.key), str(x.part), str(x.whole), _pct(x.rate))
        console.print(table)
    console.print(
        f"cost (minor units): refunds {r.refunds}, labels {r.labels}, written off at "
        f"price {r.written_off} ({r.written_off_units} units); total {r.total_cost}"
    )
    _write(csv_file, b.returns_csv(r))


@report_app.command("cash")
def cash(
    since: str = SINCE, until: str = UNTIL, channel: str = CHANNEL, tz: str = TZ,
    days: int = typer.Option(28, help="Days of shipments that days of cover are read from."),
    csv_file: Path = CSV,
) -> None:  # fmt: skip
    """Revenue booked, paid, refunded, outstanding per currency; stock value by location (at
    price: oms keeps no cost price) and days of cover."""
    from oms.services import business_reports as b

    with _wired() as container:
        uow = container.uow()
        c = b.cash_report(
            uow, container.business_facts(uow), SYSTEM, _query(since, until, channel, tz), days
        )
    table = Table(
        "currency",
        "orders",
        "booked",
        "paid",
        "refunded",
        "outstanding",
        title="cash (minor units)",
    )
    for x in c.lines:
        table.add_row(
            x.currency,
            str(x.orders),
            *(f"{v:,}" for v in (x.booked, x.paid, x.refunded, x.outstanding)),
        )
    console.print(table)
    stock = Table(
        "location", "currency", "units", "value at price", "shipped", "days of cover", title="stock"
    )
    for s in c.stock:
        cover = "" if s.days_of_cover is None else f"{s.days_of_cover:,.1f}"
        stock.add_row(
            s.location, s.currency, str(s.units), f"{s.value_minor:,}", str(s.shipped_units), cover
        )
    console.print(stock)
    for name, text in c.based_on.items():
        console.print(f"{name}: {text}")
    _write(csv_file, b.cash_csv(c))


@report_app.command("loyalty")
def loyalty(  # noqa: PLR0913
    since: str = SINCE, until: str = UNTIL, channel: str = CHANNEL, tz: str = TZ,
    months: int = typer.Option(12, help="Months of retention per cohort."),
    horizon: int = typer.Option(180, help="Ordered again within so many days."),
    csv_file: Path = typer.Option(None, "--csv", help="Also write the cohorts to this CSV file."),
) -> None:  # fmt: skip
    """Repeat-purchase rate, retention by month of first order, and who orders again after a
    late or on-time first delivery, a return or none (95% intervals, a two-proportion test)."""
    from oms.services import business_reports as b

    with _wired() as container:
        uow = container.uow()
        q = _query(since, until, channel, tz)
        found = b.loyalty_report(uow, container.business_facts(uow), SYSTEM, q, months, horizon)
    console.print(f"customers: {found.customers}, repeat: {found.repeat_customers} "
                  f"({_pct(found.repeat_rate)})")  # fmt: skip
    table = Table("first order", "group", "ordered again", "customers", "rate", "95% CI", "p",
                  title=f"ordered again within {found.horizon_days} days")  # fmt: skip
    for title, comp, labels in (
        ("delivery", found.after_late, ("late", "on time")),
        ("return", found.after_return, ("returned", "not returned")),
    ):
        p = "" if comp.p_value is None else f"{comp.p_value:.4f}"
        for label, g in zip(labels, (comp.worse, comp.better), strict=True):
            ci = g.interval
            table.add_row(title, label, str(g.ordered_again), str(g.customers), _pct(g.rate),
                          "" if ci is None else f"{ci[0]:.2%} .. {ci[1]:.2%}", p)  # fmt: skip
    console.print(table)
    _write(csv_file, b.cohort_csv(found))
