"""Reports: stage times, the bottleneck and the late rates (API.md, "Reports")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from oms.api.deps import ActorDep, ContainerDep, UowDep
from oms.api.schemas.business_reports import (
    CashIn,
    CashOut,
    LoyaltyIn,
    LoyaltyOut,
    PerfectOrderOut,
    ReturnsOut,
    WindowIn,
)
from oms.api.schemas.reports import (
    AgingOut,
    AgingQueryIn,
    FlowOut,
    FlowQueryIn,
    StageTimesOut,
    StageTimesQuery,
)
from oms.services import business_reports as business
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


# -- service, returns, cash, loyalty (issue 12) ---------------------------------------------


@router.get("/reports/perfect-orders", response_model=PerfectOrderOut, responses=CSV)
def perfect_orders(
    query: Annotated[WindowIn, Query()], container: ContainerDep, uow: UowDep, actor: ActorDep
) -> PerfectOrderOut | Response:
    """The perfect-order rate of delivered orders and its components (complete, on time,
    undamaged, no return for the seller's fault), each with what it is based on."""
    found = business.perfect_order(uow, container.business_facts(uow), actor, query.to_query())
    if query.format == "csv":
        return csv_download(business.perfect_csv(found), "perfect-orders.csv")
    return PerfectOrderOut.of(found)


@router.get("/reports/returns", response_model=ReturnsOut, responses=CSV)
def returns_rates(
    query: Annotated[WindowIn, Query()], container: ContainerDep, uow: UowDep, actor: ActorDep
) -> ReturnsOut | Response:
    """Return rates by product, reason and channel, and what returns cost."""
    found = business.returns(uow, container.business_facts(uow), actor, query.to_query())
    if query.format == "csv":
        return csv_download(business.returns_csv(found), "returns.csv")
    return ReturnsOut.of(found)


@router.get("/reports/cash", response_model=CashOut, responses=CSV)
def cash(
    query: Annotated[CashIn, Query()], container: ContainerDep, uow: UowDep, actor: ActorDep
) -> CashOut | Response:
    """Revenue booked, paid, refunded and outstanding per currency; stock value by location
    (at price: oms keeps no cost price) and days of cover."""
    facts = container.business_facts(uow)
    found = business.cash_report(uow, facts, actor, query.to_query(), query.days)
    if query.format == "csv":
        return csv_download(business.cash_csv(found), "cash.csv")
    return CashOut.of(found)


@router.get("/reports/loyalty", response_model=LoyaltyOut, responses=CSV)
def loyalty(
    query: Annotated[LoyaltyIn, Query()], container: ContainerDep, uow: UowDep, actor: ActorDep
) -> LoyaltyOut | Response:
    """Repeat-purchase rate, retention by cohort (month of first order; CSV: the cohorts),
    and who orders again after a late or on-time first delivery, a return or none."""
    facts = container.business_facts(uow)
    q = query.to_query()
    found = business.loyalty_report(uow, facts, actor, q, query.months, query.horizon_days)
    if query.format == "csv":
        return csv_download(business.cohort_csv(found), "cohorts.csv")
    return LoyaltyOut.of(found)
