"""What stock use cases need from storage: stock rows, reservations, the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from oms.domain.inventory.model import (
    Discrepancy,
    HeldReservation,
    LedgerEntry,
    StockOption,
    StockRow,
    StoredLedgerEntry,
)


@dataclass(frozen=True, slots=True)
class Reservation:
    id: int
    order_id: int
    order_line_id: int
    stock_id: int
    quantity: int
    created_at: datetime
    location_id: int = 0
    per_unit: int = 1  # stock units per unit of the line: a kit's component quantity

    def held(self) -> HeldReservation:
        return HeldReservation(self.id, self.quantity, self.created_at)


@dataclass(frozen=True, slots=True)
class NewReservation:
    order_id: int
    order_line_id: int
    stock_id: int
    quantity: int
    per_unit: int = 1


class StockRepository(Protocol):
    def lock_row(self, location_id: int, product_id: int, now: datetime) -> StockRow:
        """The row for (location, product), created empty if missing, locked until commit."""

    def lock_rows(self, stock_ids: Sequence[int]) -> None:
        """Lock these rows in id order (the one lock order every writer keeps)."""

    def lock_options(self, product_ids: Sequence[int]) -> list[StockOption]:
        """Lock and return the rows of shipping locations that hold these products."""

    def read_options(self, product_ids: Sequence[int]) -> list[StockOption]:
        """The same rows as lock_options, not locked (a plan the conditional updates check)."""

    def reserve(self, requests: Sequence[tuple[int, int]]) -> bool:
        """For each (stock_id, quantity), atomically add to reserved if that much is
        available; False if any one was not (the caller then rolls back)."""

    def release(self, stock_id: int, quantity: int) -> bool: ...
    def change_on_hand(self, stock_id: int, delta: int) -> bool:
        """Atomically add delta to on hand unless that would leave less than reserved."""

    def set_on_hand(self, stock_id: int, on_hand: int) -> bool: ...
    def add_reservations(self, reservations: Sequence[NewReservation], now: datetime) -> None: ...
    def reduce_reservation(self, reservation_id: int, quantity: int) -> None: ...
    def reservations_at(self, stock_id: int) -> list[Reservation]: ...
    def reservations_of(self, order_id: int) -> list[Reservation]: ...
    def append_ledger(self, entries: Sequence[LedgerEntry]) -> None: ...
    def ledger(
        self, stock_id: int, after_id: int | None, limit: int
    ) -> list[StoredLedgerEntry]: ...
    def find(self, location_code: str, sku: str) -> StockRow | None: ...
    def search(
        self, sku: str | None, location: str | None, after_id: int | None, limit: int
    ) -> list[StockRow]: ...
    def consume(self, stock_id: int, quantity: int) -> bool:
        """Units leave with a shipment: on hand and reserved both fall by quantity."""

    def set_bin(self, stock_id: int, bin_code: str | None) -> None: ...
    def bins(self, location_id: int, product_ids: Sequence[int]) -> dict[int, str | None]:
        """Each product's bin at the location (None: the location's default bin)."""

    def row_of(self, location_id: int, product_id: int) -> StockRow | None: ...
    def set_levels(self, stock_id: int, on_hand: int, reserved: int) -> None:
        """Overwrite both figures (a repair; the caller writes the correction row)."""

    def discrepancies(self) -> list[Discrepancy]: ...
    def available_by_sku(
        self, sku: str | None, after_sku: str | None, limit: int
    ) -> list[tuple[str, int]]:
        """(SKU, available at shipping locations less live holds) of products on sale, by
        SKU after `after_sku`; only `sku` when given (none if it is unknown)."""
