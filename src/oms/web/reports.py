"""The reports pages of stage times: the stage table of delivered orders with its chart (SVG,
drawn on the server), the bottleneck, the late rates and where late orders lost their time;
the bottleneck week by week with its chart; each filtered like the API, with a CSV."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from oms.domain.errors import InvalidInput
from oms.domain.insight.stages import STEPS, GroupBy, Hours
from oms.services import reports
from oms.web.downloads import csv_download
from oms.web.shell import Page, PageDep, PageRoute, container

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@dataclass
class ReportForm:
    since: str = ""
    until: str = ""
    channel: str = ""
    location: str = ""
    tz: str = "UTC"
    hours: str = Hours.CALENDAR.value
    errors: dict[str, str] = field(default_factory=dict)

    def params(self) -> str:
        asked = {
            "from": self.since,
            "to": self.until,
            "channel": self.channel,
            "location": self.location,
            "tz": self.tz,
            "hours": self.hours,
        }
        return urlencode({k: v for k, v in asked.items() if v})

    def query(self, by: GroupBy | None = None) -> reports.StageQuery | None:
        days = {
            name: self._day(name, text) for name, text in (("from", self.since), ("to", self.until))
        }
        try:
            hours = Hours(self.hours)
        except ValueError:
            self.errors["hours"] = "calendar or working"
            hours = Hours.CALENDAR
        if self.errors:
            return None
        return reports.StageQuery(
            days["from"],
            days["to"],
            self.channel or None,
            self.location or None,
            self.tz or "UTC",
            hours,
            by,
        )

    def _day(self, name: str, text: str) -> date | None:
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.errors[name] = "a date, YYYY-MM-DD"
            return None


def _form(
    since: Annotated[str, Query(alias="from")] = "",
    until: Annotated[str, Query(alias="to")] = "",
    channel: str = "",
    location: str = "",
    tz: str = "UTC",
    hours: str = "calendar",
) -> ReportForm:
    """The filters as typed in the query string (cut to their fields' lengths)."""
    return ReportForm(since[:10], until[:10], channel[:64], location[:32], tz[:64], hours[:16])


FormDep = Annotated[ReportForm, Depends(_form)]


def _run(page: Page, form: ReportForm, by: GroupBy | None = None) -> reports.StageTimes | None:
    q = form.query(by)
    if q is None:
        return None
    try:
        return reports.stage_times(
            page.uow, container(page.request).timelines(page.uow), page.actor, q
        )
    except InvalidInput as error:
        for e in error.errors:
            form.errors[e.field] = e.message
        return None


@router.get("/reports")
def reports_page(page: PageDep, form: FormDep) -> Response:
    found = _run(page, form)
    chart = None
    if found is not None and found.report.orders:
        title = (
            f"Hours in each stage ({found.query.hours.value} hours), {found.report.orders} orders"
        )
        svg = container(page.request).charts().stage_chart(found.report, title)
        chart = base64.b64encode(svg.encode()).decode()
    return page.render(
        "reports/stage_times.html", form=form, found=found, chart=chart, rounded=reports.rounded
    )


@router.get("/reports/stage-times.csv")
def reports_csv(page: PageDep, form: FormDep) -> Response:
    found = _run(page, form)
    if found is None:
        return _refused(form)
    return csv_download(reports.stage_csv(found), "stage-times.csv")


@router.get("/reports/trend")
def trend_page(page: PageDep, form: FormDep) -> Response:
    """The bottleneck week by week: each step's median, the step with the largest, the late
    rate and the step in which that week's late orders lost the most hours."""
    found = _run(page, form, GroupBy.WEEK)
    weeks = reports.trend(found) if found else []
    chart = None
    if found is not None and weeks:
        medians = {stage: [w.medians[stage] for w in weeks] for stage in STEPS}
        title = f"Median {found.query.hours.value} hours per step, {len(weeks)} weeks"
        labels = [w.week for w in weeks]
        svg = container(page.request).charts().trend_chart(labels, medians, title)
        chart = base64.b64encode(svg.encode()).decode()
    return page.render(
        "reports/trend.html", form=form, found=found, chart=chart, weeks=weeks, steps=STEPS
    )


@router.get("/reports/trend.csv")
def trend_csv(page: PageDep, form: FormDep) -> Response:
    found = _run(page, form, GroupBy.WEEK)
    if found is None:
        return _refused(form)
    return csv_download(reports.trend_csv(found), "bottleneck-trend.csv")


def _refused(form: ReportForm) -> Response:
    """A CSV asked for with invalid filters: 422, each field's error in the text."""
    return Response("; ".join(f"{k}: {v}" for k, v in form.errors.items()), status_code=422)
