"""Stock moves: what each kind of move does to a stock row, and the ledger row it leaves.

Every change of a stock row is one of these moves, and every move leaves one ledger row
built here (`services/stock_moves.py` applies them); summing a row's ledger gives its
on hand and reserved figures, which is what `oms stock verify` checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oms.domain.inventory.model import LedgerEntry, LedgerKind

K = LedgerKind

# Per unit moved: (on hand, reserved). Counts, adjustments and transfers carry a signed
# quantity (a count below the books, a transfer out); the others a positive one.
UNIT_DELTAS: dict[LedgerKind, tuple[int, int]] = {
    K.RESERVATION: (0, 1),
    K.RELEASE: (0, -1),
    K.SHIPMENT: (-1, -1),
    K.RECEIPT: (1, 0),
    K.RETURN: (1, 0),
    K.WRITE_OFF: (-1, 0),
    K.COUNT: (1, 0),
    K.ADJUSTMENT: (1, 0),
    K.TRANSFER: (1, 0),
}
SIGNED: frozenset[LedgerKind] = frozenset({K.COUNT, K.ADJUSTMENT, K.TRANSFER})


class MoveRefused(Exception):
    """A move would leave a row with less on hand than reserved, or a negative figure."""


@dataclass(frozen=True, slots=True)
class Change:
    """Who moves stock, when, and why (for the ledger and the timeline)."""

    actor: str
    now: datetime
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class LineRef:
    """The order line a move was made for."""

    order_id: int
    line_id: int


def ledger_entry(
    kind: LedgerKind,
    stock_id: int,
    quantity: int,
    change: Change,
    line: LineRef | None = None,
) -> LedgerEntry:
    """The ledger row of `quantity` units moved by a move of this kind."""
    if kind not in UNIT_DELTAS:
        raise ValueError(f"{kind} is not a move (corrections come from `correction_entry`)")
    if (quantity == 0 and kind is not K.COUNT) or (quantity < 0 and kind not in SIGNED):
        raise ValueError(f"a {kind} moves a positive number of units, not {quantity}")
    on_hand, reserved = UNIT_DELTAS[kind]
    return LedgerEntry(
        stock_id,
        kind,
        on_hand * quantity,
        reserved * quantity,
        change.actor,
        change.now,
        change.reason,
        line.order_id if line else None,
        line.line_id if line else None,
    )


def correction_entry(
    stock_id: int, on_hand_delta: int, reserved_delta: int, change: Change
) -> LedgerEntry:
    """The row `oms stock verify --repair` writes so the ledger explains the repaired row."""
    return LedgerEntry(
        stock_id,
        K.CORRECTION,
        on_hand_delta,
        reserved_delta,
        change.actor,
        change.now,
        change.reason,
    )


def apply(on_hand: int, reserved: int, entry: LedgerEntry) -> tuple[int, int]:
    """A row's figures after the move; MoveRefused if it would break the row's rules."""
    after = (on_hand + entry.on_hand_delta, reserved + entry.reserved_delta)
    if after[1] < 0 or after[1] > after[0]:
        raise MoveRefused(
            f"{entry.kind} of stock row {entry.stock_id}: on hand {on_hand}, reserved "
            f"{reserved} would become on hand {after[0]}, reserved {after[1]}"
        )
    return after
