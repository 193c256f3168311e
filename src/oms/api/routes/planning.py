"""Forecasts, reorder levels and suggested purchase orders (docs/planning.md): reads need
`planning.read` (admin, buyer, analyst); refreshing the levels and making draft purchase
orders from the suggestions need `purchasing.write` (admin, buyer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from oms.api.deps import ActorDep, ContainerDep, UowDep
from oms.api.pagination import whole
from oms.api.schemas.common import Page
from oms.api.schemas.purchasing import PurchaseOrderOut
from oms.api.schemas.replenishment import (
    ForecastOut,
    RefreshOut,
    ReorderLevelOut,
    StandingOut,
    SuggestionsOut,
    UnderstockOut,
)
from oms.services import purchase_suggestions, replenishment

router = APIRouter(prefix="/planning", tags=["planning"])
Code = Annotated[str | None, Query(max_length=64)]


@router.get("/forecasts/{sku}")
def product_forecast(
    sku: str,
    uow: UowDep,
    actor: ActorDep,
    container: ContainerDep,
    weeks: Annotated[int, Query(ge=1, le=104)] = 26,
    ahead: Annotated[int, Query(ge=1, le=26)] = 8,
) -> ForecastOut:
    """The product's weekly demand over the last `weeks` weeks, the forecast of the next
    `ahead` weeks with an 80% interval, its stored reorder levels and the units available
    per location. 404 for an unknown sku."""
    plan = replenishment.product_plan(
        uow,
        container.demand_lines(uow),
        container.replenishment(uow),
        container.forecaster(),
        actor,
        container.planning_settings(),
        sku,
        weeks,
        ahead,
    )
    return ForecastOut.of(plan)


@router.get("/reorder-levels")
def list_reorder_levels(
    uow: UowDep, actor: ActorDep, container: ContainerDep, sku: Code = None, location: Code = None
) -> Page[ReorderLevelOut]:
    """Per product and location as the last refresh computed them (given whole), by sku
    then location."""
    found = replenishment.reorder_levels(uow, container.replenishment(uow), actor, sku, location)
    return whole(found, ReorderLevelOut.of)


@router.post("/reorder-levels/refresh")
def refresh_reorder_levels(uow: UowDep, actor: ActorDep, container: ContainerDep) -> RefreshOut:
    """Forecast every product a supplier sells, calibrate its safety stock on the forecast's
    past errors and store its levels per shipping location, replacing the last refresh."""
    done = replenishment.refresh_levels(
        uow,
        container.demand_lines(uow),
        container.replenishment(uow),
        container.forecaster(),
        actor,
        container.planning_settings(),
    )
    return RefreshOut.of(done)


@router.get("/suggestions")
def list_suggestions(uow: UowDep, actor: ActorDep, container: ContainerDep) -> SuggestionsOut:
    """What to order now, one order per supplier and location, from the stored levels."""
    return SuggestionsOut.of(
        purchase_suggestions.suggestions(uow, container.replenishment(uow), actor)
    )


@router.get("/understock")
def understock(uow: UowDep, actor: ActorDep, container: ContainerDep) -> UnderstockOut:
    """Products at or below their reorder point at a location, orders waiting included."""
    found = purchase_suggestions.suggestions(uow, container.replenishment(uow), actor)
    return UnderstockOut(
        computed_at=found.computed_at, items=[StandingOut.of(s) for s in found.understock]
    )


@router.post(
    "/suggestions/purchase-orders",
    status_code=201,
    response_model=Page[PurchaseOrderOut],
    responses={200: {"description": "A repeat", "model": Page[PurchaseOrderOut]}},
)
def create_purchase_orders(
    uow: UowDep,
    actor: ActorDep,
    container: ContainerDep,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> Response:
    """A draft purchase order for each suggested order, in one transaction. A repeat of the
    same Idempotency-Key answers 200 with the drafts made the first time; without a key,
    the drafts already made count as ordered, so a second call makes only what is missing."""
    made, created = purchase_suggestions.create_drafts(
        uow, container.replenishment(uow), container.purchase_orders(uow), actor, idempotency_key
    )
    body = whole(made, PurchaseOrderOut.of)
    return Response(
        body.model_dump_json(), status_code=201 if created else 200, media_type="application/json"
    )
