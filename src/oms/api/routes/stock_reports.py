"""The stock reports (docs/planning.md, "Stock reports"): projected stock-out, overstock,
dead stock and stock value at cost. `planning.read` (admin, buyer, analyst); CSV with
`format=csv`, as the other reports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from oms.api.deps import ActorDep, ContainerDep, UowDep
from oms.api.schemas.stock_reports import (
    CsvIn,
    DeadStockIn,
    DeadStockOut,
    OverstockIn,
    OverstockOut,
    StockOutIn,
    StockOutOut,
    StockValueOut,
)
from oms.services import stock_reports
from oms.services import stock_reports_csv as csv
from oms.web.downloads import csv_download

router = APIRouter(tags=["reports"])
CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "The report, or with format=csv its table"}
}


@router.get("/reports/stock-out", response_model=StockOutOut, responses=CSV)
def stock_out(
    query: Annotated[StockOutIn, Query()], container: ContainerDep, uow: UowDep, actor: ActorDep
) -> StockOutOut | Response:
    """Per product and location with demand: available, incoming purchase-order units from
    their expected day, the demand rate (`based_on` says from what), days of cover and the
    projected stock-out date (null: not within `horizon_days`), the soonest first."""
    store = container.stock_planning(uow)
    found = stock_reports.stock_out(uow, store, actor, query.days, query.horizon_days)
    if query.format == "csv":
        return csv_download(csv.stock_out_csv(found), "stock-out.csv")
    return StockOutOut.of(found)


@router.get("/reports/overstock", response_model=OverstockOut, responses=CSV)
def overstock(
    query: Annotated[OverstockIn, Query()], container: ContainerDep, uow: UowDep, actor: ActorDep
) -> OverstockOut | Response:
    """Stock rows with more than `threshold_days` of cover (or stock nobody asks for), the
    units above the threshold valued at cost; the largest value first."""
    store = container.stock_planning(uow)
    found = stock_reports.overstock(uow, store, actor, query.threshold_days, query.days)
    if query.format == "csv":
        return csv_download(csv.overstock_csv(found), "overstock.csv")
    return OverstockOut.of(found)


@router.get("/reports/dead-stock", response_model=DeadStockOut, responses=CSV)
def dead_stock(
    query: Annotated[DeadStockIn, Query()], container: ContainerDep, uow: UowDep, actor: ActorDep
) -> DeadStockOut | Response:
    """Stock on hand of products nobody asked for in `idle_days` days, valued at cost."""
    store = container.stock_planning(uow)
    found = stock_reports.dead_stock(uow, store, actor, query.idle_days)
    if query.format == "csv":
        return csv_download(csv.dead_stock_csv(found), "dead-stock.csv")
    return DeadStockOut.of(found)


@router.get("/reports/stock-value", response_model=StockValueOut, responses=CSV)
def stock_value(
    query: Annotated[CsvIn, Query()], container: ContainerDep, uow: UowDep, actor: ActorDep
) -> StockValueOut | Response:
    """Stock on hand at cost per location and cost currency (products without a cost price
    in a row of their own, `currency: null`)."""
    found = stock_reports.stock_value(uow, container.stock_planning(uow), actor)
    if query.format == "csv":
        return csv_download(csv.stock_value_csv(found), "stock-value.csv")
    return StockValueOut.of(found)
