"""Stock rows, reservations and the ledger in memory; each conditional update refuses
exactly when the SQL one's WHERE clause would match no row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from oms.domain.inventory.model import (
    Discrepancy,
    LedgerEntry,
    StockOption,
    StockRow,
    StoredLedgerEntry,
)
from oms.services.ports.stock import NewReservation, Reservation
from tests.memory.base import MemoryRepository
from tests.memory.holds import live_held
from tests.memory.state import ConstraintViolation, StockRecord


def check_row(row: StockRecord) -> None:
    """The table's check constraints: 0 <= reserved <= on hand."""
    if not 0 <= row.reserved <= row.on_hand:
        raise ConstraintViolation(
            f"stock {row.id}: reserved {row.reserved} outside 0..{row.on_hand} (on hand)"
        )


class MemoryStock(MemoryRepository):
    def _row(self, r: StockRecord) -> StockRow:
        location = self.state.locations[r.location_id]
        product = self.state.products[r.product_id]
        return StockRow(
            r.id,
            r.location_id,
            r.product_id,
            location.code,
            product.sku,
            r.on_hand,
            r.reserved,
            location.ships,
            r.bin or location.default_bin,
            live_held(self.state, r.id, self._uow.now()),
        )

    def _record(self, location_id: int, product_id: int) -> StockRecord | None:
        return next(
            (
                r
                for r in self.state.stock.values()
                if (r.location_id, r.product_id) == (location_id, product_id)
            ),
            None,
        )

    def _change(self, stock_id: int, on_hand: int, reserved: int, touch: bool = True) -> bool:
        """Write both figures if the row exists; the constraint check stays the last word."""
        row = self.state.stock.get(stock_id)
        if row is None:
            return False
        row.on_hand, row.reserved = on_hand, reserved
        if touch:
            row.updated_at = self._uow.now()
        check_row(row)
        return True

    def lock_row(self, location_id: int, product_id: int, now: datetime) -> StockRow:
        row = self._record(location_id, product_id)
        if row is None:
            if location_id not in self.state.locations or product_id not in self.state.products:
                raise ConstraintViolation(f"no location {location_id} or product {product_id}")
            row = StockRecord(self.state.next_id("stock"), location_id, product_id, 0, 0, now)
            self.state.stock[row.id] = row
        return self._row(row)

    def lock_rows(self, stock_ids: Sequence[int]) -> None:
        """Nothing to lock: one transaction at a time runs in memory."""

    def read_options(self, product_ids: Sequence[int]) -> list[StockOption]:
        return self.lock_options(product_ids)

    def lock_options(self, product_ids: Sequence[int]) -> list[StockOption]:
        wanted = set(product_ids)
        options = []
        for r in sorted(self.state.stock.values(), key=lambda r: r.id):
            location = self.state.locations[r.location_id]
            if r.product_id in wanted and location.ships:
                options.append(
                    StockOption(
                        r.id,
                        r.location_id,
                        r.product_id,
                        r.on_hand - r.reserved - live_held(self.state, r.id, self._uow.now()),
                        location.priority,
                        location.code,
                        location.country,
                        r.location_id in self.state.local_delivery,
                    )
                )
        return options

    def reserve(self, requests: Sequence[tuple[int, int]]) -> bool:
        # One conditional update per request, in turn, as the SQL executemany does.
        took = 0
        for stock_id, quantity in requests:
            row = self.state.stock.get(stock_id)
            held = live_held(self.state, stock_id, self._uow.now())
            if row is not None and row.on_hand - row.reserved - held >= quantity:
                took += self._change(stock_id, row.on_hand, row.reserved + quantity, False)
        return took == len(requests)

    def release(self, stock_id: int, quantity: int) -> bool:
        row = self.state.stock.get(stock_id)
        if row is None or row.reserved < quantity:
            return False
        return self._change(stock_id, row.on_hand, row.reserved - quantity, False)

    def change_on_hand(self, stock_id: int, delta: int) -> bool:
        row = self.state.stock.get(stock_id)
        if row is None or row.on_hand + delta < row.reserved:
            return False
        return self._change(stock_id, row.on_hand + delta, row.reserved)

    def set_on_hand(self, stock_id: int, on_hand: int) -> bool:
        row = self.state.stock.get(stock_id)
        if row is None or row.reserved > on_hand:
            return False
        return self._change(stock_id, on_hand, row.reserved)

    def consume(self, stock_id: int, quantity: int) -> bool:
        row = self.state.stock.get(stock_id)
        if row is None or row.reserved < quantity:
            return False
        return self._change(stock_id, row.on_hand - quantity, row.reserved - quantity)

    def add_reservations(self, new: Sequence[NewReservation], now: datetime) -> None:
        for r in new:
            row = self.state.stock.get(r.stock_id)
            if row is None or r.quantity <= 0:
                raise ConstraintViolation(f"reservation of {r.quantity} on stock {r.stock_id}")
            reservation_id = self.state.next_id("reservations")
            self.state.reservations[reservation_id] = Reservation(
                reservation_id,
                r.order_id,
                r.order_line_id,
                r.stock_id,
                r.quantity,
                now,
                row.location_id,
                r.per_unit,
            )

    def reduce_reservation(self, reservation_id: int, quantity: int) -> None:
        """Take quantity off a reservation; one that reaches zero is deleted (one that
        holds less than quantity is left alone, as the SQL statements leave it)."""
        held = self.state.reservations.get(reservation_id)
        if held is None:
            return
        if held.quantity > quantity:
            self.state.reservations[reservation_id] = replace(
                held, quantity=held.quantity - quantity
            )
        elif held.quantity == quantity:
            del self.state.reservations[reservation_id]

    def reservations_at(self, stock_id: int) -> list[Reservation]:
        return [r for _, r in sorted(self.state.reservations.items()) if r.stock_id == stock_id]

    def reservations_of(self, order_id: int) -> list[Reservation]:
        return [r for _, r in sorted(self.state.reservations.items()) if r.order_id == order_id]

    def append_ledger(self, entries: Sequence[LedgerEntry]) -> None:
        for e in entries:
            if e.stock_id not in self.state.stock:
                raise ConstraintViolation(f"ledger row for unknown stock {e.stock_id}")
            self.state.ledger.append(StoredLedgerEntry(self.state.next_id("stock_ledger"), e))

    def ledger(self, stock_id: int, after_id: int | None, limit: int) -> list[StoredLedgerEntry]:
        rows = [
            e
            for e in self.state.ledger
            if e.entry.stock_id == stock_id and (after_id is None or e.id > after_id)
        ]
        return rows[:limit]

    def find(self, location_code: str, sku: str) -> StockRow | None:
        found = self.search(sku, location_code, None, 1)
        return found[0] if found else None

    def search(
        self, sku: str | None, location: str | None, after_id: int | None, limit: int
    ) -> list[StockRow]:
        rows = [self._row(r) for _, r in sorted(self.state.stock.items())]
        return [
            r
            for r in rows
            if (sku is None or r.sku == sku)
            and (location is None or r.location == location)
            and (after_id is None or r.stock_id > after_id)
        ][:limit]

    def set_bin(self, stock_id: int, bin_code: str | None) -> None:
        row = self.state.stock.get(stock_id)
        if row is not None:
            row.bin = bin_code

    def bins(self, location_id: int, product_ids: Sequence[int]) -> dict[int, str | None]:
        found: dict[int, str | None] = dict.fromkeys(product_ids)
        for product_id in product_ids:
            row = self._record(location_id, product_id)
            if row is not None:
                found[product_id] = row.bin
        return found

    def row_of(self, location_id: int, product_id: int) -> StockRow | None:
        row = self._record(location_id, product_id)
        return self._row(row) if row else None

    def set_levels(self, stock_id: int, on_hand: int, reserved: int) -> None:
        self._change(stock_id, on_hand, reserved)

    def discrepancies(self) -> list[Discrepancy]:
        on_hand: dict[int, int] = defaultdict(int)
        reserved: dict[int, int] = defaultdict(int)
        for e in self.state.ledger:
            on_hand[e.entry.stock_id] += e.entry.on_hand_delta
            reserved[e.entry.stock_id] += e.entry.reserved_delta
        held: dict[int, int] = defaultdict(int)
        for r in self.state.reservations.values():
            held[r.stock_id] += r.quantity
        found = []
        for stock_id, r in sorted(self.state.stock.items()):
            figures = (on_hand[stock_id], reserved[stock_id], held[stock_id])
            if (r.on_hand, r.reserved, r.reserved) != figures:
                row = self._row(r)
                found.append(
                    Discrepancy(stock_id, row.location, row.sku, r.on_hand, r.reserved, *figures)
                )
        return found

    def available_by_sku(
        self, sku: str | None, after_sku: str | None, limit: int
    ) -> list[tuple[str, int]]:
        found = sorted(
            (p for p in self.state.products.values() if not p.archived),
            key=lambda p: p.sku,
        )
        found = [
            p
            for p in found
            if (sku is None or p.sku == sku) and (after_sku is None or p.sku > after_sku)
        ][:limit]
        now = self._uow.now()
        return [
            (
                p.sku,
                sum(
                    r.on_hand - r.reserved - live_held(self.state, r.id, now)
                    for r in self.state.stock.values()
                    if r.product_id == p.id and self.state.locations[r.location_id].ships
                ),
            )
            for p in found
        ]
