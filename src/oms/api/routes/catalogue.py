"""Products and locations."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from oms.api.deps import ActorDep, ContainerDep, UowDep
from oms.api.pagination import PageDep, after_key, page, whole
from oms.api.schemas.catalogue import (
    LocationIn,
    LocationOut,
    LocationSettingsIn,
    ProductAvailabilityOut,
    ProductIn,
    ProductOut,
    ProductPatch,
)
from oms.api.schemas.common import Page
from oms.services import catalogue, incoming

router = APIRouter(tags=["catalogue"])


@router.post("/products", status_code=201)
def create_product(body: ProductIn, uow: UowDep, actor: ActorDep) -> ProductOut:
    return ProductOut.of(catalogue.create_product(uow, actor, body.to_domain()))


ARCHIVED = {"false": False, "true": True, "all": None}


@router.get("/products")
def list_products(
    uow: UowDep,
    actor: ActorDep,
    asked: PageDep,
    q: Annotated[str | None, Query(max_length=200, description="part of a SKU or name")] = None,
    archived: Annotated[
        Literal["false", "true", "all"],
        Query(description="false: products on sale (default); true: archived ones; all"),
    ] = "false",
) -> Page[ProductOut]:
    found = catalogue.list_products(
        uow, actor, after_key(asked), asked.limit, text=q, archived=ARCHIVED[archived]
    )
    return page(found, ProductOut.of, asked, key=lambda p: p.sku)


@router.get("/products/{sku}")
def get_product(sku: str, uow: UowDep, actor: ActorDep) -> ProductOut:
    return ProductOut.of(catalogue.get_product(uow, actor, sku))


@router.get("/products/{sku}/availability")
def product_availability(
    sku: str, uow: UowDep, actor: ActorDep, container: ContainerDep
) -> ProductAvailabilityOut:
    """Units free to sell per location (on hand less reserved); a kit's are the whole kits
    its components make there. `incoming`: units on sent or partly received purchase
    orders, with their expected dates (`incoming_lines`), a figure apart that is never
    counted as available (a kit's components are bought, not the kit: none)."""
    found = incoming.product_stock(uow, container.stock_planning(uow), actor, sku)
    return ProductAvailabilityOut.of(found.availability, found.incoming)


@router.patch("/products/{sku}")
def update_product(sku: str, body: ProductPatch, uow: UowDep, actor: ActorDep) -> ProductOut:
    """Change a product's name, price, weight or barcode, or archive it (`archived: true`;
    an archived product cannot be ordered, and orders that have it keep it) or unarchive it."""
    return ProductOut.of(catalogue.update_product(uow, actor, sku, body.to_domain()))


@router.post("/locations", status_code=201)
def create_location(body: LocationIn, uow: UowDep, actor: ActorDep) -> LocationOut:
    return LocationOut.model_validate(catalogue.create_location(uow, actor, body.to_domain()))


@router.patch("/locations/{code}")
def update_location(
    code: str, body: LocationSettingsIn, uow: UowDep, actor: ActorDep
) -> LocationOut:
    """Change a location's calendar (time zone, cut-off, working days), default bin,
    priority, whether it ships, its name or kind; fields left out stay as they are."""
    return LocationOut.model_validate(catalogue.update_location(uow, actor, code, body.to_domain()))


@router.get("/locations")
def list_locations(uow: UowDep, actor: ActorDep) -> Page[LocationOut]:
    return whole(catalogue.list_locations(uow, actor), LocationOut.model_validate)
