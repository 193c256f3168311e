"""Checkout holds: units kept for a cart for a few minutes, and the rules that decide them.

A hold is not a stock move: it changes neither on hand nor reserved, so it leaves no ledger
row. It counts against `available` only while it is live (`now < expires_at`); past its
expiry it holds nothing, whoever looks, with no worker needed (decision 0007).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from oms.domain.errors import Conflict, FieldErrors

MAX_SECONDS = 24 * 3600
MAX_LINES = 100
MAX_QUANTITY = 1_000_000


class HoldEnd(StrEnum):
    """How a hold stopped holding (None while it is live or merely past its expiry)."""

    RELEASED = "released"  # DELETE /holds/{id}
    CONVERTED = "converted"  # an order took its units
    EXPIRED = "expired"  # the sweep found it past its expiry and deleted its units


@dataclass(frozen=True, slots=True)
class HoldRequest:
    """A cart asking for units: channel, (sku, quantity) lines, seconds to keep them."""

    channel: str
    lines: Sequence[tuple[str, int]]
    expires_in: int | None = None

    def check(self) -> None:
        """Shape rules; every broken one is reported (422), none short-circuits."""
        errors = FieldErrors()
        if not self.channel.strip():
            errors.add("channel", "must not be empty")
        if not self.lines:
            errors.add("lines", "a hold needs at least one line")
        if len(self.lines) > MAX_LINES:
            errors.add("lines", f"at most {MAX_LINES} lines")
        seen: set[str] = set()
        for i, (sku, quantity) in enumerate(self.lines):
            if not 1 <= quantity <= MAX_QUANTITY:
                errors.add(f"lines[{i}].quantity", f"must be between 1 and {MAX_QUANTITY}")
            if sku in seen:
                errors.add(f"lines[{i}].sku", "this SKU is already in the hold: one line per SKU")
            seen.add(sku)
        if self.expires_in is not None and not 1 <= self.expires_in <= MAX_SECONDS:
            errors.add("expires_in", f"seconds, between 1 and {MAX_SECONDS}")
        errors.raise_if_any()

    def expiry(self, now: datetime, default_minutes: int) -> datetime:
        """`expires_in` seconds from now, else the channel's hold minutes."""
        if self.expires_in is not None:
            return now + timedelta(seconds=self.expires_in)
        return now + timedelta(minutes=default_minutes)


@dataclass(frozen=True, slots=True)
class HeldUnits:
    """Units of one stock row kept by a hold."""

    product_id: int
    stock_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Hold:
    """A hold as stored: its units are those it still keeps (none once it has ended)."""

    id: int
    channel: str
    created_at: datetime
    expires_at: datetime
    created_by: str
    units: tuple[HeldUnits, ...] = ()
    ended: HoldEnd | None = None
    order_id: int | None = None

    def live(self, now: datetime) -> bool:
        return self.ended is None and now < self.expires_at

    def check_convertible(self, channel: str, now: datetime) -> None:
        """May an order of `channel` take this hold's units now? HoldNotUsable if not."""
        if self.channel != channel:
            raise FieldErrors.single(
                "hold_id", f"hold {self.id} is for channel {self.channel!r}, not {channel!r}"
            )
        if self.ended is HoldEnd.CONVERTED:
            raise HoldNotUsable(f"hold {self.id} was already taken by order id {self.order_id}")
        if self.ended is HoldEnd.RELEASED:
            raise HoldNotUsable(f"hold {self.id} was released")
        if not self.live(now):
            raise HoldNotUsable(
                f"hold {self.id} expired at {self.expires_at.isoformat()}; its units are free"
                " again: place the order without hold_id, or hold again"
            )


class HoldNotUsable(Conflict):
    """The hold ended (expired, released, or taken by an order): it holds nothing now."""

    title = "Hold no longer holds stock"


@dataclass(frozen=True, slots=True)
class HoldOption:
    """A shipping stock row a hold may take units from, with what is available on it."""

    stock_id: int
    product_id: int
    available: int
    location_priority: int


def plan_hold(wanted: Sequence[tuple[int, int]], options: Sequence[HoldOption]) -> list[HeldUnits]:
    """Which rows keep the units of each (product id, quantity): a hold has no address yet,
    so the highest-priority location first, then the one with most available, then the
    lowest row id. Takes what there is; never more than available (a hold never backorders)."""
    free = {o.stock_id: max(o.available, 0) for o in options}
    ranked = sorted(options, key=lambda o: (-o.location_priority, -o.available, o.stock_id))
    taken: list[HeldUnits] = []
    for product_id, quantity in wanted:
        left = quantity
        for o in ranked:
            if left <= 0:
                break
            if o.product_id != product_id or free[o.stock_id] <= 0:
                continue
            take = min(left, free[o.stock_id])
            free[o.stock_id] -= take
            left -= take
            taken.append(HeldUnits(product_id, o.stock_id, take))
    return taken


def give_way(units: Sequence[tuple[int, datetime, int]], shortfall: int) -> list[tuple[int, int]]:
    """Stock fell below reserved + held on a row: which holds give up how much, newest
    first (as reservations do). `units` is (hold id, created at, quantity) on that row."""
    takes: list[tuple[int, int]] = []
    for hold_id, _, quantity in sorted(units, key=lambda u: (u[1], u[0]), reverse=True):
        if shortfall <= 0:
            break
        take = min(quantity, shortfall)
        takes.append((hold_id, take))
        shortfall -= take
    return takes
