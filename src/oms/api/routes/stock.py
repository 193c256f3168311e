"""Stock rows, counts, adjustments and the ledger."""

from __future__ import annotations

from fastapi import APIRouter, Query

from oms.api.deps import ActorDep, UowDep
from oms.api.pagination import decode_int, encode
from oms.api.schemas.common import Page
from oms.api.schemas.stock import AdjustmentIn, CountIn, LedgerOut, StockOut
from oms.services import inventory
from oms.services.inventory import StockChange

router = APIRouter(tags=["stock"])


@router.get("/stock")
def list_stock(
    uow: UowDep,
    actor: ActorDep,
    sku: str | None = None,
    location: str | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Page[StockOut]:
    rows = inventory.list_stock(uow, actor, sku, location, decode_int(cursor), limit)
    return Page(
        items=[StockOut.of(r) for r in rows],
        next_cursor=encode(rows[-1].stock_id) if len(rows) == limit else None,
    )


@router.put("/stock/{location_code}/{sku}")
def count_stock(
    location_code: str, sku: str, body: CountIn, uow: UowDep, actor: ActorDep
) -> StockOut:
    change = StockChange(location_code, sku, body.reason, on_hand=body.on_hand, bin=body.bin)
    return StockOut.of(inventory.count_stock(uow, actor, change))


@router.post("/stock/{location_code}/{sku}/adjustments")
def adjust_stock(
    location_code: str, sku: str, body: AdjustmentIn, uow: UowDep, actor: ActorDep
) -> StockOut:
    change = StockChange(location_code, sku, body.reason, delta=body.delta)
    return StockOut.of(inventory.adjust_stock(uow, actor, change))


@router.get("/stock/{location_code}/{sku}/ledger")
def stock_ledger(
    location_code: str,
    sku: str,
    uow: UowDep,
    actor: ActorDep,
    cursor: str | None = None,
    limit: int = Query(100, ge=1, le=200),
) -> Page[LedgerOut]:
    rows = inventory.stock_ledger(uow, actor, location_code, sku, decode_int(cursor), limit)
    return Page(
        items=[LedgerOut.of(r) for r in rows],
        next_cursor=encode(rows[-1].id) if len(rows) == limit else None,
    )
