"""Products and locations."""

from __future__ import annotations

from fastapi import APIRouter

from oms.api.deps import ActorDep, UowDep
from oms.api.pagination import PageDep, after_key, page, whole
from oms.api.schemas.catalogue import (
    LocationIn,
    LocationOut,
    LocationSettingsIn,
    ProductIn,
    ProductOut,
)
from oms.api.schemas.common import Page
from oms.services import catalogue

router = APIRouter(tags=["catalogue"])


@router.post("/products", status_code=201)
def create_product(body: ProductIn, uow: UowDep, actor: ActorDep) -> ProductOut:
    return ProductOut.of(catalogue.create_product(uow, actor, body.to_domain()))


@router.get("/products")
def list_products(uow: UowDep, actor: ActorDep, asked: PageDep) -> Page[ProductOut]:
    found = catalogue.list_products(uow, actor, after_key(asked), asked.limit)
    return page(found, ProductOut.of, asked, key=lambda p: p.sku)


@router.get("/products/{sku}")
def get_product(sku: str, uow: UowDep, actor: ActorDep) -> ProductOut:
    return ProductOut.of(catalogue.get_product(uow, actor, sku))


@router.post("/locations", status_code=201)
def create_location(body: LocationIn, uow: UowDep, actor: ActorDep) -> LocationOut:
    return LocationOut.model_validate(catalogue.create_location(uow, actor, body.to_domain()))


@router.patch("/locations/{code}")
def update_location(
    code: str, body: LocationSettingsIn, uow: UowDep, actor: ActorDep
) -> LocationOut:
    """Change a location's calendar (time zone, cut-off, working days), default bin,
    priority or whether it ships; fields left out stay as they are."""
    return LocationOut.model_validate(
        catalogue.update_location(
            uow, actor, code, body.settings(), priority=body.priority, ships=body.ships
        )
    )


@router.get("/locations")
def list_locations(uow: UowDep, actor: ActorDep) -> Page[LocationOut]:
    return whole(catalogue.list_locations(uow, actor), LocationOut.model_validate)
