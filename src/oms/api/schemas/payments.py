"""Request and answer bodies of money: payments, refunds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from oms.api.schemas.common import Amount, Strict, amount
from oms.domain.payments.model import Payment, Refund, RefundStatus
from oms.services.payments import MAX_REFERENCE, RecordPayment


class PaymentIn(Strict):
    """`POST /orders/{id}/payments`: money received. A repeat with the same provider and
    `reference` records nothing and answers the first payment (200)."""

    amount: Amount
    provider: Annotated[str, Field(max_length=32)] = "manual"
    reference: Annotated[str, Field(max_length=MAX_REFERENCE)] | None = None

    def to_command(self) -> RecordPayment:
        return RecordPayment(self.amount, self.provider, self.reference)


class PaymentOut(BaseModel):
    id: int
    order_id: int
    amount: str
    currency: str
    provider: str
    reference: str
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, p: Payment) -> PaymentOut:
        return cls(
            id=p.id,
            order_id=p.order_id,
            amount=amount(p.amount, p.currency),
            currency=p.currency,
            provider=p.provider,
            reference=p.reference,
            created_by=p.created_by,
            created_at=p.created_at,
        )


class RefundLineOut(BaseModel):
    order_line_id: int
    sku: str
    quantity: int
    amount: str


class RefundPartOut(BaseModel):
    payment_id: int
    provider: str
    amount: str
    reference: str | None = Field(description="The provider's refund reference, once done")
    error: str | None


class RefundOut(BaseModel):
    """A refund: `amount` = the lines + `shipping` - `deducted` (return shipping the
    customer pays) - `capped` (what would have gone past the order's payments)."""

    id: int
    order_id: int
    return_id: int | None
    amount: str
    currency: str
    status: RefundStatus
    reason: str
    lines: list[RefundLineOut]
    shipping: str
    deducted: str
    capped: str
    parts: list[RefundPartOut]
    error: str | None
    attempts: int
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, r: Refund) -> RefundOut:
        cur = r.currency
        return cls(
            id=r.id,
            order_id=r.order_id,
            return_id=r.return_id,
            amount=amount(r.amount, cur),
            currency=cur,
            status=r.status,
            reason=r.reason,
            lines=[
                RefundLineOut(
                    order_line_id=x.order_line_id,
                    sku=x.sku,
                    quantity=x.quantity,
                    amount=amount(x.amount, cur),
                )
                for x in r.lines
            ],
            shipping=amount(r.shipping, cur),
            deducted=amount(r.deducted, cur),
            capped=amount(r.capped, cur),
            parts=[
                RefundPartOut(
                    payment_id=p.payment_id,
                    provider=p.provider,
                    amount=amount(p.amount, cur),
                    reference=p.reference,
                    error=p.error,
                )
                for p in r.parts
            ],
            error=r.error,
            attempts=r.attempts,
            created_by=r.created_by,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
