"""Request and answer bodies of webhook subscriptions, their delivery log, and the
deliveries people retry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from oms.api.schemas.common import Strict
from oms.domain.notifications import signing
from oms.domain.notifications.delivery import Channel, DeliveryStatus
from oms.services.ports.notifications import Attempt, Delivery, Webhook
from oms.services.webhooks import MAX_SECRET, MAX_URL


class WebhookIn(Strict):
    """`POST /webhooks`: where to send, which event types, and the signing secret (none: one
    is generated). Event types are checked by the service, which names every unknown one."""

    url: Annotated[str, Field(max_length=MAX_URL, examples=["https://example.com/oms-hooks"])]
    events: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=50)]
    secret: Annotated[str, Field(max_length=MAX_SECRET)] | None = None


class WebhookOut(BaseModel):
    """A subscription (never its secret, which only the answer that created it holds)."""

    id: int
    url: str
    events: list[str]
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, hook: Webhook) -> WebhookOut:
        return cls(
            id=hook.id,
            url=hook.url,
            events=list(hook.events),
            created_by=hook.created_by,
            created_at=hook.created_at,
        )


class CreatedWebhookOut(WebhookOut):
    """The new subscription with its secret, shown this once: the receiver checks
    `Webhook-Signature` with it."""

    secret: str

    @classmethod
    def created(cls, hook: Webhook) -> CreatedWebhookOut:
        return cls(**WebhookOut.of(hook).model_dump(), secret=hook.secret)


class AttemptOut(BaseModel):
    """One attempt to deliver an event to the subscription: `event_id` is the id the
    receiver sees (body `id`, `Webhook-Id`); `status_code` is null when no answer came."""

    id: int
    delivery_id: int
    event_id: str
    type: str
    attempt: int
    status_code: int | None
    error: str | None
    at: datetime

    @classmethod
    def of(cls, a: Attempt) -> AttemptOut:
        return cls(
            id=a.id,
            delivery_id=a.delivery_id,
            event_id=signing.event_key(a.event_id),
            type=a.topic,
            attempt=a.attempt,
            status_code=a.status_code,
            error=a.error,
            at=a.at,
        )


class DeliveryOut(BaseModel):
    """One notice to one recipient (a webhook's URL, a customer's address) and where it
    stands: pending (due at `next_attempt_at`), sent, or dead (a person may retry it)."""

    id: int
    event_id: str
    type: str
    order_id: int | None
    channel: Channel
    recipient: str
    webhook_id: int | None
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, d: Delivery) -> DeliveryOut:
        return cls(
            id=d.id,
            event_id=signing.event_key(d.event.id),
            type=d.event.topic,
            order_id=d.event.order_id,
            channel=d.channel,
            recipient=d.recipient,
            webhook_id=d.webhook_id,
            status=d.status,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            created_at=d.created_at,
            sent_at=d.sent_at,
        )
