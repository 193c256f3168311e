"""Use cases for products and locations."""

from __future__ import annotations

from dataclasses import replace

from oms.domain.access import Actor, Permission
from oms.domain.catalogue.kits import Known, check_components
from oms.domain.catalogue.model import (
    Location,
    LocationChange,
    NewLocation,
    NewProduct,
    Product,
    ProductChange,
)
from oms.domain.errors import FieldErrors, NotFound
from oms.services.ports import UnitOfWork

MAX_PAGE = 200


def create_product(uow: UnitOfWork, actor: Actor, new: NewProduct) -> Product:
    actor.require(Permission.CATALOGUE_WRITE)
    new.validate()
    if not new.components:
        return uow.run(lambda: uow.products.add(new, uow.now()))

    def kit() -> Product:
        # A kit (decision 0008): its components exist, are plain products, each named once.
        errors = FieldErrors()
        found = uow.products.by_skus(sorted({c.sku for c in new.components}))
        known = {sku: Known(p.id, p.is_kit) for sku, p in found.items()}
        components = check_components(new.sku, new.components, known, errors)
        errors.raise_if_any()
        product = uow.products.add(new, uow.now())
        uow.products.add_kit(product.id, components)
        return replace(product, components=components)

    return uow.run(kit)


def get_product(uow: UnitOfWork, actor: Actor, sku: str) -> Product:
    actor.require(Permission.CATALOGUE_READ)
    product = uow.run(lambda: uow.products.get(sku), write=False)
    if product is None:
        raise NotFound(f"no product with SKU {sku!r}")
    return product


def list_products(
    uow: UnitOfWork,
    actor: Actor,
    after_sku: str | None = None,
    limit: int = 50,
    *,
    text: str | None = None,
    archived: bool | None = False,
) -> list[Product]:
    """Products by SKU, keyset-paged: whose SKU or name contains `text`; active ones only
    unless archived is True (archived ones only) or None (all)."""
    actor.require(Permission.CATALOGUE_READ)
    limit = max(1, min(limit, MAX_PAGE))
    text = (text or "").strip() or None
    return uow.run(lambda: uow.products.page(after_sku, limit, text, archived), write=False)


def update_product(uow: UnitOfWork, actor: Actor, sku: str, change: ProductChange) -> Product:
    """Change a product's name, price, weight or barcode, or archive or unarchive it.

    An archived product cannot be ordered any more; orders that have it keep it as it was
    (their lines hold their own price), so archiving never rewrites history."""
    actor.require(Permission.CATALOGUE_WRITE)

    def work() -> Product:
        product = uow.products.get(sku)
        if product is None:
            raise NotFound(f"no product with SKU {sku!r}")
        updated = change.applied_to(product)
        uow.products.save(updated)
        return updated

    return uow.run(work)


def create_location(uow: UnitOfWork, actor: Actor, new: NewLocation) -> Location:
    actor.require(Permission.LOCATION_WRITE)
    new.validate()
    return uow.run(lambda: uow.locations.add(new, uow.now()))


def update_location(uow: UnitOfWork, actor: Actor, code: str, change: LocationChange) -> Location:
    """Change how a location works (calendar, bins, priority, shipping), its name or kind;
    the rest stays."""
    actor.require(Permission.LOCATION_WRITE)
    change.validate()

    def work() -> Location:
        updated = change.applied_to(_location(uow, code))
        uow.locations.save_settings(updated)
        return updated

    return uow.run(work)


def _location(uow: UnitOfWork, code: str) -> Location:
    location = uow.locations.get(code)
    if location is None:
        raise NotFound(f"no location with code {code!r}")
    return location


def get_location(uow: UnitOfWork, actor: Actor, code: str) -> Location:
    actor.require(Permission.CATALOGUE_READ)
    return uow.run(lambda: _location(uow, code), write=False)


def list_locations(uow: UnitOfWork, actor: Actor) -> list[Location]:
    actor.require(Permission.CATALOGUE_READ)
    return uow.run(uow.locations.all, write=False)
