"""Stock rows, counts, adjustments and the ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from oms.api.deps import ActorDep, UowDep
from oms.api.pagination import PageDep, after_id, page, page_query
from oms.api.schemas.common import Page, PageQuery
from oms.api.schemas.stock import AdjustmentIn, CountIn, LedgerOut, StockOut
from oms.services import inventory

router = APIRouter(tags=["stock"])


@router.get("/stock")
def list_stock(
    uow: UowDep,
    actor: ActorDep,
    asked: PageDep,
    sku: str | None = None,
    location: str | None = None,
) -> Page[StockOut]:
    rows = inventory.list_stock(uow, actor, sku, location, after_id(asked), asked.limit)
    return page(rows, StockOut.of, asked, key=lambda r: r.stock_id)


@router.put("/stock/{location_code}/{sku}")
def count_stock(
    location_code: str, sku: str, body: CountIn, uow: UowDep, actor: ActorDep
) -> StockOut:
    return StockOut.of(inventory.count_stock(uow, actor, body.to_change(location_code, sku)))


@router.post("/stock/{location_code}/{sku}/adjustments")
def adjust_stock(
    location_code: str, sku: str, body: AdjustmentIn, uow: UowDep, actor: ActorDep
) -> StockOut:
    return StockOut.of(inventory.adjust_stock(uow, actor, body.to_change(location_code, sku)))


@router.get("/stock/{location_code}/{sku}/ledger")
def stock_ledger(
    location_code: str,
    sku: str,
    uow: UowDep,
    actor: ActorDep,
    asked: Annotated[PageQuery, Depends(page_query(default_limit=100))],
) -> Page[LedgerOut]:
    rows = inventory.stock_ledger(uow, actor, location_code, sku, after_id(asked), asked.limit)
    return page(rows, LedgerOut.of, asked, key=lambda r: r.id)
