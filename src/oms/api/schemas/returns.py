"""Request and answer bodies of returns: starting one, its steps, the return itself."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StrictInt

from oms.api.schemas.common import PageQuery, Strict, Text
from oms.domain.returns.model import Inspected, Return
from oms.domain.returns.policy import RequestedLine
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.domain.returns.status import ReturnStatus
from oms.services.ports.returns import ReturnFilter
from oms.services.returns import ReceiveReturn, StartReturn

Units = Annotated[StrictInt, Field(ge=0, le=1_000_000)]
Sku = Annotated[str, Field(min_length=1, max_length=64)]


class ReturnLineIn(Strict):
    sku: Sku
    quantity: Annotated[StrictInt, Field(ge=1, le=1_000_000)]
    reason: ReturnReason
    note: Annotated[str, Field(max_length=2000)] | None = None


class ReturnIn(Strict):
    """`POST /orders/{id}/returns`."""

    lines: Annotated[list[ReturnLineIn], Field(min_length=1, max_length=200)]
    resolution: Resolution
    override_reason: Annotated[str, Field(max_length=500)] | None = None

    def to_command(self) -> StartReturn:
        return StartReturn(
            [RequestedLine(x.sku, x.quantity, x.reason, x.note or None) for x in self.lines],
            self.resolution,
            self.override_reason,
        )


class ReceivedLineIn(Strict):
    sku: Sku
    quantity: Units


class ReceiveIn(Strict):
    """`POST /returns/{id}/receive`: where the parcel arrived and what was in it."""

    location: Text
    lines: Annotated[list[ReceivedLineIn], Field(min_length=1, max_length=200)]

    def to_command(self) -> ReceiveReturn:
        return ReceiveReturn(self.location, [(x.sku, x.quantity) for x in self.lines])


class InspectedLineIn(Strict):
    sku: Sku
    resellable: Units
    damaged: Units


class InspectIn(Strict):
    """`POST /returns/{id}/inspect`: per SKU, the received units that can be sold again
    and those that cannot."""

    lines: Annotated[list[InspectedLineIn], Field(min_length=1, max_length=200)]

    def to_domain(self) -> list[Inspected]:
        return [Inspected(x.sku, x.resellable, x.damaged) for x in self.lines]


class ReturnFilters(Strict):
    status: ReturnStatus | None = None
    order_id: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None


class ReturnQuery(PageQuery, ReturnFilters):
    """`GET /returns`."""

    def to_filter(self, before_id: int | None) -> ReturnFilter:
        return ReturnFilter(
            status=self.status.value if self.status else None,
            order_id=self.order_id,
            before_id=before_id,
            limit=self.limit,
        )


class ReturnLineOut(BaseModel):
    sku: str
    quantity: int
    reason: ReturnReason
    note: str | None
    received_quantity: int
    resellable_quantity: int
    damaged_quantity: int


class ReturnOut(BaseModel):
    """A return. `refund_total` sums its refunds that succeeded (null before any);
    `exchange_order_id` is the replacement order of an exchange."""

    id: int
    number: str
    order_id: int
    status: ReturnStatus
    resolution: Resolution
    lines: list[ReturnLineOut]
    tracking_number: str | None
    refund_total: str | None
    exchange_order_id: int | None
    override_reason: str | None
    rejection_reason: str | None
    received_location: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, r: Return) -> ReturnOut:
        return cls(
            id=r.id,
            number=r.number,
            order_id=r.order_id,
            status=r.status,
            resolution=r.resolution,
            lines=[
                ReturnLineOut(
                    sku=ln.sku,
                    quantity=ln.quantity,
                    reason=ln.reason,
                    note=ln.note,
                    received_quantity=ln.received_quantity,
                    resellable_quantity=ln.resellable_quantity,
                    damaged_quantity=ln.damaged_quantity,
                )
                for ln in r.lines
            ],
            tracking_number=r.tracking_number,
            refund_total=str(r.refund_total) if r.refund_total else None,
            exchange_order_id=r.exchange_order_id,
            override_reason=r.override_reason,
            rejection_reason=r.rejection_reason,
            received_location=r.received_location,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
