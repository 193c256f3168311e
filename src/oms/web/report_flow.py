"""Two more report pages: work in progress per stage per day with Little's law, and open
orders by age with those late now; each with its chart or table and CSV download."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from oms.domain.errors import InvalidInput
from oms.domain.insight.flow import Flow, Waiting
from oms.services import reports
from oms.web.downloads import csv_download
from oms.web.shell import Page, PageDep, PageRoute, container

router = APIRouter(include_in_schema=False, route_class=PageRoute)
DEFAULT_DAYS = 30


def _days(page: Page, since: str, until: str, errors: dict[str, str]) -> tuple[date, date]:
    today = page.uow.now().date()
    days = {}
    for name, text, default in (
        ("to", until, today),
        ("from", since, today - timedelta(days=DEFAULT_DAYS - 1)),
    ):
        try:
            days[name] = date.fromisoformat(text[:10]) if text else default
        except ValueError:
            errors[name] = "a date, YYYY-MM-DD"
            days[name] = default
    if days["from"] > days["to"] and not errors:
        errors["from"] = "must not be after to"
    return days["from"], days["to"]


def _flow(
    page: Page, since: str, until: str, channel: str, location: str, tz: str
) -> tuple[reports.FlowQuery, Flow | None, dict[str, str]]:
    errors: dict[str, str] = {}
    first, last = _days(page, since, until, errors)
    q = reports.FlowQuery(
        first, last, channel[:64] or None, location[:32] or None, tz[:64] or "UTC"
    )
    if errors:
        return q, None, errors
    try:
        timelines = container(page.request).timelines(page.uow)
        return q, reports.work_in_progress(page.uow, timelines, page.actor, q), errors
    except InvalidInput as error:
        return q, None, {e.field: e.message for e in error.errors}


@router.get("/reports/work-in-progress")
def wip_page(
    page: PageDep,
    since: Annotated[str, Query(alias="from")] = "",
    until: Annotated[str, Query(alias="to")] = "",
    channel: str = "",
    location: str = "",
    tz: str = "UTC",
) -> Response:
    q, found, errors = _flow(page, since, until, channel, location, tz)
    chart = None
    if found is not None:
        title = f"Orders waiting at the end of each day, {q.since} to {q.until} ({q.time_zone})"
        svg = container(page.request).charts().wip_chart(found, title)
        chart = base64.b64encode(svg.encode()).decode()
    asked = {"from": q.since.isoformat(), "to": q.until.isoformat(), "channel": q.channel or "",
             "location": q.location or "", "tz": q.time_zone}  # fmt: skip
    return page.render(
        "reports/wip.html",
        q=q,
        found=found,
        errors=errors,
        chart=chart,
        params=urlencode({k: v for k, v in asked.items() if v}),
        stages=list(Waiting),
    )


@router.get("/reports/work-in-progress.csv")
def wip_csv(
    page: PageDep,
    since: Annotated[str, Query(alias="from")] = "",
    until: Annotated[str, Query(alias="to")] = "",
    channel: str = "",
    location: str = "",
    tz: str = "UTC",
) -> Response:
    _, found, errors = _flow(page, since, until, channel, location, tz)
    if found is None:
        return Response("; ".join(f"{k}: {v}" for k, v in errors.items()), status_code=422)
    return csv_download(reports.flow_csv(found), "work-in-progress.csv")


@router.get("/reports/open-orders")
def aging_page(page: PageDep, channel: str = "", history: str = "") -> Response:
    source = container(page.request).open_orders(page.uow)
    found = reports.open_orders_aging(page.uow, source, page.actor, channel[:64], bool(history))
    asked = urlencode(
        {k: v for k, v in {"channel": channel[:64], "history": history[:1]}.items() if v}
    )
    return page.render(
        "reports/aging.html", found=found, channel=channel[:64], history=bool(history), params=asked
    )


@router.get("/reports/open-orders.csv")
def aging_csv(page: PageDep, channel: str = "", history: str = "") -> Response:
    source = container(page.request).open_orders(page.uow)
    found = reports.open_orders_aging(page.uow, source, page.actor, channel[:64], bool(history))
    return csv_download(reports.aging_csv(found), "open-orders.csv")
