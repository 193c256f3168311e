"""The one place stock moves: reserve, release, consume, count, adjust, receive, write off,
book a loss, transfer and correct, each writing its ledger row.

Callers lock the rows first (`uow.stock.lock_options` / `lock_row`, in id order), so a
conditional update that is refused here means the plan was made on stale figures: the
whole use case is retried (ConcurrentUpdate). Order line quantities are not touched here:
the order's own verbs change them, and the caller saves the order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from oms.domain.errors import ConcurrentUpdate, Conflict, StockBelowReserved
from oms.domain.inventory.holds import give_way
from oms.domain.inventory.model import Discrepancy, LedgerEntry, LedgerKind, StockRow
from oms.domain.inventory.moves import Change, LineRef, correction_entry, ledger_entry
from oms.services.ports import UnitOfWork
from oms.services.ports.stock import NewReservation

# Units per (order line id, stock row id).
LineStock = Mapping[tuple[int, int], int]


def reserve(
    uow: UnitOfWork,
    order_id: int,
    units: LineStock,
    change: Change,
    per_unit: LineStock | None = None,
) -> None:
    """Reserve units for an order's lines: conditional updates, reservation rows, ledger.
    `per_unit` gives a kit line's component quantity per (line, row) (1 where absent)."""
    takes = {k: q for k, q in sorted(units.items()) if q > 0}
    if not takes:
        return
    if not uow.stock.reserve([(stock_id, q) for (_, stock_id), q in takes.items()]):
        raise ConcurrentUpdate("stock moved while the reservation was planned")
    per = per_unit or {}
    uow.stock.add_reservations(
        [
            NewReservation(order_id, line_id, stock_id, q, per.get((line_id, stock_id), 1))
            for (line_id, stock_id), q in takes.items()
        ],
        change.now,
    )
    uow.stock.append_ledger(
        [
            ledger_entry(LedgerKind.RESERVATION, stock_id, q, change, LineRef(order_id, line_id))
            for (line_id, stock_id), q in takes.items()
        ]
    )


def release(uow: UnitOfWork, order_id: int, units: LineStock, change: Change) -> None:
    """Give reserved units back to their rows; the newest reservations give way first.
    One ledger row per reservation that gives units back, as one was written when it was made."""
    gives = {k: q for k, q in sorted(units.items()) if q > 0}
    if not gives:
        return
    held: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for r in uow.stock.reservations_of(order_id):
        held[(r.order_line_id, r.stock_id)].append((r.id, r.quantity))
    ledger: list[LedgerEntry] = []
    for (line_id, stock_id), quantity in gives.items():
        left = quantity
        for reservation_id, has in sorted(held[(line_id, stock_id)], reverse=True):
            take = min(has, left)
            if take <= 0:
                break
            uow.stock.reduce_reservation(reservation_id, take)
            ledger.append(
                ledger_entry(LedgerKind.RELEASE, stock_id, take, change, LineRef(order_id, line_id))
            )
            left -= take
        if left or not uow.stock.release(stock_id, quantity):
            raise ConcurrentUpdate("reserved units moved while they were released")
    uow.stock.append_ledger(ledger)


def held_units(
    uow: UnitOfWork, order_id: int, location_id: int, units: Mapping[int, int]
) -> dict[tuple[int, int], int]:
    """What `units` (per order line, in the line's units) are on the rows the order holds
    at a location: a plain line's units on its row, a kit line's kits times each component
    quantity on each component row (decision 0008)."""
    out: dict[tuple[int, int], int] = {}
    for r in uow.stock.reservations_of(order_id):
        q = units.get(r.order_line_id, 0)
        if r.location_id == location_id and q > 0:
            out[(r.order_line_id, r.stock_id)] = q * r.per_unit
    return out


def newest_held(
    uow: UnitOfWork, order_id: int, line_id: int, units: int
) -> dict[tuple[int, int], int]:
    """Which rows give back `units` reserved units of a line (kits, for a kit line): the
    locations of the newest reservations first, as `release` takes them."""
    rows: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    newest: dict[int, int] = {}
    for r in uow.stock.reservations_of(order_id):
        if r.order_line_id != line_id:
            continue
        has, _ = rows[r.location_id].get(r.stock_id, (0, r.per_unit))
        rows[r.location_id][r.stock_id] = (has + r.quantity, r.per_unit)
        newest[r.location_id] = max(newest.get(r.location_id, 0), r.id)
    take: dict[tuple[int, int], int] = {}
    for location_id in sorted(newest, key=lambda loc: -newest[loc]):
        if units <= 0:
            break
        held = rows[location_id]
        n = min(units, min(q // per for q, per in held.values()))
        for stock_id, (_, per) in held.items():
            if n > 0:
                take[(line_id, stock_id)] = n * per
        units -= n
    return take


def release_all(uow: UnitOfWork, order_id: int, change: Change) -> dict[tuple[int, int], int]:
    """Release everything the order holds; returns what it held per (line, stock row)."""
    held: dict[tuple[int, int], int] = defaultdict(int)
    for r in uow.stock.reservations_of(order_id):
        held[(r.order_line_id, r.stock_id)] += r.quantity
    uow.stock.lock_rows(sorted({stock_id for _, stock_id in held}))
    release(uow, order_id, held, change)
    return dict(held)


def consume(
    uow: UnitOfWork, order_id: int, location_id: int, units: Mapping[int, int], change: Change
) -> None:
    """Units of the order's lines leave the location: reservations, on hand and reserved
    fall together, oldest reservations first. `units` is per order line id, in the line's
    units: a kit line's kits leave as `kits * per_unit` units of each component row."""
    held: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    per: dict[tuple[int, int], int] = {}
    for r in uow.stock.reservations_of(order_id):
        if r.location_id == location_id:
            held[(r.order_line_id, r.stock_id)].append((r.id, r.quantity))
            per[(r.order_line_id, r.stock_id)] = r.per_unit
    ledger: list[LedgerEntry] = []
    for line_id, quantity in sorted(units.items()):
        rows = sorted(k for k in held if k[0] == line_id)
        if quantity > 0 and not rows:
            raise Conflict(f"order line {line_id} has {quantity} units fewer reserved than ship")
        for key in rows:
            stock_id = key[1]
            left = quantity * per[key]
            for reservation_id, has in sorted(held[key]):
                take = min(has, left)
                if take <= 0:
                    break
                uow.stock.reduce_reservation(reservation_id, take)
                if not uow.stock.consume(stock_id, take):
                    raise Conflict("reserved stock moved while shipping")
                ledger.append(
                    ledger_entry(
                        LedgerKind.SHIPMENT, stock_id, take, change, LineRef(order_id, line_id)
                    )
                )
                left -= take
            if left:
                raise Conflict(f"order line {line_id} has {left} units fewer reserved than ship")
    uow.stock.append_ledger(ledger)


def count(
    uow: UnitOfWork, row: StockRow, counted: int, change: Change, line: LineRef | None = None
) -> None:
    """Set on hand to what was counted (`row` as locked). Reservations above the count must
    have been taken back first; `line` names the order line a short pick was for."""
    if not uow.stock.set_on_hand(row.stock_id, counted):
        raise ConcurrentUpdate(f"{row.sku} at {row.location}: reserved moved during the count")
    if counted < row.on_hand:
        _make_way(uow, row.stock_id, counted - row.reserved, change.now)
    # A count that agrees with the books is still written: when it was last counted.
    uow.stock.append_ledger(
        [ledger_entry(LedgerKind.COUNT, row.stock_id, counted - row.on_hand, change, line)]
    )


def adjust(
    uow: UnitOfWork,
    row: StockRow,
    delta: int,
    change: Change,
    kind: LedgerKind = LedgerKind.ADJUSTMENT,
) -> None:
    """Add or remove units; StockBelowReserved if fewer would be on hand than reserved."""
    _change_on_hand(uow, row, delta, ledger_entry(kind, row.stock_id, delta, change))


def _change_on_hand(uow: UnitOfWork, row: StockRow, delta: int, entry: LedgerEntry) -> None:
    if not uow.stock.change_on_hand(row.stock_id, delta):
        raise StockBelowReserved(
            f"{row.sku} at {row.location}: on hand {row.on_hand}, reserved {row.reserved}; "
            f"{delta:+d} would leave {row.on_hand + delta} on hand, below what is reserved"
        )
    uow.stock.append_ledger([entry])
    if delta < 0:
        _make_way(uow, row.stock_id, row.on_hand + delta - row.reserved, entry.at)


def _make_way(uow: UnitOfWork, stock_id: int, free: int, now: datetime) -> None:
    """On hand fell: if live checkout holds keep more than the `free` units left (on hand
    less reserved), the newest holds give way (holds are promises to carts, not orders)."""
    live = uow.holds.live_at(stock_id, now)
    shortfall = sum(h.quantity for h in live) - max(free, 0)
    if shortfall <= 0:
        return
    for hold_id, quantity in give_way(
        [(h.hold_id, h.created_at, h.quantity) for h in live], shortfall
    ):
        uow.holds.reduce(hold_id, stock_id, quantity)


def receive(
    uow: UnitOfWork,
    row: StockRow,
    quantity: int,
    change: Change,
    kind: LedgerKind = LedgerKind.RECEIPT,
) -> None:
    """Goods arrived: a purchase order (`receipt`), a customer's parcel back (`return`)."""
    if kind not in (LedgerKind.RECEIPT, LedgerKind.RETURN):
        raise ValueError(f"goods are received as a receipt or a return, not {kind.value}")
    adjust(uow, row, quantity, change, kind)


def write_off(uow: UnitOfWork, row: StockRow, quantity: int, change: Change) -> None:
    """Units that can never be sold (damaged, expired) leave the books: a positive quantity,
    as the ledger row of a write-off counts it."""
    entry = ledger_entry(LedgerKind.WRITE_OFF, row.stock_id, quantity, change)
    _change_on_hand(uow, row, -quantity, entry)


def book_loss(uow: UnitOfWork, row: StockRow, quantity: int, change: Change, line: LineRef) -> None:
    """Units that left as a sale (a `shipment` row) never reached the customer: the ledger
    says they left as a loss instead. They are off the shelf already, so on hand stays as
    it is: an `adjustment` of +quantity takes the sale back and a `write_off` of the same
    quantity books the loss, both naming the order line (and `change.reason` the parcel).
    The two rows keep every sum of the ledger equal to the row (`oms stock verify`)."""
    if quantity <= 0:
        raise ValueError(f"a loss is of a positive number of units, not {quantity}")
    _change_on_hand(
        uow,
        row,
        quantity,
        ledger_entry(LedgerKind.ADJUSTMENT, row.stock_id, quantity, change, line),
    )
    gone = replace(row, on_hand=row.on_hand + quantity)
    _change_on_hand(
        uow,
        gone,
        -quantity,
        ledger_entry(LedgerKind.WRITE_OFF, row.stock_id, quantity, change, line),
    )


def transfer(
    uow: UnitOfWork, source: StockRow, target: StockRow, quantity: int, change: Change
) -> None:
    """Free units of one product go from one location to another: two ledger rows."""
    if source.product_id != target.product_id or source.stock_id == target.stock_id:
        raise Conflict("a transfer moves one product between two different locations")
    adjust(uow, source, -quantity, change, LedgerKind.TRANSFER)
    adjust(uow, target, quantity, change, LedgerKind.TRANSFER)


def correct(uow: UnitOfWork, found: Discrepancy, change: Change) -> None:
    """Row := what its ledger says is on hand and what its open reservations hold; the
    ledger records the correction, so it keeps explaining the row."""
    if found.open_reservations > found.ledger_on_hand:
        raise Conflict(
            f"{found.sku} at {found.location}: open reservations ({found.open_reservations}) "
            f"exceed what the ledger says is on hand ({found.ledger_on_hand}); count the stock "
            "first"
        )
    uow.stock.set_levels(found.stock_id, found.ledger_on_hand, found.open_reservations)
    uow.stock.append_ledger(
        [
            correction_entry(
                found.stock_id, 0, found.open_reservations - found.ledger_reserved, change
            )
        ]
    )
