"""The availability feed a channel polls: what it may sell of each product, summed over
the shipping locations, less what live checkout holds keep, less the channel's buffer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from oms.domain.access import Actor, Permission
from oms.domain.errors import FieldErrors, NotFound
from oms.services import kits
from oms.services.channels import channel_of
from oms.services.ports import UnitOfWork

MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class Sellable:
    sku: str
    available: int


def units_available(
    uow: UnitOfWork, sku: str | None, after_sku: str | None, limit: int
) -> list[tuple[str, int]]:
    """Available units per SKU at shipping locations, live holds deducted: the one figure
    the feed starts from. A kit has no stock rows: its units are the whole kits its
    components make at each shipping location (services/kits.py, decision 0008)."""
    found = uow.stock.available_by_sku(sku, after_sku, limit)
    products = uow.products.by_skus([s for s, _ in found])
    kit_skus = {s for s, _ in found if s in products and products[s].is_kit}
    if not kit_skus:
        return found
    shipping = {loc.code for loc in uow.locations.all() if loc.ships}
    made = {
        s: sum(a.available for a in kits.available_at(uow, products[s]) if a.location in shipping)
        for s in kit_skus
    }
    return [(s, made[s] if s in kit_skus else n) for s, n in found]


def buffer_of(uow: UnitOfWork, channel: str) -> Callable[[int], int]:
    """What the channel may sell of `available` units: its record's buffer kept back
    (`Channel.sellable`; no buffer for a channel without a record)."""
    return channel_of(uow, channel).sellable


def channel_availability(
    uow: UnitOfWork,
    actor: Actor,
    channel: str,
    sku: str | None = None,
    page: tuple[str | None, int] = (None, 50),
) -> list[Sellable]:
    """One SKU (404 if unknown), or a page of the catalogue by SKU after `page[0]`."""
    actor.require(Permission.CHANNEL_AVAILABILITY)
    if not channel.strip():
        raise FieldErrors.single("channel", "must not be empty")
    after, limit = page
    limit = max(1, min(limit, MAX_PAGE))

    def work() -> list[Sellable]:
        sellable = buffer_of(uow, channel)
        found = units_available(uow, sku, after, limit)
        if sku is not None and not found:
            raise NotFound(f"no product with SKU {sku!r}")
        return [Sellable(s, sellable(n)) for s, n in found]

    return uow.run(work, write=False)
