"""Use cases for products and locations."""

from __future__ import annotations

from oms.domain.access import Actor, Permission
from oms.domain.catalogue.model import Location, NewLocation, NewProduct, Product
from oms.domain.errors import NotFound
from oms.services.ports import UnitOfWork

MAX_PAGE = 200


def create_product(uow: UnitOfWork, actor: Actor, new: NewProduct) -> Product:
    actor.require(Permission.CATALOGUE_WRITE)
    new.validate()
    return uow.run(lambda: uow.products.add(new, uow.now()))


def get_product(uow: UnitOfWork, actor: Actor, sku: str) -> Product:
    actor.require(Permission.CATALOGUE_READ)
    product = uow.run(lambda: uow.products.get(sku), write=False)
    if product is None:
        raise NotFound(f"no product with SKU {sku!r}")
    return product


def list_products(
    uow: UnitOfWork, actor: Actor, after_sku: str | None = None, limit: int = 50
) -> list[Product]:
    actor.require(Permission.CATALOGUE_READ)
    limit = max(1, min(limit, MAX_PAGE))
    return uow.run(lambda: uow.products.page(after_sku, limit), write=False)


def create_location(uow: UnitOfWork, actor: Actor, new: NewLocation) -> Location:
    actor.require(Permission.LOCATION_WRITE)
    new.validate()
    return uow.run(lambda: uow.locations.add(new, uow.now()))


def list_locations(uow: UnitOfWork, actor: Actor) -> list[Location]:
    actor.require(Permission.CATALOGUE_READ)
    return uow.run(uow.locations.all, write=False)
