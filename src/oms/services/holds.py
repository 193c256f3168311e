"""Checkout holds: keep units for a cart, free them, hand them to the order that converts
them, and sweep the expired ones so their units reach waiting backorders (decision 0007).

A hold moves no stock (on hand and reserved stay as they are, no ledger row): its live
units are subtracted wherever `available` is computed, and the reservation's conditional
update subtracts them too, so nothing can be promised twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from oms.domain.access import SYSTEM, Actor, Permission
from oms.domain.errors import ConcurrentUpdate, Conflict, FieldErrors, NotFound
from oms.domain.inventory.holds import (
    HeldUnits,
    Hold,
    HoldEnd,
    HoldOption,
    HoldRequest,
    held_quantity,
    plan_hold,
)
from oms.domain.inventory.moves import Change
from oms.services.backorders import fill_backorders
from oms.services.channels import channel_of
from oms.services.ports import UnitOfWork
from oms.services.ports.holds import LiveHold

SWEEP_BATCH = 500


@dataclass(frozen=True, slots=True)
class HeldLine:
    sku: str
    quantity: int
    held_quantity: int


@dataclass(frozen=True, slots=True)
class CreatedHold:
    id: int
    channel: str
    expires_at: datetime
    lines: list[HeldLine]


def hold_minutes(uow: UnitOfWork, channel: str) -> int:
    """How long a channel's holds last when the request does not say (its record's
    `hold_minutes`; the default for a channel without one)."""
    return channel_of(uow, channel).hold_minutes


def create_hold(uow: UnitOfWork, actor: Actor, request: HoldRequest) -> CreatedHold:
    """Keep what is available of each line now (never more: a hold never backorders); a
    kit's line keeps whole kits on its components' rows."""
    actor.require(Permission.HOLD_CREATE)
    request.check()

    def work() -> CreatedHold:
        products = uow.products.by_skus([sku for sku, _ in request.lines])
        errors = FieldErrors()
        for i, (sku, _) in enumerate(request.lines):
            product = products.get(sku)
            if product is None:
                errors.add(f"lines[{i}].sku", f"unknown SKU {sku!r}")
            elif product.archived:
                errors.add(f"lines[{i}].sku", f"product {sku!r} is archived")
        errors.raise_if_any()
        now = uow.now()
        expires_at = request.expiry(now, hold_minutes(uow, request.channel))
        kits = {p.id: [(c.product_id, c.quantity) for c in p.components] for p in products.values()
                if p.is_kit}  # fmt: skip
        ids = sorted({p.id for p in products.values() if not p.is_kit}
                     | {part for parts in kits.values() for part, _ in parts})  # fmt: skip
        options = uow.stock.lock_options(ids)
        if sweep_products(uow, ids, Change(actor.name, now, "expired holds")):
            options = uow.stock.lock_options(ids)
        wanted = [(products[sku].id, quantity) for sku, quantity in request.lines]
        units = plan_hold(
            wanted,
            [
                HoldOption(
                    o.stock_id, o.product_id, o.available, o.location_priority, o.location_id
                )
                for o in options
            ],
            kits,
        )
        hold_id = uow.holds.add(request.channel, (now, expires_at), actor.name, units)
        # On PostgreSQL the locked read above may predate a hold committed while it waited
        # for the row locks: this fresh statement is the last word (retry the whole if so).
        if uow.holds.overdrawn(sorted({u.stock_id for u in units}), now):
            raise ConcurrentUpdate("stock moved while the hold was planned")
        where = {o.stock_id: o.location_id for o in options}
        return CreatedHold(
            hold_id,
            request.channel,
            expires_at,
            [
                HeldLine(
                    sku,
                    q,
                    held_quantity(units, products[sku].id, kits.get(products[sku].id), where),
                )
                for sku, q in request.lines
            ],
        )

    return uow.run(work)


def release_hold(uow: UnitOfWork, actor: Actor, hold_id: int) -> None:
    """Free what a hold keeps; its units go to waiting orders first. Releasing a hold that
    expired or was released already changes nothing; one an order took is refused (409)."""
    actor.require(Permission.HOLD_CREATE)

    def work() -> None:
        seen = uow.holds.get(hold_id)
        if seen is None:
            raise NotFound(f"no hold with id {hold_id}")
        products = sorted({u.product_id for u in seen.units})
        uow.stock.lock_options(products)  # stock rows first, then the hold: the lock order
        hold = uow.holds.get(hold_id, lock=True)
        assert hold is not None
        if hold.ended is HoldEnd.CONVERTED:
            raise Conflict(f"hold {hold_id} was taken by order id {hold.order_id}: nothing to free")
        if hold.ended is not None:
            return
        now = uow.now()
        uow.holds.end(hold_id, HoldEnd.RELEASED, now)
        # Expired units were free already, but no sweep will see them now: fill here too.
        if products:
            fill_backorders(uow, products, Change(actor.name, now, f"hold {hold_id} released"))

    uow.run(work)


def open_for_order(uow: UnitOfWork, hold_id: int) -> Hold:
    """The hold an order names, read before its stock rows are locked (to lock them too)."""
    hold = uow.holds.get(hold_id)
    if hold is None:
        raise FieldErrors.single("hold_id", f"no hold with id {hold_id}")
    return hold


def convert(
    uow: UnitOfWork, hold_id: int, channel: str, order_id: int, now: datetime
) -> list[HeldUnits]:
    """Inside placing, after the stock rows are locked and the order is stored: end the
    hold as taken by the order and return its units, which the caller reserves in the same
    transaction (they left the live holds just now, so the conditional update has them)."""
    hold = uow.holds.get(hold_id, lock=True)
    if hold is None:  # pragma: no cover - read a moment ago in the same transaction
        raise FieldErrors.single("hold_id", f"no hold with id {hold_id}")
    hold.check_convertible(channel, now)
    if not uow.holds.end(hold_id, HoldEnd.CONVERTED, now, order_id):
        raise ConcurrentUpdate(f"hold {hold_id} ended while the order was placed")
    return list(hold.units)


def sweep_products(uow: UnitOfWork, product_ids: Sequence[int], change: Change) -> bool:
    """End the expired holds on these (locked) products and give their units to waiting
    orders; True if there were any."""
    expired = uow.holds.expired_on(product_ids, change.now)
    for hold_id in expired:
        uow.holds.end(hold_id, HoldEnd.EXPIRED, change.now)
    if expired:
        fill_backorders(uow, product_ids, change)
    return bool(expired)


def sweep_expired(uow: UnitOfWork) -> int:
    """The worker's sweep: end expired holds (a batch at a time, each batch one
    transaction) and fill the backorders their units can serve. Returns holds ended.

    Correctness never waits for this: expired holds count for nothing already. It only
    brings the freed units to orders that wait, when no other stock call did first."""
    total = 0
    while True:

        def batch() -> int:
            now = uow.now()
            found = uow.holds.expired(now, SWEEP_BATCH)
            products = sorted({p for _, ps in found for p in ps})
            uow.stock.lock_options(products)
            change = Change(SYSTEM.name, now, "expired holds")
            return len(found) if sweep_products(uow, products, change) else 0

        done = uow.run(batch)
        total += done
        if done < SWEEP_BATCH:
            return total


def live_holds(uow: UnitOfWork, actor: Actor, stock_id: int) -> list[LiveHold]:
    """The live holds on one stock row (the stock page lists them)."""
    actor.require(Permission.STOCK_READ)
    return uow.run(lambda: uow.holds.live_at(stock_id, uow.now()), write=False)
