"""What notifications need from storage (the outbox, webhooks, deliveries) and from the
outside world (an e-mail sender, an HTTP poster)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from oms.domain.notifications.delivery import Channel, DeliveryStatus, Outcome


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """A told event as the outbox keeps it: its id is the notice's id everywhere."""

    id: int
    topic: str
    order_id: int | None
    data: Mapping[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Webhook:
    id: int
    url: str
    events: tuple[str, ...]
    secret: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewDelivery:
    outbox_id: int
    channel: Channel
    recipient: str
    webhook_id: int | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One notice to one recipient, with the event it tells and where it stands."""

    id: int
    event: OutboxEvent
    channel: Channel
    recipient: str
    webhook_id: int | None
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    last_status_code: int | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class Attempt:
    id: int
    delivery_id: int
    event_id: int
    topic: str
    attempt: int
    status_code: int | None
    error: str | None
    at: datetime


class OutboxRepository(Protocol):
    def add(self, topic: str, order_id: int | None, data: Mapping[str, Any], at: datetime) -> int:
        """Write a told event in the current transaction (the order's events are written by
        the order repository itself, in the same statement batch as the timeline)."""

    def claim_new(self, limit: int) -> list[OutboxEvent]:
        """Events not yet fanned out, oldest first, locked for this transaction (SKIP
        LOCKED on PostgreSQL: other workers take the next ones)."""

    def mark_fanned_out(self, event_ids: Sequence[int]) -> None: ...
    def add_deliveries(self, new: Sequence[NewDelivery], now: datetime) -> None:
        """Insert, skipping any that exist already (a fan-out run twice adds nothing)."""

    def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[Delivery]:
        """Pending deliveries due by `now` whose lease is free, oldest first; leased until
        `lease_until` (committed at once, so a worker that dies lets them go)."""

    def record(
        self,
        delivery_id: int,
        outcome: Outcome,
        at: datetime,
        next_attempt_at: datetime | None,
    ) -> None:
        """One attempt: the attempt row, and the delivery sent, retried at
        `next_attempt_at`, or dead (None after a failure)."""

    def retry(self, delivery_id: int, now: datetime) -> bool:
        """A dead delivery is pending again, due now; False if it was not dead."""

    def deliveries(
        self, status: DeliveryStatus | None, before_id: int | None, limit: int
    ) -> list[Delivery]:
        """Newest first."""

    def get_delivery(self, delivery_id: int) -> Delivery | None: ...

    def add_webhook(
        self, url: str, events: Sequence[str], secret: str, by: str, at: datetime
    ) -> int: ...
    def webhooks(self) -> list[Webhook]:
        """Live subscriptions, oldest first."""

    def get_webhook(self, webhook_id: int) -> Webhook | None: ...
    def delete_webhook(self, webhook_id: int, at: datetime) -> bool: ...
    def attempts_of_webhook(
        self, webhook_id: int, before_id: int | None, limit: int
    ) -> list[Attempt]:
        """Newest first."""


class EmailSender(Protocol):
    def send(self, message: EmailMessage) -> Outcome:
        """Hand the message over (an SMTP server, or the local mailbox folder)."""


class WebhookPoster(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Outcome:
        """POST the body; ok for a 2xx answer."""


@dataclass(frozen=True, slots=True)
class EmailMessage:
    message_id: str
    to: str
    subject: str
    text: str
    html: str
    language: str
