"""Bodies of order problems: what a customer reported, and how it was resolved."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from oms.api.schemas.common import Strict
from oms.domain.orders.draft import MAX_NOTE
from oms.domain.orders.problems import MAX_RESOLUTION, Problem, ProblemReason

CustomerReason = Literal["missing_item", "wrong_item", "damaged", "never_arrived"]


class ProblemIn(Strict):
    """A problem the customer reported to customer service (by phone, by e-mail)."""

    reason: CustomerReason
    note: Annotated[str | None, Field(max_length=MAX_NOTE)] = None


class ResolutionIn(Strict):
    resolution: Annotated[
        str, Field(min_length=1, max_length=MAX_RESOLUTION, description="What was done")
    ]


class ProblemOut(BaseModel):
    id: int
    order_id: int
    shipment_id: int | None
    reason: ProblemReason = Field(
        description="missing_item, wrong_item, damaged, never_arrived (reported by the"
        " customer); lost or undeliverable (a parcel lost, or back after failed attempts)"
    )
    note: str | None
    reported_by: str = Field(description="customer, system, a carrier code or a user's name")
    reported_at: datetime
    open: bool
    resolved_by: str | None
    resolved_at: datetime | None
    resolution: str | None

    @classmethod
    def of(cls, p: Problem) -> ProblemOut:
        return cls(
            id=p.id,
            order_id=p.order_id,
            shipment_id=p.shipment_id,
            reason=p.reason,
            note=p.note,
            reported_by=p.reported_by,
            reported_at=p.reported_at,
            open=p.is_open,
            resolved_by=p.resolved_by,
            resolved_at=p.resolved_at,
            resolution=p.resolution,
        )
