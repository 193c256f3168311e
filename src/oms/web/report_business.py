"""Four more report pages (issue 12): perfect orders, returns, cash and loyalty. Each shows
its summary, its tables, a chart (SVG drawn on the server) and a CSV download, filtered by
the days placed, the channel and the time zone the days are read in."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from oms.domain.errors import InvalidInput
from oms.services import business_reports as business
from oms.services.reports import StageQuery
from oms.web.downloads import csv_download
from oms.web.shell import Page, PageDep, PageRoute, container

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Shown:
    """What a page shows: facts (label, value), tables, one chart."""

    facts: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    chart: tuple[list[str], list[float], str, str] | None = None
    csv: str = ""


NONE = "\u2013"  # an en dash: no figure


def _pct(x: float | None) -> str:
    return NONE if x is None else f"{100 * x:.2f}%"


def _money(minor: dict[str, int]) -> str:
    return ", ".join(f"{c} {v / 100:,.2f}" for c, v in minor.items()) or "none"


def _perfect(page: Page, q: StageQuery) -> Shown:
    p = business.perfect_order(page.uow, _facts(page), page.actor, q)
    rows = business.perfect_rows(p)
    return Shown(
        facts=[("Delivered orders", str(p.delivered)), ("Perfect orders", _pct(p.rate(p.perfect)))],
        sections=[
            Section(
                "Components",
                ["Component", "Orders", "Of delivered", "Rate", "Based on"],
                [
                    [c.replace("_", " "), str(n), str(w), _pct(r), PERFECT_BASIS.get(c, "")]
                    for c, n, w, r in rows
                ],
            )
        ],
        chart=(
            [c.replace("_", " ") for c, *_ in rows[:5]],
            [100 * (r or 0.0) for *_, r in rows[:5]],
            f"Share of {p.delivered} delivered orders meeting each component",
            "%",
        ),
        csv=business.perfect_csv(p),
    )


def _returns(page: Page, q: StageQuery) -> Shown:
    r = business.returns(page.uow, _facts(page), page.actor, q)
    head = ["Key", "Returned", "Of", "Rate"]

    def table(rates: list[Any]) -> list[list[str]]:
        return [[x.key, str(x.part), str(x.whole), _pct(x.rate)] for x in rates]

    top = r.by_product[:20]
    return Shown(
        facts=[
            ("Refunds for returns", _money(r.refunds)),
            ("Return labels", _money(r.labels)),
            (f"Written off ({r.written_off_units} damaged units, at price)", _money(r.written_off)),
            ("Total cost", _money(r.total_cost)),
        ],
        sections=[
            Section("By reason (units)", head, table(r.by_reason)),
            Section("By channel (delivered orders with a return)", head, table(r.by_channel)),
            Section("By product (units; the 20 highest rates)", head, table(top)),
        ],
        chart=(
            [x.key for x in r.by_channel],
            [100 * (x.rate or 0.0) for x in r.by_channel],
            "Delivered orders with a return, per channel",
            "%",
        )
        if r.by_channel
        else None,
        csv=business.returns_csv(r),
    )


def _cash(page: Page, q: StageQuery) -> Shown:
    c = business.cash_report(page.uow, _facts(page), page.actor, q)
    money = [
        [x.currency, str(x.orders)]
        + [f"{v / 100:,.2f}" for v in (x.booked, x.paid, x.refunded, x.outstanding)]
        for x in c.lines
    ]
    stock = [
        [
            s.location,
            s.currency,
            str(s.units),
            f"{s.value_minor / 100:,.2f}",
            str(s.shipped_units),
            NONE if s.days_of_cover is None else f"{s.days_of_cover:,.1f}",
        ]
        for s in c.stock
    ]
    return Shown(
        facts=[(k.replace("_", " ").capitalize() + " based on", v) for k, v in c.based_on.items()],
        sections=[
            Section(
                "Revenue",
                ["Currency", "Orders", "Booked", "Paid", "Refunded", "Outstanding"],
                money,
            ),
            Section(
                f"Stock by location (value at price; days of cover over {c.days} days)",
                ["Location", "Currency", "Units", "Value at price", "Shipped", "Days of cover"],
                stock,
            ),
        ],
        chart=(
            [s.location + " " + s.currency for s in c.stock],
            [s.value_minor / 100 for s in c.stock],
            "Stock value at price, by location",
            "",
        )
        if c.stock
        else None,
        csv=business.cash_csv(c),
    )


def _loyalty(page: Page, q: StageQuery) -> Shown:
    found = business.loyalty_report(page.uow, _facts(page), page.actor, q)
    rows = []
    for name, comp, labels in (
        ("Late first delivery", found.after_late, ("late", "on time")),
        ("Return of the first order", found.after_return, ("returned", "not returned")),
    ):
        p = NONE if comp.p_value is None else f"{comp.p_value:.4f}"
        for label, g in zip(labels, (comp.worse, comp.better), strict=True):
            ci = g.interval
            span = NONE if ci is None else f"{_pct(ci[0])} to {_pct(ci[1])}"
            rows.append(
                [name, label, str(g.ordered_again), str(g.customers), _pct(g.rate), span, p]
            )
    months = max((len(c.retention) for c in found.cohorts), default=0)
    cohorts = [[c.month, str(c.customers), *map(_pct, c.retention)] for c in found.cohorts]
    return Shown(
        facts=[
            ("Customers", str(found.customers)),
            ("Repeat-purchase rate", f"{_pct(found.repeat_rate)} ({found.repeat_customers})"),
        ],
        sections=[
            Section(
                f"Ordered again within {found.horizon_days} days",
                [
                    "First order",
                    "Group",
                    "Ordered again",
                    "Customers",
                    "Rate",
                    "95% interval",
                    "p (two-proportion test)",
                ],
                rows,
            ),
            Section(
                "Retention by month of first order",
                ["Cohort", "Customers", *(f"Month {k}" for k in range(1, months + 1))],
                cohorts,
            ),
        ],
        chart=(
            [c.month for c in found.cohorts],
            [100 * (c.retention[0] or 0.0) for c in found.cohorts],
            "Customers ordering again in the month after their first, per cohort",
            "%",
        )
        if found.cohorts
        else None,
        csv=business.cohort_csv(found),
    )


PERFECT_BASIS = {
    "complete": "every unit ordered delivered, none cancelled",
    "on_time": "not delivered after the promised day",
    "undamaged": "no damage reported, no return for damage",
    "no_sellers_fault_return": "no return for late, wrong, damaged, not as described",
    "split_into_parcels": "shown only",
}
PAGES: dict[str, tuple[str, str, Callable[[Page, StageQuery], Shown]]] = {
    "perfect-orders": ("Perfect orders", "Delivered orders that were complete, on time, "
                       "undamaged and not returned for the seller's fault.", _perfect),
    "returns": ("Returns", "Return rates by product, reason and channel, and their cost.",
                _returns),
    "cash": ("Cash and stock", "Revenue booked, paid, refunded and outstanding; stock value "
             "and days of cover by location.", _cash),
    "loyalty": ("Loyalty", "Repeat purchases, retention by month of first order, and who "
                "orders again after a late delivery or a return.", _loyalty),
}  # fmt: skip


def _facts(page: Page) -> Any:
    return container(page.request).business_facts(page.uow)


def _query(since: str, until: str, channel: str, tz: str, errors: dict[str, str]) -> StageQuery:
    days: dict[str, date | None] = {}
    for name, text in (("from", since), ("to", until)):
        try:
            days[name] = date.fromisoformat(text[:10]) if text else None
        except ValueError:
            errors[name] = "a date, YYYY-MM-DD"
            days[name] = None
    return StageQuery(days["from"], days["to"], channel[:64] or None, None, tz[:64] or "UTC")


def _show(page: Page, kind: str, since: str, until: str, channel: str, tz: str) -> tuple[
    StageQuery, Shown | None, dict[str, str]
]:  # fmt: skip
    errors: dict[str, str] = {}
    q = _query(since, until, channel, tz, errors)
    if errors:
        return q, None, errors
    try:
        return q, PAGES[kind][2](page, q), errors
    except InvalidInput as error:
        return q, None, {e.field: e.message for e in error.errors}


def _page(kind: str) -> None:
    @router.get(f"/reports/{kind}", name=f"report_{kind}")
    def show(
        page: PageDep,
        since: Annotated[str, Query(alias="from")] = "",
        until: Annotated[str, Query(alias="to")] = "",
        channel: str = "",
        tz: str = "UTC",
    ) -> Response:
        _, shown, errors = _show(page, kind, since, until, channel, tz)
        chart = None
        if shown is not None and shown.chart is not None:
            svg = container(page.request).charts().bar_chart(*shown.chart)
            chart = base64.b64encode(svg.encode()).decode()
        asked = {"from": since[:10], "to": until[:10], "channel": channel[:64], "tz": tz[:64]}
        title, intro, _ = PAGES[kind]
        return page.render(
            "reports/business.html",
            kind=kind,
            title=title,
            intro=intro,
            asked=asked,
            errors=errors,
            shown=shown,
            chart=chart,
            params=urlencode({k: v for k, v in asked.items() if v}),
        )

    @router.get(f"/reports/{kind}.csv", name=f"report_{kind}_csv")
    def download(
        page: PageDep,
        since: Annotated[str, Query(alias="from")] = "",
        until: Annotated[str, Query(alias="to")] = "",
        channel: str = "",
        tz: str = "UTC",
    ) -> Response:
        _, shown, errors = _show(page, kind, since, until, channel, tz)
        if shown is None:
            return Response("; ".join(f"{k}: {v}" for k, v in errors.items()), status_code=422)
        return csv_download(shown.csv, f"{kind}.csv")


for _kind in PAGES:
    _page(_kind)
