"""What incoming stock and the stock reports read (docs/planning.md, "Incoming stock" and
"Stock reports"): stock rows, units on open purchase orders, demand and shipments summed
in the database, and each product's cost price."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class IncomingLine:
    """Units of one purchase-order line still expected at a location (sent or partly
    received orders only)."""

    location: str
    product_id: int
    sku: str
    purchase_order_id: int
    units: int
    expected_on: date | None


@dataclass(frozen=True, slots=True)
class Holding:
    """A stock row with the figures the reports need; the location's working days and
    country (whose public holidays it is closed on)."""

    location: str
    working_days: frozenset[int]
    country: str
    product_id: int
    sku: str
    name: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True, slots=True)
class Demand:
    """A product's counted demand (the rule of domain/planning/demand.py) since a time."""

    units: int
    last_placed: datetime | None


@dataclass(frozen=True, slots=True)
class UnitCost:
    """The cost price a product is valued at: the lowest of its suppliers' (ties: the
    first supplier code)."""

    supplier: str
    currency: str
    cost_minor: int


@dataclass(frozen=True, slots=True)
class LocationValue:
    """Stock on hand at a location valued at cost, per cost currency; `currency` None: the
    units of products no supplier sells (no cost)."""

    location: str
    currency: str | None
    products: int
    units: int
    value_minor: int


class StockPlanning(Protocol):
    def incoming(self, product_ids: Sequence[int] | None = None) -> list[IncomingLine]:
        """Open purchase-order lines with units outstanding (all products: None), by
        location, expected date, purchase order."""

    def holdings(self) -> list[Holding]:
        """Stock rows with something on hand or reserved, by location code and SKU."""

    def demand(self, since: datetime, until: datetime) -> dict[int, Demand]:
        """Per product id, the units counted as demand in orders placed in [since, until)
        and the last such order's time (products without any are left out)."""

    def shipped(self, first: date, last: date) -> dict[tuple[str, int], int]:
        """(location code, product id) -> units shipped from [first, last] (not cancelled)."""

    def unit_costs(self) -> dict[int, UnitCost]:
        """Per product id that a supplier sells, its cost price."""

    def value_by_location(self) -> list[LocationValue]:
        """On hand at cost, summed in the database per location and cost currency."""
