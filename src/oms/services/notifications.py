"""The worker's use cases: fan told events out into deliveries, deliver what is due, tell
late shipments once; and the people's side: dead deliveries, retrying them.

Delivery is at least once and never for work that rolled back: the outbox row is written in
the transaction of the change (adapters/db/orders.py), the worker leases due deliveries in
a short transaction it commits at once, sends outside any transaction, then records the
outcome. A worker that dies between sending and recording leaves the lease to expire, and
the notice is sent again with the same id (`Webhook-Id`, `Message-ID`).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from oms.domain.access import Actor, Permission
from oms.domain.errors import Conflict, NotFound
from oms.domain.notifications import signing
from oms.domain.notifications.delivery import (
    Channel,
    DeliveryStatus,
    Outcome,
    RetryPolicy,
    message_id,
)
from oms.domain.notifications.topics import EMAIL_TOPICS, Topic
from oms.domain.orders.model import Order
from oms.services.ports import UnitOfWork
from oms.services.ports.notifications import (
    Delivery,
    EmailMessage,
    EmailSender,
    NewDelivery,
    OutboxEvent,
    Webhook,
    WebhookPoster,
)

BATCH = 100
MAX_PAGE = 200


class Composer(Protocol):
    """Writes the customer's e-mail for a told event (templates live in an adapter)."""

    def email(self, event: OutboxEvent, order: Order, message_id: str) -> EmailMessage | None:
        """The message, or None when this event has nothing to say to the customer."""


@dataclass
class Transport:
    """How notices leave: e-mail, webhooks, and the e-mail composer."""

    email: EmailSender
    webhooks: WebhookPoster
    composer: Composer
    message_domain: str = "oms.invalid"


@dataclass
class WorkerSettings:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lease: timedelta = timedelta(minutes=2)
    batch: int = BATCH
    senders: int = 8  # deliveries of a batch sent at once (threads: sending is waiting)
    rand: random.Random = field(default_factory=random.Random)


def fan_out(uow: UnitOfWork, limit: int = BATCH) -> int:
    """Turn new outbox events into deliveries: one per webhook subscribed to the topic, and
    one e-mail to the customer for the topics customers hear about. Returns the events."""

    def work() -> int:
        events = uow.outbox.claim_new(limit)
        if not events:
            return 0
        hooks = uow.outbox.webhooks()
        new: list[NewDelivery] = []
        for e in events:
            new += [
                NewDelivery(e.id, Channel.WEBHOOK, h.url, h.id)
                for h in hooks
                if e.topic in h.events
            ]
            if e.topic in EMAIL_TOPICS and e.order_id is not None:
                order = uow.orders.get(e.order_id)
                if order is not None:
                    new.append(NewDelivery(e.id, Channel.EMAIL, order.customer.email))
        uow.outbox.add_deliveries(new, uow.now())
        uow.outbox.mark_fanned_out([e.id for e in events])
        return len(events)

    return uow.run(work)


def deliver_due(
    uow: UnitOfWork, transport: Transport, settings: WorkerSettings, limit: int = BATCH
) -> int:
    """Lease the deliveries due now; prepare each (its subscription, its e-mail) in one
    read; send them side by side (`settings.senders` at a time, outside any transaction:
    one slow receiver does not hold up the others); record every outcome in one
    transaction: sent, retried later with back-off, or dead after the last attempt.

    A worker that dies before recording leaves the lease to expire: the batch is sent
    again, with the same ids."""

    def claim() -> list[Delivery]:
        now = uow.now()
        return uow.outbox.claim_due(now, limit, now + settings.lease)

    claimed = uow.run(claim)
    if not claimed:
        return 0
    ready = uow.run(lambda: _prepare(uow, transport, claimed), write=False)
    with ThreadPoolExecutor(max_workers=min(settings.senders, len(ready))) as pool:
        outcomes = list(pool.map(lambda job: _send(transport, job), ready))

    def record() -> None:
        now = uow.now()
        for d, outcome in zip(claimed, outcomes, strict=True):
            after = (
                None
                if outcome.ok
                else settings.retry.after_failure(d.attempts + 1, now, settings.rand)
            )
            uow.outbox.record(d.id, outcome, now, after)

    uow.run(record)
    return len(claimed)


@dataclass(frozen=True, slots=True)
class _Post:
    url: str
    body: bytes
    headers: dict[str, str]


Job = _Post | EmailMessage | Outcome  # what to send, or already what came of it


def _prepare(uow: UnitOfWork, transport: Transport, claimed: list[Delivery]) -> list[Job]:
    """Inside one read transaction: each delivery's subscription (read once per batch) or
    its e-mail (the order read once per event)."""
    hooks: dict[int, Webhook | None] = {}
    jobs: list[Job] = []
    for d in claimed:
        try:
            if d.channel is Channel.WEBHOOK:
                key = d.webhook_id or 0
                if key not in hooks:
                    hooks[key] = uow.outbox.get_webhook(key)
                jobs.append(_post_job(hooks[key], d, uow.now()))
            else:
                jobs.append(_mail_job(uow, transport, d))
        except Exception as error:  # a template or data fault is this attempt's outcome
            jobs.append(Outcome(False, error=f"{type(error).__name__}: {error}"[:1000]))
    return jobs


def _send(transport: Transport, job: Job) -> Outcome:
    if isinstance(job, Outcome):
        return job
    try:
        if isinstance(job, _Post):
            return transport.webhooks.post(job.url, job.body, job.headers)
        return transport.email.send(job)
    except Exception as error:  # a sender's failure is an attempt's outcome, never lost
        return Outcome(False, error=f"{type(error).__name__}: {error}"[:1000])


def webhook_body(event: OutboxEvent) -> bytes:
    """`{id, type, created_at, data}`, as every subscriber of the event receives it."""
    return json.dumps(
        {
            "id": signing.event_key(event.id),
            "type": event.topic,
            "created_at": event.created_at.isoformat(),
            "data": dict(event.data),
        },
        separators=(",", ":"),
        default=str,
    ).encode()


def _post_job(hook: Webhook | None, d: Delivery, now: datetime) -> Job:
    if hook is None:
        return Outcome(False, error="the subscription was deleted")
    body = webhook_body(d.event)
    stamp = int(now.timestamp())
    return _Post(
        hook.url, body, signing.headers(hook.secret, signing.event_key(d.event.id), stamp, body)
    )


def _mail_job(uow: UnitOfWork, transport: Transport, d: Delivery) -> Job:
    if d.event.order_id is None:
        return Outcome(False, error="an e-mail needs an order")
    order = uow.orders.get(d.event.order_id)
    if order is None:
        return Outcome(False, error=f"order {d.event.order_id} is gone")
    message = transport.composer.email(
        d.event, order, message_id(d.event.id, Channel.EMAIL, transport.message_domain)
    )
    return Outcome(True) if message is None else message


@dataclass(frozen=True, slots=True)
class Round:
    """What one pass of the worker did."""

    fanned_out: int
    delivered: int
    late: int

    @property
    def busy(self) -> bool:
        return bool(self.fanned_out or self.delivered or self.late)


def run_once(
    uow: UnitOfWork,
    transport: Transport,
    settings: WorkerSettings,
    tell_late: Callable[[UnitOfWork], int] | None = None,
) -> Round:
    """One pass: late shipments told, new events fanned out, due deliveries sent."""
    late = tell_late(uow) if tell_late else 0
    fanned = 0
    while (n := fan_out(uow, settings.batch)) > 0:
        fanned += n
    delivered = deliver_due(uow, transport, settings, settings.batch)
    return Round(fanned, delivered, late)


# -- people: dead deliveries, retries -----------------------------------------------------


def list_deliveries(
    uow: UnitOfWork,
    actor: Actor,
    status: DeliveryStatus | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[Delivery]:
    actor.require(Permission.NOTIFICATION_MANAGE)
    return uow.run(
        lambda: uow.outbox.deliveries(status, before_id, min(limit, MAX_PAGE)), write=False
    )


def retry_delivery(uow: UnitOfWork, actor: Actor, delivery_id: int) -> Delivery:
    """A dead delivery is tried again at once (by the next worker pass), same id."""
    actor.require(Permission.NOTIFICATION_MANAGE)

    def work() -> Delivery:
        found = uow.outbox.get_delivery(delivery_id)
        if found is None:
            raise NotFound(f"no delivery with id {delivery_id}")
        if found.webhook_id is not None and uow.outbox.get_webhook(found.webhook_id) is None:
            raise Conflict(f"delivery {delivery_id} was for a subscription since deleted")
        if not uow.outbox.retry(delivery_id, uow.now()):
            raise Conflict(
                f"delivery {delivery_id} is {found.status.value}: only a dead one is retried"
            )
        again = uow.outbox.get_delivery(delivery_id)
        assert again is not None
        return again

    return uow.run(work)


__all__ = [
    "Composer",
    "Round",
    "Topic",
    "Transport",
    "WorkerSettings",
    "deliver_due",
    "fan_out",
    "list_deliveries",
    "retry_delivery",
    "run_once",
    "webhook_body",
]
