"""Checkout holds and the availability feed of a channel."""

from __future__ import annotations

from fastapi import APIRouter, Response

from oms.api.deps import ActorDep, IdPath, UowDep
from oms.api.pagination import PageDep, after_key, page
from oms.api.schemas.common import Page
from oms.api.schemas.holds import HoldIn, HoldOut, SellableOut
from oms.services import channel_availability, holds

router = APIRouter(tags=["channels"])


@router.post("/holds", status_code=201)
def create_hold(body: HoldIn, uow: UowDep, actor: ActorDep) -> HoldOut:
    return HoldOut.of(holds.create_hold(uow, actor, body.to_domain()))


@router.delete("/holds/{hold_id}", status_code=204)
def release_hold(hold_id: IdPath, uow: UowDep, actor: ActorDep) -> Response:
    holds.release_hold(uow, actor, hold_id)
    return Response(status_code=204)


@router.get("/channels/{channel}/availability")
def availability(
    channel: str, uow: UowDep, actor: ActorDep, asked: PageDep, sku: str | None = None
) -> Page[SellableOut]:
    items = channel_availability.channel_availability(
        uow, actor, channel, sku, (after_key(asked), asked.limit)
    )
    if sku is not None:
        return Page(items=[SellableOut.of(i) for i in items], next_cursor=None)
    return page(items, SellableOut.of, asked, key=lambda i: i.sku)
