"""What sourcing is asked about: the order's lines, the candidate locations, the quoter.

Both halves of sourcing read these (`sourcing` weighs up and explains, `sourcing_search`
searches), so they live in neither: each of the two imports them from here, and neither
needs the other's names to be declared first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from oms.domain.fulfilment.rates import Quote

# Prices one shipment: (location id, weight in grams) -> its quote, or None without a rate.
Quoter = Callable[[int, int], Quote | None]


@dataclass(frozen=True, slots=True)
class SourcingLine:
    """Units of one order line to source."""

    line_key: int
    product_id: int
    sku: str
    quantity: int
    unit_weight_grams: int


@dataclass(frozen=True, slots=True)
class SourcingCandidate:
    """A location that may ship, with what it can give this order per product."""

    location_id: int
    code: str
    priority: int
    stock: Mapping[int, tuple[int, int]]  # product_id -> (stock_id, units it can give)
