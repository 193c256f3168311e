"""Request and answer bodies of stock: rows, counts, adjustments and the ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StrictInt

from oms.api.schemas.common import Strict
from oms.domain.inventory.model import StockRow, StoredLedgerEntry
from oms.services.inventory import StockChange


class CountIn(Strict):
    on_hand: StrictInt
    bin: Annotated[str, Field(max_length=32)] | None = Field(
        None, description="Where the product sits at this location"
    )
    reason: Annotated[str, Field(max_length=500)] | None = None

    def to_change(self, location: str, sku: str) -> StockChange:
        return StockChange(location, sku, self.reason, on_hand=self.on_hand, bin=self.bin)


class AdjustmentIn(Strict):
    delta: StrictInt
    reason: Annotated[str, Field(max_length=500)]

    def to_change(self, location: str, sku: str) -> StockChange:
        return StockChange(location, sku, self.reason, delta=self.delta)


class StockOut(BaseModel):
    location: str
    sku: str
    on_hand: int
    reserved: int
    available: int
    bin: str | None

    @classmethod
    def of(cls, row: StockRow) -> StockOut:
        return cls(
            location=row.location,
            sku=row.sku,
            on_hand=row.on_hand,
            reserved=row.reserved,
            available=row.available,
            bin=row.bin,
        )


class LedgerOut(BaseModel):
    id: int
    kind: str
    on_hand_delta: int
    reserved_delta: int
    reason: str | None
    order_id: int | None
    order_line_id: int | None
    actor: str
    at: datetime

    @classmethod
    def of(cls, stored: StoredLedgerEntry) -> LedgerOut:
        e = stored.entry
        return cls(
            id=stored.id,
            kind=e.kind.value,
            on_hand_delta=e.on_hand_delta,
            reserved_delta=e.reserved_delta,
            reason=e.reason,
            order_id=e.order_id,
            order_line_id=e.order_line_id,
            actor=e.actor,
            at=e.at,
        )
