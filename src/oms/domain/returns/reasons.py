"""Why a customer sends goods back: the seller's fault or the customer's choice."""

from __future__ import annotations

from enum import StrEnum


class ReturnReason(StrEnum):
    LATE = "late"
    WRONG_ITEM = "wrong_item"
    DAMAGED = "damaged"
    NOT_AS_DESCRIBED = "not_as_described"
    CHANGED_MIND = "changed_mind"
    NO_LONGER_NEEDED = "no_longer_needed"
    OTHER = "other"


R = ReturnReason

SELLERS_FAULT: frozenset[ReturnReason] = frozenset(
    {R.LATE, R.WRONG_ITEM, R.DAMAGED, R.NOT_AS_DESCRIBED}
)
CUSTOMERS_CHOICE: frozenset[ReturnReason] = frozenset(ReturnReason) - SELLERS_FAULT


def is_sellers_fault(reason: ReturnReason) -> bool:
    return reason in SELLERS_FAULT


class Resolution(StrEnum):
    """What the customer gets for the goods: money back or a replacement."""

    REFUND = "refund"
    EXCHANGE = "exchange"
