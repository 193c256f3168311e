"""Stock rows, ledger kinds, and the pure policies that decide where stock is reserved."""

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
    CORRECTION = "correction"


@dataclass(frozen=True, slots=True)
class StockLevel:
    """One product at one location: what is there and what is promised."""

    location_id: int
    product_id: int
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True, slots=True)
class StockOption:
    """A stock row that may serve demand, as the reservation policy sees it."""

    stock_id: int
    location_id: int
    product_id: int
    available: int
    location_priority: int = 0


@dataclass(frozen=True, slots=True)
class Demand:
    """Units of one product that one order line still needs."""

    line_key: int
    product_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Allocation:
    """The decision to reserve `quantity` units of a stock row for one line."""

    line_key: int
    stock_id: int
    location_id: int
    product_id: int
    quantity: int


def plan_reservations(
    demands: Sequence[Demand], options: Sequence[StockOption]
) -> list[Allocation]:
    """Reserve from the location that can serve most of the order, then the next best.

    After each location takes what it can, the rest of the order is ranked again, so an
    order splits over as few locations as the stock allows. Ties go to the location's
    priority (higher first), then its id. What no location can serve is left out: the
    caller backorders it.
    """
    remaining = {d.line_key: d.quantity for d in demands if d.quantity > 0}
    product_of = {d.line_key: d.product_id for d in demands}
    left = {o.stock_id: max(o.available, 0) for o in options}
    by_location: dict[int, list[StockOption]] = {}
    for option in options:
        by_location.setdefault(option.location_id, []).append(option)
    priority = {o.location_id: o.location_priority for o in options}
    plan: list[Allocation] = []
    unused = set(by_location)
    while unused and any(remaining.values()):

        def servable(location_id: int) -> int:
            stock = {o.product_id: left[o.stock_id] for o in by_location[location_id]}
            return sum(min(q, stock.get(product_of[k], 0)) for k, q in remaining.items())

        best = min(unused, key=lambda loc: (-servable(loc), -priority[loc], loc))
        unused.discard(best)
        if servable(best) == 0:
            break
        rows = {o.product_id: o for o in by_location[best]}
        for key, need in sorted(remaining.items()):
            row = rows.get(product_of[key])
            take = min(need, left[row.stock_id]) if row else 0
            if row is None or take <= 0:
                continue
            left[row.stock_id] -= take
            remaining[key] -= take
            plan.append(Allocation(key, row.stock_id, best, row.product_id, take))
    return plan


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


def plan_backorder_fill(
    backorders: Sequence[Backorder], options: Sequence[StockOption]
) -> list[Allocation]:
    """Serve waiting lines in queue order from the stock that is now available."""
    plan: list[Allocation] = []
    for backorder in backorder_queue(backorders):
        line_options = [o for o in options if o.product_id == backorder.product_id]
        plan.extend(
            plan_reservations(
                [Demand(backorder.line_key, backorder.product_id, backorder.quantity)], line_options
            )
        )
        taken = {a.stock_id: a.quantity for a in plan if a.line_key == backorder.line_key}
        options = [
            StockOption(
                o.stock_id,
                o.location_id,
                o.product_id,
                o.available - taken.get(o.stock_id, 0),
                o.location_priority,
            )
            for o in options
        ]
    return plan


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

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


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
