"""Request and answer bodies of checkout holds and the channel availability feed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StrictInt

from oms.api.schemas.common import Strict
from oms.domain.inventory.holds import HoldRequest
from oms.services.channel_availability import Sellable
from oms.services.holds import CreatedHold


class HoldLineIn(Strict):
    sku: Annotated[str, Field(max_length=64)]
    quantity: StrictInt


class HoldIn(Strict):
    channel: Annotated[str, Field(max_length=64)]
    lines: list[HoldLineIn]
    expires_in: StrictInt | None = Field(
        None, description="Seconds to keep the units (default: the channel's hold minutes)"
    )

    def to_domain(self) -> HoldRequest:
        return HoldRequest(
            self.channel, [(line.sku, line.quantity) for line in self.lines], self.expires_in
        )


class HoldLineOut(BaseModel):
    sku: str
    quantity: int
    held_quantity: int


class HoldOut(BaseModel):
    id: int
    channel: str
    expires_at: datetime
    lines: list[HoldLineOut]

    @classmethod
    def of(cls, hold: CreatedHold) -> HoldOut:
        return cls(
            id=hold.id,
            channel=hold.channel,
            expires_at=hold.expires_at,
            lines=[HoldLineOut(sku=x.sku, quantity=x.quantity, held_quantity=x.held_quantity)
                   for x in hold.lines],
        )  # fmt: skip


class SellableOut(BaseModel):
    sku: str
    available: int

    @classmethod
    def of(cls, item: Sellable) -> SellableOut:
        return cls(sku=item.sku, available=item.available)
