"""Webhook subscriptions and their delivery log; deliveries by status, and retrying a dead
one (admins: notification.manage)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from oms.api.deps import ActorDep, ContainerDep, IdPath, UowDep
from oms.api.pagination import PageDep, after_id, page, whole
from oms.api.schemas.common import Page
from oms.api.schemas.webhooks import (
    AttemptOut,
    CreatedWebhookOut,
    DeliveryOut,
    WebhookIn,
    WebhookOut,
)
from oms.domain.notifications.delivery import DeliveryStatus
from oms.services import notifications, webhooks

router = APIRouter(tags=["notifications"])


@router.post("/webhooks", status_code=201)
def create_webhook(
    body: WebhookIn, uow: UowDep, actor: ActorDep, container: ContainerDep
) -> CreatedWebhookOut:
    """Subscribe a URL to event types. The answer holds the signing secret, shown this
    once. A URL on a loopback, link-local or private address is 422 unless the setting
    OMS_WEBHOOKS_ALLOW_PRIVATE is true."""
    guard = container.webhook_guard()
    hook = webhooks.create_webhook(uow, actor, body.url, body.events, body.secret, guard)
    return CreatedWebhookOut.created(hook)


@router.get("/webhooks")
def list_webhooks(uow: UowDep, actor: ActorDep) -> Page[WebhookOut]:
    """Live subscriptions, oldest first; always one page."""
    return whole(webhooks.list_webhooks(uow, actor), WebhookOut.of)


@router.delete("/webhooks/{webhook_id}", status_code=204)
def delete_webhook(webhook_id: IdPath, uow: UowDep, actor: ActorDep) -> Response:
    """Stop sending to the subscription; its delivery log stays readable until then."""
    webhooks.delete_webhook(uow, actor, webhook_id)
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries")
def webhook_deliveries(
    webhook_id: IdPath, asked: PageDep, uow: UowDep, actor: ActorDep
) -> Page[AttemptOut]:
    """The subscription's delivery log: every attempt, newest first."""
    found = webhooks.webhook_attempts(uow, actor, webhook_id, after_id(asked), asked.limit)
    return page(found, AttemptOut.of, asked, key=lambda a: a.id)


@router.get("/deliveries")
def list_deliveries(
    asked: PageDep, uow: UowDep, actor: ActorDep, status: DeliveryStatus | None = None
) -> Page[DeliveryOut]:
    """Deliveries (webhooks and e-mails), newest first; `status=dead` lists those that
    gave up, for a person to retry."""
    found = notifications.list_deliveries(uow, actor, status, after_id(asked), asked.limit)
    return page(found, DeliveryOut.of, asked, key=lambda d: d.id)


@router.post("/deliveries/{delivery_id}/retry")
def retry_delivery(delivery_id: IdPath, uow: UowDep, actor: ActorDep) -> DeliveryOut:
    """Try a dead delivery again at the worker's next pass, with the same event id;
    409 if it is not dead."""
    return DeliveryOut.of(notifications.retry_delivery(uow, actor, delivery_id))
