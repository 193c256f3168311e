"""What checkout holds need from storage: holds, the units they keep, the live ones per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from oms.domain.inventory.holds import HeldUnits, Hold, HoldEnd


@dataclass(frozen=True, slots=True)
class LiveHold:
    """Units a live hold keeps on one stock row (for give-way and the stock page)."""

    hold_id: int
    channel: str
    created_at: datetime
    expires_at: datetime
    quantity: int


class HoldRepository(Protocol):
    def add(
        self, channel: str, span: tuple[datetime, datetime], actor: str, units: Sequence[HeldUnits]
    ) -> int:
        """Store a hold (span: created at, expires at) and its units; returns its id."""

    def get(self, hold_id: int, *, lock: bool = False) -> Hold | None:
        """The hold and the units it still keeps (lock: until commit, after stock rows)."""

    def end(self, hold_id: int, how: HoldEnd, now: datetime, order_id: int | None = None) -> bool:
        """Mark the hold ended and delete its units; False if it had ended already."""

    def live_at(self, stock_id: int, now: datetime) -> list[LiveHold]:
        """The live holds' units on one row, oldest first."""

    def reduce(self, hold_id: int, stock_id: int, quantity: int) -> None:
        """Take quantity off what a hold keeps on a row (stock fell below what it kept)."""

    def overdrawn(self, stock_ids: Sequence[int], now: datetime) -> list[int]:
        """Of these rows, those where on hand < reserved + live holds (never, when every
        writer keeps the rules; checked after a hold is written)."""

    def expired(self, now: datetime, limit: int) -> list[tuple[int, list[int]]]:
        """Holds past their expiry that still have units: (hold id, product ids)."""

    def expired_on(self, product_ids: Sequence[int], now: datetime) -> list[int]:
        """Holds past their expiry with units of these products (to sweep under their locks)."""
