"""Orders pushed by shop platforms: Shopify's and WooCommerce's order webhooks. These calls
carry no bearer token: the platform signs the raw body with the channel's secret
(HMAC-SHA256, base64) in its own header, and a bad or missing signature is 401. A retry of
the same platform order answers 200 with the first order and creates nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request, Response

from oms.adapters.channels.platforms import shopify_order, woocommerce_order
from oms.api.deps import UowDep
from oms.api.openapi import PROBLEM_CONTENT
from oms.api.schemas.orders import OrderOut
from oms.services import channel_orders
from oms.services.orders import Placed

router = APIRouter(tags=["channels"])
Channel = Annotated[str, Path(min_length=1, max_length=64, description="The channel's name.")]


async def raw_body(request: Request) -> bytes:
    """The body exactly as sent: the signature is over these bytes."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]
RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "A retry of an order placed already", "model": OrderOut},
    401: {"description": "Bad or missing signature", "content": PROBLEM_CONTENT},
    422: {"description": "The order cannot be mapped or placed", "content": PROBLEM_CONTENT},
}


def _answer(placed: Placed) -> Response:
    return Response(
        OrderOut.of(placed.order).model_dump_json(),
        status_code=201 if placed.created else 200,
        media_type="application/json",
    )


@router.post(
    "/channels/{channel}/shopify/orders",
    status_code=201,
    response_model=OrderOut,
    responses=RESPONSES,
    openapi_extra={"security": []},
)
def shopify_orders(
    channel: Channel,
    body: RawBody,
    uow: UowDep,
    signature: Annotated[str | None, Header(alias="X-Shopify-Hmac-Sha256")] = None,
) -> Response:
    """Shopify's `orders/create` webhook: signed in `X-Shopify-Hmac-Sha256`."""
    return _answer(channel_orders.receive_order(uow, channel, body, signature, shopify_order))


@router.post(
    "/channels/{channel}/woocommerce/orders",
    status_code=201,
    response_model=OrderOut,
    responses=RESPONSES,
    openapi_extra={"security": []},
)
def woocommerce_orders(
    channel: Channel,
    body: RawBody,
    uow: UowDep,
    signature: Annotated[str | None, Header(alias="X-WC-Webhook-Signature")] = None,
) -> Response:
    """WooCommerce's `order.created` webhook: signed in `X-WC-Webhook-Signature`."""
    return _answer(channel_orders.receive_order(uow, channel, body, signature, woocommerce_order))
