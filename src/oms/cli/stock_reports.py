"""`oms report stock-out | overstock | dead-stock | stock-value` (issue 13; docs/planning.md,
"Stock reports"): the stock reports at cost, each with what it is based on, and --csv."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from oms.cli import _wired, console
from oms.cli.insight import report_app
from oms.cli.insight_business import CSV, _write
from oms.domain.access import SYSTEM

DAYS = typer.Option(28, help="Days of demand (before today) the daily rate is the mean of.")
TOP = typer.Option(30, min=0, help="How many rows to print (the CSV has them all).")


def _n(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def _money(minor: int | None, currency: str | None) -> str:
    return "no cost" if minor is None or currency is None else f"{minor:,} {currency}"


@report_app.command("stock-out")
def stock_out(
    days: int = DAYS,
    horizon: int = typer.Option(90, help="Days ahead to project."),
    top: int = TOP,
    csv_file: Path = CSV,
) -> None:
    """Projected stock-out date per product and location: available stock, incoming
    purchase orders from their expected day, the demand rate; the soonest first."""
    from oms.services import stock_reports as s
    from oms.services.stock_reports_csv import stock_out_csv

    with _wired() as container:
        uow = container.uow()
        r = s.stock_out(uow, container.stock_planning(uow), SYSTEM, days, horizon)
    title = f"projected stock-out (today {r.today})"
    table = Table("location", "sku", "available", "incoming", "next expected", "per day",
                  "cover (days)", "stock-out", title=title)  # fmt: skip
    for x in r.rows[:top]:
        h = x.rated.holding
        out = str(x.stock_out or f"not within {horizon} days")
        table.add_row(h.location, escape(h.sku), str(h.available), str(x.rated.incoming_units),
                      str(x.rated.next_expected or "-"), _n(x.rated.daily, 2),
                      _n(x.days_of_cover), out)  # fmt: skip
    console.print(table)
    console.print(f"{len(r.rows)} rows with demand; {r.without_demand} stock rows nobody asked for")
    console.print(f"based on: {r.based_on}")
    _write(csv_file, stock_out_csv(r))


@report_app.command("overstock")
def overstock(
    threshold: int = typer.Option(60, help="More days of cover than this is overstock."),
    days: int = DAYS,
    top: int = TOP,
    csv_file: Path = CSV,
) -> None:
    """Stock rows with more cover than the threshold (or stock nobody asks for), the units
    above it valued at cost (minor units); the largest value first."""
    from oms.services import stock_reports as s
    from oms.services.stock_reports_csv import overstock_csv

    with _wired() as container:
        uow = container.uow()
        r = s.overstock(uow, container.stock_planning(uow), SYSTEM, threshold, days)
    table = Table("location", "sku", "available", "per day", "cover (days)", "excess units",
                  "excess value", title=f"overstock (above {threshold} days)")  # fmt: skip
    for x in r.rows[:top]:
        h = x.rated.holding
        currency = x.cost.currency if x.cost else None
        table.add_row(h.location, escape(h.sku), str(h.available), _n(x.rated.daily, 2),
                      _n(x.days_of_cover) if x.days_of_cover is not None else "no demand",
                      str(x.excess_units), _money(x.excess_value_minor, currency))  # fmt: skip
    console.print(table)
    _totals(r.totals, r.without_cost, r.based_on)
    _write(csv_file, overstock_csv(r))


def _totals(totals: dict[str, int], without: int, based_on: str) -> None:
    shown = ", ".join(f"{v:,} {c}" for c, v in totals.items()) or "none"
    console.print(f"total at cost (minor units): {shown}; {without} rows without a cost price")
    console.print(f"based on: {based_on}")


@report_app.command("dead-stock")
def dead_stock(
    idle: int = typer.Option(90, help="No demand in so many days is dead stock."),
    top: int = TOP,
    csv_file: Path = CSV,
) -> None:
    """Stock on hand of products nobody asked for in --idle days, valued at cost."""
    from oms.services import stock_reports as s
    from oms.services.stock_reports_csv import dead_stock_csv

    with _wired() as container:
        uow = container.uow()
        r = s.dead_stock(uow, container.stock_planning(uow), SYSTEM, idle)
    table = Table("location", "sku", "on hand", "last asked", "value at cost",
                  title=f"dead stock (no demand in {idle} days)")  # fmt: skip
    for x in r.rows[:top]:
        h = x.holding
        currency = x.cost.currency if x.cost else None
        table.add_row(h.location, escape(h.sku), str(h.on_hand), str(x.last_demand or "never"),
                      _money(x.value_minor, currency))  # fmt: skip
    console.print(table)
    _totals(r.totals, r.without_cost, r.based_on)
    _write(csv_file, dead_stock_csv(r))


@report_app.command("stock-value")
def stock_value(csv_file: Path = CSV) -> None:
    """Stock on hand at cost per location and cost currency (minor units)."""
    from oms.services import stock_reports as s
    from oms.services.stock_reports_csv import stock_value_csv

    with _wired() as container:
        uow = container.uow()
        r = s.stock_value(uow, container.stock_planning(uow), SYSTEM)
    table = Table("location", "currency", "products", "units", "value at cost",
                  title="stock value at cost")  # fmt: skip
    for x in r.rows:
        table.add_row(x.location, x.currency or "no cost price", str(x.products), str(x.units),
                      _money(x.value_minor if x.currency else None, x.currency))  # fmt: skip
    console.print(table)
    _totals(r.totals, sum(1 for x in r.rows if x.currency is None), r.based_on)
    _write(csv_file, stock_value_csv(r))
