"""Payments received for an order and refunds sent back, and the order's payment status.

A payment is money captured through a provider (the built-in `manual` provider records
money received by other means). A refund is computed by oms (refunds.py), then asked of the
provider: it is `pending` until the provider answers, then `succeeded` or `failed`; a
failed refund keeps its error and may be retried, with the same idempotency key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from oms.domain.state_machine import StateMachine


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


def payment_status(due: Decimal, paid: Decimal, refunded: Decimal) -> PaymentStatus:
    """`due` is what the order costs now (cancelled units no longer count); `paid` the
    payments captured; `refunded` the refunds confirmed."""
    if refunded > 0:
        return PaymentStatus.REFUNDED if refunded >= paid else PaymentStatus.PARTIALLY_REFUNDED
    if paid >= due:
        return PaymentStatus.PAID
    return PaymentStatus.PARTIALLY_PAID if paid > 0 else PaymentStatus.UNPAID


@dataclass(frozen=True, slots=True)
class Payment:
    """Money received for an order, captured through `provider`."""

    id: int
    order_id: int
    provider: str
    reference: str  # the provider's own reference (a bank transfer's, a platform's id)
    amount: Decimal
    currency: str
    created_by: str
    created_at: datetime


class RefundStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


R = RefundStatus
REFUND_STATES = StateMachine(
    "refund",
    R.PENDING,
    {
        R.PENDING: frozenset({R.SUCCEEDED, R.FAILED}),
        R.FAILED: frozenset({R.PENDING}),  # a retry
        R.SUCCEEDED: frozenset(),
    },
)


@dataclass(frozen=True, slots=True)
class RefundLine:
    """Units of one order line refunded, and what they cost the customer."""

    order_line_id: int
    sku: str
    quantity: int
    amount: Decimal


@dataclass(slots=True)
class RefundPart:
    """The share of a refund sent back through one payment."""

    payment_id: int
    provider: str
    amount: Decimal
    reference: str | None = None  # the provider's refund reference, once it succeeded
    error: str | None = None


@dataclass(slots=True)
class Refund:
    """Money going back to the customer, for a return or cancelled units.

    amount = lines + shipping - deducted - capped: each part is kept so the customer and
    the books can see how it was reached."""

    id: int
    order_id: int
    return_id: int | None
    reason: str
    currency: str
    lines: list[RefundLine]
    shipping: Decimal  # the order's shipping, given back
    deducted: Decimal  # return shipping the customer pays
    capped: Decimal  # what would have gone past the order's payments
    amount: Decimal
    created_by: str
    created_at: datetime
    updated_at: datetime
    status: RefundStatus = RefundStatus.PENDING
    parts: list[RefundPart] = field(default_factory=list)
    error: str | None = None
    attempts: int = 0
    version: int = 1

    def move(self, target: RefundStatus, now: datetime) -> None:
        REFUND_STATES.check(self.status, target, f"mark as {target.value}")
        self.status = target
        self.updated_at = now
