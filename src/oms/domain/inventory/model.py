"""Stock rows, ledger kinds, and the pure policies of who is served first and who gives way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class LedgerKind(StrEnum):
    """Why a stock row moved; each ledger row carries its on-hand and reserved deltas."""

    RECEIPT = "receipt"
    ADJUSTMENT = "adjustment"
    COUNT = "count"
    RESERVATION = "reservation"
    RELEASE = "release"
    SHIPMENT = "shipment"
    RETURN = "return"
    WRITE_OFF = "write_off"
    TRANSFER = "transfer"
    CORRECTION = "correction"


@dataclass(frozen=True, slots=True)
class StockOption:
    """A stock row that may serve demand, as the reservation policy sees it."""

    stock_id: int
    location_id: int
    product_id: int
    available: int
    location_priority: int = 0
    location_code: str = ""
    country: str = ""
    # The location has local delivery settings: its own drivers may serve the address
    # (services/local_delivery.py reads them only when some candidate has them).
    delivers_locally: bool = False


@dataclass(frozen=True, slots=True)
class Allocation:
    """A backlog plan's decision to reserve `quantity` units of a stock row for one line."""

    line_key: int
    stock_id: int
    location_id: int
    product_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Backorder:
    """An order line waiting for stock, with what decides who is served first."""

    line_key: int
    product_id: int
    quantity: int
    priority: int
    placed_at: datetime
    order_id: int


def backorder_queue(backorders: Sequence[Backorder]) -> list[Backorder]:
    """Highest priority first, then oldest, then lowest order id (a total, stable order)."""
    return sorted(backorders, key=lambda b: (-b.priority, b.placed_at, b.order_id, b.line_key))


@dataclass(frozen=True, slots=True)
class HeldReservation:
    """A reservation on one stock row, as the take-back policy sees it."""

    reservation_id: int
    quantity: int
    created_at: datetime


def plan_take_back(
    reservations: Sequence[HeldReservation], shortfall: int
) -> list[tuple[int, int]]:
    """Which reservations give up how much when stock falls below reserved: newest first."""
    takes: list[tuple[int, int]] = []
    newest_first = sorted(
        reservations, key=lambda r: (r.created_at, r.reservation_id), reverse=True
    )
    for reservation in newest_first:
        if shortfall <= 0:
            break
        take = min(reservation.quantity, shortfall)
        takes.append((reservation.reservation_id, take))
        shortfall -= take
    return takes


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One movement of a stock row: the deltas it made and why."""

    stock_id: int
    kind: LedgerKind
    on_hand_delta: int
    reserved_delta: int
    actor: str
    at: datetime
    reason: str | None = None
    order_id: int | None = None
    order_line_id: int | None = None


@dataclass(frozen=True, slots=True)
class StockRow:
    """A stock row as users see it: location code and SKU rather than ids."""

    stock_id: int
    location_id: int
    product_id: int
    location: str
    sku: str
    on_hand: int
    reserved: int
    ships: bool = True
    bin: str | None = None
    held: int = 0  # units kept by live checkout holds (inventory/holds.py)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved - self.held


@dataclass(frozen=True, slots=True)
class StoredLedgerEntry:
    id: int
    entry: LedgerEntry


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A stock row whose stored figures differ from what its ledger and reservations say."""

    stock_id: int
    location: str
    sku: str
    on_hand: int
    reserved: int
    ledger_on_hand: int
    ledger_reserved: int
    open_reservations: int
