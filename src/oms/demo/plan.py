"""What the demo's six weeks are drawn from (the shop, its buyers) and made of (steps).

The loader plans with these and the warehouse and the report read them, so they sit apart
from all three: none of those modules needs to import another to know these types.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from oms.domain.catalogue.model import NewProduct
from oms.domain.orders.model import Address, Customer


@dataclass(frozen=True, slots=True)
class Step:
    """One action at one moment of the simulated six weeks."""

    at: datetime
    action: Callable[[], object]
    places_order: bool = False


@dataclass(frozen=True, slots=True)
class Buyer:
    """Someone who orders, and where their parcels go."""

    customer: Customer
    address: Address


@dataclass(frozen=True, slots=True)
class Shop:
    """What the order generator draws from: products, how popular they are, who buys."""

    products: Sequence[NewProduct]
    popularity: Sequence[float]
    buyers: Sequence[Buyer]
    companies: Sequence[Buyer]
    prices: dict[str, Decimal]


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything the schedule is drawn from; one seeded generator makes it repeatable."""

    rng: random.Random
    shop: Shop
    start: datetime  # midnight of day 0: the catalogue and stock are set up that morning
    end: datetime  # the last midnight (UTC): nothing happens after it
    orders: int
    scale: float  # orders / 300: how much stock and receipts the order count calls for
