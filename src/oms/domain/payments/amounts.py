"""Exact arithmetic in a currency's minor units (whole cents, whole yen).

Two rules make refunds add up: an order discount is spread over its lines by the largest
remainder (the shares sum to the discount exactly), and the price of some units of a line
is a difference of cumulative floors, so that however a line is refunded, in one go or
unit by unit, the parts sum to exactly what the line cost and never to more.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from oms.domain.money import minor_unit, quantum


def to_minor(amount: Decimal, currency: str) -> int:
    """The amount in whole minor units; the amount must fit the currency (checked before)."""
    return int(amount.scaleb(minor_unit(currency)).to_integral_value())


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-minor_unit(currency)).quantize(quantum(currency))


def spread(amount: int, weights: Sequence[int]) -> list[int]:
    """Split `amount` minor units over parts in proportion to `weights` (largest remainder,
    earlier parts first on a tie): the shares are whole and sum to `amount` exactly.

    All-zero weights share nothing (a discount on free lines has nowhere to go: the caller
    refuses it first)."""
    if amount < 0 or any(w < 0 for w in weights):
        raise ValueError("spread takes non-negative amounts and weights")
    total = sum(weights)
    if total == 0:
        if amount:
            raise ValueError("nothing to spread over")
        return [0 for _ in weights]
    shares = [amount * w // total for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for i in remainders[: amount - sum(shares)]:
        shares[i] += 1
    return shares


def units_cost(line_total: int, quantity: int, before: int, units: int) -> int:
    """What `units` units of a line cost, when `before` of its units were already counted:
    floor(total x (before + units) / quantity) - floor(total x before / quantity). Summed
    over any split of the line's units, this is `line_total` exactly."""
    if quantity <= 0 or before < 0 or units < 0 or before + units > quantity:
        raise ValueError(f"{units} units after {before} of {quantity}")
    if line_total < 0:
        raise ValueError("a line costs 0 or more")
    return line_total * (before + units) // quantity - line_total * before // quantity
