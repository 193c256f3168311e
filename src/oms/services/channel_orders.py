"""Orders pushed by shop platforms (Shopify, WooCommerce): the webhook's signature checked
with the channel's secret, the platform's order mapped to a draft by the caller's mapping
(adapters/channels), and placed through the one placing use case, idempotent by the
platform's order id, the timeline's actor `channel:<name>`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from oms.domain.channels.model import Channel
from oms.domain.errors import FieldError, FieldErrors, InvalidInput, Unauthenticated
from oms.domain.orders.draft import OrderDraft
from oms.services import orders
from oms.services.channels import channel_of
from oms.services.order_import import channel_actor
from oms.services.orders import Placed
from oms.services.ports import UnitOfWork

# What a platform's mapping is: its order JSON and the channel → a draft; InvalidInput
# naming the platform's own fields when something cannot be mapped.
Mapping = Callable[[dict[str, Any], Channel], OrderDraft]
BAD_SIGNATURE = "the webhook's signature does not match this channel's secret"


def signature(secret: str, body: bytes) -> str:
    """The platform's signature of a body: base64 of HMAC-SHA256 with the secret."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verified(channel: Channel, body: bytes, given: str | None) -> bool:
    """Whether `given` signs `body` with the channel's secret (constant-time comparison).
    A channel without a record or without a secret verifies nothing."""
    if not channel.secret or not given:
        return False
    return hmac.compare_digest(signature(channel.secret, body).encode(), given.strip().encode())


def receive_order(
    uow: UnitOfWork, channel: str, body: bytes, given: str | None, mapping: Mapping
) -> Placed:
    """Check the signature, map the order, place it (a platform's retry of the same order
    returns the first one). 401 for a bad or missing signature, before the body is read."""
    settings = uow.run(lambda: channel_of(uow, channel), write=False)
    if not verified(settings, body, given):
        raise Unauthenticated(BAD_SIGNATURE)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise FieldErrors.single("body", "not JSON") from None
    if not isinstance(payload, dict):
        raise FieldErrors.single("body", "a JSON object: the platform's order")
    draft = mapping(payload, settings)
    try:
        return orders.place_order(uow, channel_actor(channel), draft)
    except InvalidInput as refused:
        # The draft's `lines[i]` are the platform's `line_items[i]`: name what it sent.
        raise InvalidInput(
            [FieldError(e.field.replace("lines[", "line_items[", 1), e.message)
             for e in refused.errors]
        ) from None  # fmt: skip
