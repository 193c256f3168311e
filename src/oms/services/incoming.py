"""Incoming stock (docs/planning.md, "Incoming stock"): units on sent or partly received
purchase orders, per location, with their expected date and purchase order. Shown next to
availability as a figure of its own: never counted as available to sell."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from oms.domain.access import Actor, Permission
from oms.domain.errors import NotFound
from oms.services.kits import ProductAvailability, available_at
from oms.services.ports import UnitOfWork
from oms.services.ports.stock_planning import IncomingLine, StockPlanning


@dataclass(frozen=True, slots=True)
class ProductStock:
    """What a product can promise per location, and what is on its way."""

    availability: ProductAvailability
    incoming: list[IncomingLine]

    @property
    def incoming_units(self) -> int:
        return sum(x.units for x in self.incoming)

    def incoming_at(self, location: str) -> int:
        return sum(x.units for x in self.incoming if x.location == location)


def product_stock(uow: UnitOfWork, store: StockPlanning, actor: Actor, sku: str) -> ProductStock:
    """Availability and incoming stock read in one transaction. A kit is never bought (its
    components are): its incoming list is empty."""
    actor.require(Permission.CATALOGUE_READ)

    def read() -> ProductStock:
        product = uow.products.get(sku)
        if product is None:
            raise NotFound(f"no product with SKU {sku!r}")
        coming = [] if product.is_kit else store.incoming([product.id])
        return ProductStock(ProductAvailability(product, available_at(uow, product)), coming)

    return uow.run(read, write=False)


def incoming_at(
    uow: UnitOfWork, store: StockPlanning, actor: Actor, location: str, sku: str
) -> list[IncomingLine]:
    """The purchase-order lines still expected of a product at one location."""
    actor.require(Permission.CATALOGUE_READ)

    def read() -> list[IncomingLine]:
        product = uow.products.get(sku)
        if product is None:
            return []
        return [x for x in store.incoming([product.id]) if x.location == location]

    return uow.run(read, write=False)


def incoming_units(
    uow: UnitOfWork, store: StockPlanning, actor: Actor, skus: Sequence[str]
) -> dict[tuple[str, str], int]:
    """(location code, sku) -> units on their way, for the rows of a stock list page."""
    actor.require(Permission.CATALOGUE_READ)
    if not skus:
        return {}

    def read() -> dict[tuple[str, str], int]:
        found = uow.products.by_skus(sorted(set(skus)))
        out: dict[tuple[str, str], int] = {}
        for x in store.incoming([p.id for p in found.values()]):
            out[(x.location, x.sku)] = out.get((x.location, x.sku), 0) + x.units
        return out

    return uow.run(read, write=False)
