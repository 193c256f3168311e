"""Use cases for stock: counts, adjustments, reading rows and the ledger, verifying them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oms.domain.access import SYSTEM, Actor, Permission
from oms.domain.catalogue.model import BIN_PATTERN, Location, Product
from oms.domain.errors import Conflict, FieldErrors, NotFound
from oms.domain.inventory.model import Discrepancy, LedgerKind, StockRow, StoredLedgerEntry
from oms.domain.inventory.moves import Change
from oms.services import stock_moves
from oms.services.backorders import fill_backorders, fill_scope, take_back
from oms.services.ports import UnitOfWork

MAX_PAGE = 200
MAX_ON_HAND = 1_000_000_000


@dataclass(frozen=True, slots=True)
class StockChange:
    """A count (absolute `on_hand`) or an adjustment (`delta`) at one location for one SKU."""

    location: str
    sku: str
    reason: str | None = None
    on_hand: int | None = None
    delta: int | None = None
    kind: LedgerKind | None = None
    bin: str | None = None


def _resolve(uow: UnitOfWork, location_code: str, sku: str) -> tuple[Location, Product]:
    location = uow.locations.get(location_code)
    if location is None:
        raise NotFound(f"no location with code {location_code!r}")
    product = uow.products.get(sku)
    if product is None:
        raise NotFound(f"no product with SKU {sku!r}")
    if product.is_kit:
        parts = ", ".join(f"{c.sku} x{c.quantity}" for c in product.components)
        raise Conflict(
            f"{sku} is a kit: it has no stock of its own; count or adjust its components ({parts})"
        )
    return location, product


def _check(change: StockChange) -> None:
    errors = FieldErrors()
    if change.on_hand is not None and not 0 <= change.on_hand <= MAX_ON_HAND:
        errors.add("on_hand", f"must be between 0 and {MAX_ON_HAND}")
    if change.delta is not None:
        if change.delta == 0:
            errors.add("delta", "must not be zero")
        elif abs(change.delta) > MAX_ON_HAND:
            errors.add("delta", f"must be within ±{MAX_ON_HAND}")
        if not (change.reason or "").strip():
            errors.add("reason", "an adjustment needs a reason")
    if change.bin is not None and not BIN_PATTERN.match(change.bin):
        errors.add("bin", "1-32 letters, digits or . _ / - starting with a letter or digit")
    errors.raise_if_any()


def count_stock(uow: UnitOfWork, actor: Actor, change: StockChange) -> StockRow:
    """Set on hand to what was counted. Below reserved, the newest reservations give way."""
    actor.require(Permission.STOCK_WRITE)
    _check(change)
    counted = change.on_hand
    assert counted is not None

    def work() -> StockRow:
        location, product = _resolve(uow, change.location, change.sku)
        now = uow.now()
        row = _lock(uow, location, product, now)
        reason = change.reason or "stock count"
        if counted < row.reserved:
            who = Change(actor.name, now, f"count at {location.code}: {reason}")
            take_back(uow, row.stock_id, row.reserved - counted, who)
        stock_moves.count(uow, row, counted, Change(actor.name, now, reason))
        if change.bin is not None:
            uow.stock.set_bin(row.stock_id, change.bin)
        # Fill from every location: a take-back here may be served elsewhere.
        fill_backorders(uow, [product.id], Change(actor.name, now))
        return _reread(uow, change)

    return uow.run(work)


def adjust_stock(uow: UnitOfWork, actor: Actor, change: StockChange) -> StockRow:
    """Add or remove units; refused (409) if it would leave less on hand than is reserved."""
    actor.require(Permission.STOCK_WRITE)
    _check(change)
    delta = change.delta
    assert delta is not None

    def work() -> StockRow:
        location, product = _resolve(uow, change.location, change.sku)
        now = uow.now()
        row = _lock(uow, location, product, now)
        kind = change.kind or LedgerKind.ADJUSTMENT
        stock_moves.adjust(uow, row, delta, Change(actor.name, now, change.reason), kind)
        if delta > 0 and location.ships:
            fill_backorders(uow, [product.id], Change(actor.name, now))
        return _reread(uow, change)

    return uow.run(work)


def _lock(uow: UnitOfWork, location: Location, product: Product, now: datetime) -> StockRow:
    """Lock the product's shipping rows in id order (as placement does), with those the
    fill after it may take (a kit made of it reaches its other components), then this row."""
    uow.stock.lock_options(fill_scope(uow, [product.id]))
    return uow.stock.lock_row(location.id, product.id, now)


def _reread(uow: UnitOfWork, change: StockChange) -> StockRow:
    row = uow.stock.find(change.location, change.sku)
    assert row is not None
    return row


def list_stock(
    uow: UnitOfWork,
    actor: Actor,
    sku: str | None = None,
    location: str | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> list[StockRow]:
    actor.require(Permission.STOCK_READ)
    limit = max(1, min(limit, MAX_PAGE))
    return uow.run(lambda: uow.stock.search(sku, location, after_id, limit), write=False)


def stock_ledger(
    uow: UnitOfWork,
    actor: Actor,
    location: str,
    sku: str,
    after_id: int | None = None,
    limit: int = 100,
) -> list[StoredLedgerEntry]:
    actor.require(Permission.STOCK_READ)
    limit = max(1, min(limit, MAX_PAGE))

    def work() -> list[StoredLedgerEntry]:
        _resolve(uow, location, sku)
        row = uow.stock.find(location, sku)
        return [] if row is None else uow.stock.ledger(row.stock_id, after_id, limit)

    return uow.run(work, write=False)


def verify_stock(uow: UnitOfWork, actor: Actor, *, repair: bool = False) -> list[Discrepancy]:
    """Recompute every stock row from its ledger and open reservations; repair on request.

    A repair sets the row to what the ledger says (the ledger is the record of what
    happened) and writes a correction row so the ledger keeps explaining the row.
    """
    actor.require(Permission.STOCK_WRITE if repair else Permission.STOCK_READ)

    def work() -> list[Discrepancy]:
        found = uow.stock.discrepancies()
        if repair:
            now = uow.now()
            for d in found:
                why = (
                    f"stock verify --repair: row was on_hand={d.on_hand} reserved={d.reserved}; "
                    f"ledger says on_hand={d.ledger_on_hand} reserved={d.ledger_reserved}; "
                    f"open reservations {d.open_reservations}"
                )
                stock_moves.correct(uow, d, Change(SYSTEM.name, now, why))
        return found

    return uow.run(work, write=repair)
