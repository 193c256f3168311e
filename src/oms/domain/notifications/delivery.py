"""One notice to one recipient (a customer's mailbox, a webhook's URL), its attempts and
when the next one is due.

Delivery is at least once: a notice is sent again after a failure, and also after a
worker died between sending it and recording that it did; the receiver drops a repeat by
its id (`Webhook-Id`, the e-mail's `Message-ID`), which never changes for one notice.
After `max_attempts` failures the notice is dead: shown to people, who may retry it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from oms.domain.state_machine import StateMachine

MAX_DELAY = timedelta(hours=6)


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


D = DeliveryStatus
DELIVERY_STATES = StateMachine(
    "delivery",
    D.PENDING,
    {
        D.PENDING: frozenset({D.SENT, D.DEAD}),
        D.DEAD: frozenset({D.PENDING}),  # a person retries it
        D.SENT: frozenset(),
    },
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential back-off with full jitter: the n-th retry waits a random time between
    half and all of base x 2^(n-1), capped; after `max_attempts` failures, dead."""

    base_seconds: float = 30.0
    max_attempts: int = 10
    cap: timedelta = MAX_DELAY

    def __post_init__(self) -> None:
        if self.base_seconds <= 0 or self.max_attempts < 1:
            raise ValueError("a retry policy needs a positive base and at least one attempt")

    def delay(self, failures: int, rand: random.Random | None = None) -> timedelta:
        """How long to wait after the `failures`-th failure (1 for the first)."""
        if failures < 1:
            raise ValueError("a delay follows a failure")
        ceiling = min(self.base_seconds * 2 ** (failures - 1), self.cap.total_seconds())
        share = (rand or random).uniform(0.5, 1.0)
        return timedelta(seconds=ceiling * share)

    def after_failure(
        self, failures: int, now: datetime, rand: random.Random | None = None
    ) -> datetime | None:
        """When to try again, or None when the notice is dead."""
        if failures >= self.max_attempts:
            return None
        return now + self.delay(failures, rand)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to: sent, or an error (with the HTTP status when there was one)."""

    ok: bool
    status_code: int | None = None
    error: str | None = None


def message_id(event_id: int, channel: Channel, domain: str) -> str:
    """The e-mail Message-ID of a notice: the same on every attempt."""
    return f"<oms-event-{event_id}.{channel.value}@{domain}>"
