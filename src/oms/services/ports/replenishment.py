"""What reorder levels and suggestions read and keep (adapters/db/replenishment.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Source:
    """A supplier that sells a product: its terms and the supplier's."""

    sku: str
    supplier: str
    supplier_name: str
    currency: str
    lead_time_days: int
    minimum_units: int
    cost_minor: int
    pack_size: int


@dataclass(frozen=True, slots=True)
class Receipt:
    """Units of a product that arrived on a purchase order, and when it had been sent."""

    supplier: str
    sku: str
    sent_at: datetime
    received_at: datetime


@dataclass(frozen=True, slots=True)
class LevelRow:
    """One product's reorder levels at one location, as stored by the last refresh."""

    sku: str
    location: str
    supplier: str
    abc_class: str
    service_level: float
    share: float
    lead_time_days: float
    lead_time_spread: float
    lead_time_source: str
    lead_time_demand: float
    cover_demand: float
    safety_stock: float
    safety_method: str
    reorder_point: float
    order_up_to: float
    model: str
    pattern: str
    computed_at: datetime


@dataclass(frozen=True, slots=True)
class Position:
    """Where a product stands at a location: available (on hand - reserved - held), on
    order (sent, not yet received) and in draft purchase orders."""

    available: int = 0
    on_order: int = 0
    drafted: int = 0


class RequestKeyTaken(Exception):
    """Another request took the Idempotency-Key first (its transaction is rolled back)."""


class ReplenishmentStore(Protocol):
    """Reads and writes of replenishment, inside the unit of work's transactions."""

    def sources(self) -> list[Source]:
        """Every (product, supplier) pair with its terms, by sku then supplier code."""

    def receipts(self) -> list[Receipt]:
        """Every receipt of a purchase order whose sending time is known."""

    def shipped(self, since: datetime) -> dict[tuple[str, str], float]:
        """(sku, location code) -> units shipped from the location since then."""

    def revenue(self, since: datetime, until: datetime) -> dict[str, float]:
        """sku -> ordered units x unit price (minor units) of orders placed in the window."""

    def shipping_locations(self) -> list[str]:
        """The codes of the locations that ship, by code."""

    def replace_levels(self, rows: Sequence[LevelRow]) -> None:
        """The refresh's rows replace every stored one."""

    def levels(self, sku: str | None = None, location: str | None = None) -> list[LevelRow]:
        """Stored rows, by sku then location."""

    def positions(self, skus: Sequence[str]) -> dict[tuple[str, str], Position]:
        """(location code, sku) -> its position, for the rows that have any."""

    def backorders(self, skus: Sequence[str]) -> dict[str, int]:
        """sku -> units open orders wait for."""

    def request(self, key: str) -> list[int] | None:
        """The purchase orders made under an Idempotency-Key, None if it is new."""

    def remember(
        self, key: str, purchase_order_ids: Sequence[int], actor: str, now: datetime
    ) -> None: ...
