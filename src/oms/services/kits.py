"""Kits (decision 0008): what a product can promise per location, plain or kit. The one
per-SKU availability function: the product page, availability promises and a channel's
feed all ask `available_at` / `available`, so a kit is never shown with more than its
components make."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from oms.domain.access import Actor, Permission
from oms.domain.catalogue.kits import contents, kit_units
from oms.domain.catalogue.model import Product
from oms.domain.errors import NotFound
from oms.domain.inventory.model import StockRow
from oms.domain.orders.model import Order
from oms.services.ports import UnitOfWork

MAX_ROWS = 1000


@dataclass(frozen=True, slots=True)
class Available:
    """Units of a product (whole kits, for a kit) free to sell at one location."""

    location_id: int
    location: str
    available: int


def available_at(uow: UnitOfWork, product: Product) -> list[Available]:
    """Per location, by location code: a plain product's available units (on hand less
    reserved, never below 0); a kit's, the whole kits its components make there
    (min over components of floor(available / quantity)). Inside the caller's transaction."""
    if not product.is_kit:
        return [
            Available(r.location_id, r.location, max(r.available, 0))
            for r in sorted(uow.stock.search(product.sku, None, None, MAX_ROWS), key=_code)
        ]
    free: dict[int, dict[int, int]] = defaultdict(dict)
    names: dict[int, str] = {}
    for c in product.components:
        for r in uow.stock.search(c.sku, None, None, MAX_ROWS):
            free[r.location_id][c.product_id] = r.available
            names[r.location_id] = r.location
    return [
        Available(loc, names[loc], kit_units(product.components, free[loc]))
        for loc in sorted(free, key=lambda loc: names[loc])
    ]


def _code(row: StockRow) -> str:
    return row.location


def available(uow: UnitOfWork, skus: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per SKU (those that exist), units free per location code: the function a channel's
    feed calls, in the caller's transaction, before deducting its buffers."""
    found = uow.products.by_skus(sorted(set(skus)))
    return {
        sku: {a.location: a.available for a in available_at(uow, product)}
        for sku, product in sorted(found.items())
    }


@dataclass(frozen=True, slots=True)
class ProductAvailability:
    product: Product
    locations: list[Available]

    @property
    def total(self) -> int:
        return sum(a.available for a in self.locations)


def product_availability(uow: UnitOfWork, actor: Actor, sku: str) -> ProductAvailability:
    """A product (a kit with its components) and what it can promise per location."""
    actor.require(Permission.CATALOGUE_READ)

    def work() -> ProductAvailability:
        product = uow.products.get(sku)
        if product is None:
            raise NotFound(f"no product with SKU {sku!r}")
        return ProductAvailability(product, available_at(uow, product))

    return uow.run(work, write=False)


def kit_lines(uow: UnitOfWork, actor: Actor, order: Order) -> dict[int, str]:
    """For the order page: each kit line's contents for its ordered kits (line id -> "KETTLE
    x2, MUG x4"); plain lines are left out."""
    actor.require(Permission.ORDER_READ)

    def work() -> dict[int, str]:
        found = uow.products.by_ids(sorted({ln.product_id for ln in order.lines}))
        return {
            ln.id: contents(found[ln.product_id].components, ln.quantity)
            for ln in order.lines
            if ln.product_id in found and found[ln.product_id].is_kit
        }

    return uow.run(work, write=False)
