"""How much goes back to the customer, computed by oms and never sent by a client.

For units of a line (returned and inspected, or cancelled before they shipped): what the
customer paid for them, their share of the line's discount (order discounts were already
spread over the lines at placement) and of its tax. For a return, plus the order's shipping
when the return is the seller's fault and nothing else of the order remains to be given
back; less the return parcel when the policy charges the customer for it. For cancelled
units, plus the shipping when no unit of the order ever shipped. Never more than the
order's payments not already refunded (or being refunded); never below zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from oms.domain.payments.amounts import units_cost


@dataclass(frozen=True, slots=True)
class PricedLine:
    """An order line as refunds see it: what the whole line cost, in minor units."""

    id: int
    sku: str
    quantity: int
    charged: int
    cancelled: int
    shipped: int


@dataclass(frozen=True, slots=True)
class Basis:
    """The order's money so far, in minor units: payments captured, refunds already made
    or under way (`claimed`), units of each line already refunded (`refunded_units`, of
    which `returned_units` came back in returns, the rest were cancelled), and whether its
    shipping was already given back."""

    lines: Sequence[PricedLine]
    shipping: int
    paid: int
    claimed: int
    refunded_units: Mapping[int, int]
    shipping_refunded: bool
    returned_units: Mapping[int, int] | None = None  # None: all refunded units came back


@dataclass(frozen=True, slots=True)
class PlannedLine:
    line_id: int
    sku: str
    quantity: int
    amount: int


@dataclass(frozen=True, slots=True)
class RefundPlan:
    lines: tuple[PlannedLine, ...]
    shipping: int
    deducted: int
    capped: int

    @property
    def amount(self) -> int:
        return sum(x.amount for x in self.lines) + self.shipping - self.deducted - self.capped


@dataclass(frozen=True, slots=True)
class ReturnTerms:
    """Why the goods came back and who pays their parcel: `sellers_fault` gives the
    outbound shipping back (once nothing else remains); `return_shipping` is deducted when
    `customer_pays` (the policy's rule for the return's reasons)."""

    sellers_fault: bool
    customer_pays: bool
    return_shipping: int


class NothingToRefund(Exception):
    """The units asked for were all refunded already."""


def for_return(basis: Basis, units: Mapping[int, int], terms: ReturnTerms) -> RefundPlan:
    """The refund of a return's inspected units (per order line id)."""
    lines = _lines(basis, units)
    shipping = 0
    if terms.sellers_fault and not basis.shipping_refunded and _nothing_left(basis, units):
        shipping = basis.shipping
    gross = sum(x.amount for x in lines) + shipping
    deducted = min(terms.return_shipping, gross) if terms.customer_pays else 0
    return _capped(basis, lines, shipping, deducted)


def for_cancelled(basis: Basis, units: Mapping[int, int]) -> RefundPlan:
    """The refund of units cancelled before they shipped (per order line id)."""
    lines = _lines(basis, units)
    nothing_shipped = all(line.shipped == 0 for line in basis.lines)
    shipping = 0
    if nothing_shipped and not basis.shipping_refunded and _all_cancelled(basis):
        shipping = basis.shipping
    return _capped(basis, lines, shipping, 0)


def _lines(basis: Basis, units: Mapping[int, int]) -> tuple[PlannedLine, ...]:
    by_id = {line.id: line for line in basis.lines}
    planned: list[PlannedLine] = []
    for line_id, n in sorted(units.items()):
        line = by_id[line_id]
        before = basis.refunded_units.get(line_id, 0)
        if n <= 0:
            continue
        if before + n > line.quantity:
            raise NothingToRefund(
                f"{line.sku}: {n} units asked, {line.quantity - before} not refunded yet"
            )
        planned.append(
            PlannedLine(line_id, line.sku, n, units_cost(line.charged, line.quantity, before, n))
        )
    if not planned:
        raise NothingToRefund("no units to refund")
    return tuple(planned)


def _nothing_left(basis: Basis, units: Mapping[int, int]) -> bool:
    """After these units, every unit of the order is cancelled or came back refunded
    (units refunded because they were cancelled are counted once, as cancelled)."""
    back = basis.refunded_units if basis.returned_units is None else basis.returned_units
    return all(
        line.cancelled + back.get(line.id, 0) + units.get(line.id, 0) >= line.quantity
        for line in basis.lines
    )


def _all_cancelled(basis: Basis) -> bool:
    """Every unit of the order is cancelled (the caller cancels before it refunds)."""
    return all(line.cancelled >= line.quantity for line in basis.lines)


def _capped(
    basis: Basis, lines: tuple[PlannedLine, ...], shipping: int, deducted: int
) -> RefundPlan:
    gross = sum(x.amount for x in lines) + shipping - deducted
    room = max(basis.paid - basis.claimed, 0)
    return RefundPlan(lines, shipping, deducted, max(gross - room, 0))


def for_edit(basis: Basis, drops: Mapping[int, int], due: int) -> RefundPlan | None:
    """The refund an order edit owes (`due`: what the order costs after the edit): what the
    edit took off each line's charge, never more than was paid beyond what the order now
    costs. Its lines refund no unit (quantity 0): the units are no longer on the order, so
    later refunds of the line's remaining units still add up to what they cost. None when
    nothing goes back (nothing taken off, or not paid beyond the new cost)."""
    lines = tuple(
        PlannedLine(line.id, line.sku, 0, drops[line.id])
        for line in basis.lines
        if drops.get(line.id, 0) > 0
    )
    room = basis.paid - basis.claimed - due
    if not lines or room <= 0:
        return None
    gross = sum(x.amount for x in lines)
    return RefundPlan(lines, 0, 0, max(gross - room, 0))
