"""Webhook subscriptions as people manage them: subscribe a URL to event types (checked
against the private-address guard the entry point hands in), list, read and delete them,
and read one subscription's delivery log.

The guard is a callable so this module never imports an adapter: the API, pages and CLI
pass the HTTP adapter's `check_url` bound to the setting OMS_WEBHOOKS_ALLOW_PRIVATE.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from oms.domain.access import Actor, Permission
from oms.domain.errors import FieldErrors, NotFound
from oms.domain.notifications import signing
from oms.domain.notifications.topics import WEBHOOK_TOPICS
from oms.services.ports import UnitOfWork
from oms.services.ports.notifications import Attempt, Webhook

MAX_URL = 2000  # the column's length
MAX_SECRET = 128  # the column's length
MAX_PAGE = 200
TOPICS = sorted(t.value for t in WEBHOOK_TOPICS)

# Raises ValueError (the adapter's UnsafeAddress) for a URL a webhook may not go to.
UrlGuard = Callable[[str], None]


def create_webhook(
    uow: UnitOfWork,
    actor: Actor,
    url: str,
    events: Sequence[str],
    secret: str | None,
    guard: UrlGuard,
) -> Webhook:
    """Subscribe a URL to event types (at least one of WEBHOOK_TOPICS); without a secret,
    one is generated. The answer holds the secret: entry points show it this once."""
    actor.require(Permission.NOTIFICATION_MANAGE)
    errors = FieldErrors()
    url = url.strip()
    _check_url(url, guard, errors)
    events = _check_events(events, errors)
    secret = secret if secret is not None else signing.new_secret()
    if not secret or secret != secret.strip() or len(secret) > MAX_SECRET:
        errors.add("secret", f"1 to {MAX_SECRET} characters without surrounding blanks")
    errors.raise_if_any()

    def work() -> Webhook:
        hook_id = uow.outbox.add_webhook(url, events, secret, actor.name, uow.now())
        found = uow.outbox.get_webhook(hook_id)
        assert found is not None
        return found

    return uow.run(work)


def _check_url(url: str, guard: UrlGuard, errors: FieldErrors) -> None:
    if len(url) > MAX_URL:
        errors.add("url", f"at most {MAX_URL} characters")
    elif not _http_url(url):
        errors.add("url", "an http:// or https:// URL with a host, without blanks")
    else:
        try:
            guard(url)
        except ValueError as refused:  # the adapter's UnsafeAddress, or a host it cannot read
            errors.add("url", str(refused) or "not a URL a webhook may go to")


def _http_url(url: str) -> bool:
    if any(c.isspace() or not c.isprintable() for c in url):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a broken IPv6 literal, a port out of range
        return False


def _check_events(events: Sequence[str], errors: FieldErrors) -> list[str]:
    if not events:
        errors.add("events", f"at least one of {', '.join(TOPICS)}")
        return []
    unknown = [e for e in events if e not in WEBHOOK_TOPICS]
    if unknown:
        errors.add(
            "events",
            f"unknown event type{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(e) for e in unknown)}; one of {', '.join(TOPICS)}",
        )
    return list(dict.fromkeys(events))  # once each, in the order given


def list_webhooks(uow: UnitOfWork, actor: Actor) -> list[Webhook]:
    """Live subscriptions, oldest first."""
    actor.require(Permission.NOTIFICATION_MANAGE)
    return uow.run(lambda: uow.outbox.webhooks(), write=False)


def get_webhook(uow: UnitOfWork, actor: Actor, webhook_id: int) -> Webhook:
    actor.require(Permission.NOTIFICATION_MANAGE)
    return uow.run(lambda: _found(uow, webhook_id), write=False)


def delete_webhook(uow: UnitOfWork, actor: Actor, webhook_id: int) -> None:
    """Stop sending to the URL: nothing new is fanned out to it, and what was still due for
    it ends dead at once, saying why (the log keeps every attempt made)."""
    actor.require(Permission.NOTIFICATION_MANAGE)

    def work() -> None:
        if not uow.outbox.delete_webhook(webhook_id, uow.now()):
            raise _missing(webhook_id)

    uow.run(work)


def webhook_attempts(
    uow: UnitOfWork,
    actor: Actor,
    webhook_id: int,
    before_id: int | None = None,
    limit: int = 50,
) -> list[Attempt]:
    """The subscription's delivery log: every attempt, newest first, before `before_id`."""
    actor.require(Permission.NOTIFICATION_MANAGE)

    def work() -> list[Attempt]:
        _found(uow, webhook_id)
        return uow.outbox.attempts_of_webhook(webhook_id, before_id, min(limit, MAX_PAGE))

    return uow.run(work, write=False)


def _found(uow: UnitOfWork, webhook_id: int) -> Webhook:
    found = uow.outbox.get_webhook(webhook_id)
    if found is None:
        raise _missing(webhook_id)
    return found


def _missing(webhook_id: int) -> NotFound:
    return NotFound(f"no webhook subscription with id {webhook_id}")
