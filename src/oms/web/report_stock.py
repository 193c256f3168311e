"""The stock report pages (docs/planning.md, "Stock reports"): projected stock-out,
overstock, dead stock and stock value at cost, each with its parameters, a summary that
says what it is based on, the first rows and a CSV download of all of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from oms.domain.errors import InvalidInput
from oms.services import stock_reports
from oms.services import stock_reports_csv as csv
from oms.services.ports.stock_planning import StockPlanning
from oms.services.stock_reports import Rated
from oms.web.downloads import csv_download
from oms.web.shell import Page, PageDep, PageRoute, container
from oms.web.supplier_pages import money

router = APIRouter(include_in_schema=False, route_class=PageRoute)
SHOWN = 200  # rows on the page; the CSV has them all
NONE = "\u2013"


@dataclass
class Shown:
    facts: list[tuple[str, str]]
    header: list[str]
    rows: list[list[str]]
    total: int
    csv: str = ""
    notes: list[str] = field(default_factory=list)


def _store(page: Page) -> StockPlanning:
    return container(page.request).stock_planning(page.uow)


def _num(x: float | None, digits: int = 1) -> str:
    return NONE if x is None else f"{x:,.{digits}f}"


def _totals(totals: dict[str, int]) -> str:
    return ", ".join(money(v, c) for c, v in totals.items()) or "none"


def _rated(r: Rated) -> list[str]:
    h = r.holding
    coming = str(r.incoming_units) + (f" (from {r.next_expected})" if r.next_expected else "")
    return [h.location, h.sku, str(h.on_hand), str(h.available), coming, _num(r.daily, 2)]


RATED = ["Location", "SKU", "On hand", "Available", "Incoming", "Demand a day"]


def _stock_out(page: Page, p: dict[str, int]) -> Shown:
    r = stock_reports.stock_out(page.uow, _store(page), page.actor, p["days"], p["horizon_days"])
    return Shown(
        facts=[
            ("Today", str(r.today)),
            ("Rows with demand", str(len(r.rows))),
            (f"Out within {r.horizon_days} days", str(sum(1 for x in r.rows if x.stock_out))),
            ("Stock rows nobody asked for (left out)", str(r.without_demand)),
            ("Demand based on", r.based_on),
        ],
        header=[*RATED, "Days of cover", "Projected stock-out"],
        rows=[
            [
                *_rated(x.rated),
                _num(x.days_of_cover),
                str(x.stock_out or f"not within {r.horizon_days} days"),
            ]
            for x in r.rows[:SHOWN]
        ],
        total=len(r.rows),
        csv=csv.stock_out_csv(r),
    )


def _overstock(page: Page, p: dict[str, int]) -> Shown:
    r = stock_reports.overstock(page.uow, _store(page), page.actor, p["threshold_days"], p["days"])
    return Shown(
        facts=[
            ("Rows above the threshold", str(len(r.rows))),
            ("Excess value at cost", _totals(r.totals)),
            ("Rows without a cost price", str(r.without_cost)),
            ("Based on", r.based_on),
        ],
        header=[*RATED, "Days of cover", "Excess units", "Unit cost", "Excess value"],
        rows=[
            [
                *_rated(x.rated),
                _num(x.days_of_cover) if x.days_of_cover is not None else "no demand",
                str(x.excess_units),
                money(x.cost.cost_minor, x.cost.currency) if x.cost else "no cost price",
                money(x.excess_value_minor, x.cost.currency)
                if x.cost and x.excess_value_minor is not None
                else NONE,
            ]
            for x in r.rows[:SHOWN]
        ],
        total=len(r.rows),
        csv=csv.overstock_csv(r),
    )


def _dead(page: Page, p: dict[str, int]) -> Shown:
    r = stock_reports.dead_stock(page.uow, _store(page), page.actor, p["idle_days"])
    return Shown(
        facts=[
            ("Rows of dead stock", str(len(r.rows))),
            ("Value at cost", _totals(r.totals)),
            ("Rows without a cost price", str(r.without_cost)),
            ("Based on", r.based_on),
        ],
        header=["Location", "SKU", "On hand", "Last asked for", "Unit cost", "Value at cost"],
        rows=[
            [
                x.holding.location,
                x.holding.sku,
                str(x.holding.on_hand),
                str(x.last_demand or "never"),
                money(x.cost.cost_minor, x.cost.currency) if x.cost else "no cost price",
                money(x.value_minor, x.cost.currency)
                if x.cost and x.value_minor is not None
                else NONE,
            ]
            for x in r.rows[:SHOWN]
        ],
        total=len(r.rows),
        csv=csv.dead_stock_csv(r),
    )


def _value(page: Page, p: dict[str, int]) -> Shown:
    r = stock_reports.stock_value(page.uow, _store(page), page.actor)
    return Shown(
        facts=[("Value at cost", _totals(r.totals)), ("Based on", r.based_on)],
        header=["Location", "Currency", "Products", "Units on hand", "Value at cost"],
        rows=[
            [
                x.location,
                x.currency or "no cost price",
                str(x.products),
                str(x.units),
                money(x.value_minor, x.currency) if x.currency else NONE,
            ]
            for x in r.rows
        ],
        total=len(r.rows),
        csv=csv.stock_value_csv(r),
    )


Report = Callable[[Page, dict[str, int]], Shown]
Params = list[tuple[str, str, int]]  # name, label, default
DAYS = ("days", "Days of demand", 28)
PAGES: dict[str, tuple[str, str, Params, Report]] = {
    "stock-out": (
        "Projected stock-out",
        "Per product and location: available stock, incoming purchase orders from their"
        " expected day and the demand rate; the first open day short.",
        [DAYS, ("horizon_days", "Days ahead", 90)],
        _stock_out,
    ),
    "overstock": (
        "Overstock",
        "Stock rows with more days of cover than the threshold (or stock nobody asks for),"
        " the units above it valued at cost.",
        [("threshold_days", "Threshold in days of cover", 60), DAYS],
        _overstock,
    ),
    "dead-stock": (
        "Dead stock",
        "Stock on hand of products nobody asked for in so many days, valued at cost.",
        [("idle_days", "Days without demand", 90)],
        _dead,
    ),
    "stock-value": (
        "Stock value at cost",
        "Stock on hand at cost price, by location and currency.",
        [],
        _value,
    ),
}


def _params(kind: str, request: Request) -> tuple[dict[str, int], dict[str, str], dict[str, str]]:
    asked: dict[str, str] = {}
    values: dict[str, int] = {}
    errors: dict[str, str] = {}
    for name, _, default in PAGES[kind][2]:
        text = request.query_params.get(name, "")[:8].strip()
        asked[name] = text
        if not text:
            values[name] = default
        elif text.isdigit():
            values[name] = int(text)
        else:
            errors[name] = "a whole number of days"
    return values, asked, errors


def _show(page: Page, kind: str) -> tuple[Shown | None, dict[str, str], dict[str, str]]:
    values, asked, errors = _params(kind, page.request)
    if errors:
        return None, asked, errors
    try:
        return PAGES[kind][3](page, values), asked, errors
    except InvalidInput as error:
        return None, asked, {e.field: e.message for e in error.errors}


def _page(kind: str) -> None:
    @router.get(f"/reports/{kind}", name=f"report_{kind}")
    def show(page: PageDep) -> Response:
        shown, asked, errors = _show(page, kind)
        title, intro, params, _ = PAGES[kind]
        return page.render(
            "reports/stock.html",
            422 if errors else 200,
            kind=kind,
            title=title,
            intro=intro,
            params=params,
            asked=asked,
            errors=errors,
            shown=shown,
            limit=SHOWN,
            query=urlencode({k: v for k, v in asked.items() if v}),
        )

    @router.get(f"/reports/{kind}.csv", name=f"report_{kind}_csv")
    def download(page: PageDep) -> Response:
        shown, _, errors = _show(page, kind)
        if shown is None:
            return Response("; ".join(f"{k}: {v}" for k, v in errors.items()), status_code=422)
        return csv_download(shown.csv, f"{kind}.csv")


for _kind in PAGES:
    _page(_kind)
