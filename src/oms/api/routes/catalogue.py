"""Products and locations."""

from __future__ import annotations

from fastapi import APIRouter, Query

from oms.api.deps import ActorDep, UowDep
from oms.api.pagination import decode, encode
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
def list_products(
    uow: UowDep,
    actor: ActorDep,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Page[ProductOut]:
    items = catalogue.list_products(uow, actor, decode(cursor), limit)
    more = len(items) == limit
    return Page(
        items=[ProductOut.of(p) for p in items], next_cursor=encode(items[-1].sku) if more else None
    )


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
    items = catalogue.list_locations(uow, actor)
    return Page(items=[LocationOut.model_validate(loc) for loc in items], next_cursor=None)
