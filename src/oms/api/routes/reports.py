"""Reports: stage times, the bottleneck and the late rates (API.md, "Reports")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from oms.api.deps import ActorDep, ContainerDep, UowDep
from oms.api.schemas.reports import (
    AgingOut,
    AgingQueryIn,
    FlowOut,
    FlowQueryIn,
    StageTimesOut,
    StageTimesQuery,
)
from oms.services import reports
from oms.web.downloads import csv_download

router = APIRouter(tags=["reports"])
CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {}},
        "description": "The stage times, or with format=csv their table",
    }
}


@router.get("/reports/stage-times", response_model=StageTimesOut, responses=CSV)
def stage_times(
    query: Annotated[StageTimesQuery, Query()],
    container: ContainerDep,
    uow: UowDep,
    actor: ActorDep,
) -> StageTimesOut | Response:
    """How long delivered orders took in each stage (count, mean, p50, p90, p99 hours; the
    percentiles by linear interpolation, as numpy's default), the bottleneck (largest median
    of the first three stages), the late-delivery and on-time ship rates. docs/insight.md."""
    found = reports.stage_times(uow, container.timelines(uow), actor, query.to_query())
    if query.format == "csv":
        return csv_download(reports.stage_csv(found), "stage-times.csv")
    return StageTimesOut.of(found)


@router.get("/reports/work-in-progress", response_model=FlowOut, responses=CSV)
def work_in_progress(
    query: Annotated[FlowQueryIn, Query()], container: ContainerDep, uow: UowDep, actor: ActorDep
) -> FlowOut | Response:
    """Orders waiting in each stage at the end of each day and those leaving it, and
    Little's law over the days (L against λ·W per stage). docs/insight.md."""
    found = reports.work_in_progress(uow, container.timelines(uow), actor, query.to_query())
    if query.format == "csv":
        return csv_download(reports.flow_csv(found), "work-in-progress.csv")
    return FlowOut.of(found)


@router.get("/reports/open-orders", response_model=AgingOut, responses=CSV)
def open_orders(
    query: Annotated[AgingQueryIn, Query()], container: ContainerDep, uow: UowDep, actor: ActorDep
) -> AgingOut | Response:
    """Open orders and backorders by age bucket, the 50 oldest first with where they wait,
    and the orders late now (to ship, to deliver) with how many days. docs/insight.md."""
    source = container.open_orders(uow)
    found = reports.open_orders_aging(uow, source, actor, query.channel, query.include_history)
    if query.format == "csv":
        return csv_download(reports.aging_csv(found), "open-orders.csv")
    return AgingOut.of(found)
