"""Webhook subscriptions on SQLite and PostgreSQL: only admins manage them, the event types
and URL are checked (the guard the entry point hands in included), a secret is generated
when none is given, and a subscription's log lists every attempt, newest first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from oms.adapters.notifications.compose import TemplateComposer
from oms.adapters.notifications.http import UnsafeAddress
from oms.adapters.notifications.mail import MailboxSender
from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import InvalidInput, NotFound, PermissionDenied
from oms.domain.notifications.delivery import Outcome, RetryPolicy
from oms.services import notifications, orders, webhooks
from oms.services.notifications import Transport, WorkerSettings
from tests.builders import draft, stocked
from tests.conftest import FakeClock

URL = "https://hooks.test/in"


def anywhere(url: str) -> None:
    """A guard that lets every URL through."""


def nowhere(url: str) -> None:
    raise UnsafeAddress(f"{url} resolves to 127.0.0.1, a loopback address")


def fields(error: InvalidInput) -> dict[str, str]:
    return {e.field: e.message for e in error.errors}


def test_an_admin_subscribes_with_a_generated_secret_and_lists_and_deletes(
    container: Container,
) -> None:
    uow = container.uow()
    hook = webhooks.create_webhook(
        uow, SYSTEM, URL, ["order.placed", "order.placed", "refund.issued"], None, anywhere
    )
    assert hook.events == ("order.placed", "refund.issued")  # once each, in the order given
    assert hook.secret.startswith("whsec_") and len(hook.secret) > 40
    other = webhooks.create_webhook(uow, SYSTEM, URL, ["order.confirmed"], "mine", anywhere)
    assert other.secret == "mine"
    assert [h.id for h in webhooks.list_webhooks(uow, SYSTEM)] == [hook.id, other.id]
    assert webhooks.get_webhook(uow, SYSTEM, hook.id).url == URL
    webhooks.delete_webhook(uow, SYSTEM, hook.id)
    assert [h.id for h in webhooks.list_webhooks(uow, SYSTEM)] == [other.id]
    with pytest.raises(NotFound):
        webhooks.delete_webhook(uow, SYSTEM, hook.id)
    with pytest.raises(NotFound):
        webhooks.get_webhook(uow, SYSTEM, hook.id)
    with pytest.raises(NotFound):
        webhooks.webhook_attempts(uow, SYSTEM, 999)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_an_admin_manages_webhooks(container: Container, role: Role) -> None:
    uow, actor = container.uow(), Actor("someone", role)
    with pytest.raises(PermissionDenied):
        webhooks.create_webhook(uow, actor, URL, ["order.placed"], None, anywhere)
    with pytest.raises(PermissionDenied):
        webhooks.list_webhooks(uow, actor)
    with pytest.raises(PermissionDenied):
        webhooks.webhook_attempts(uow, actor, 1)
    with pytest.raises(PermissionDenied):
        webhooks.delete_webhook(uow, actor, 1)
    assert webhooks.list_webhooks(uow, SYSTEM) == []


def test_unknown_or_missing_event_types_and_bad_urls_are_refused_by_field(
    container: Container,
) -> None:
    uow = container.uow()
    with pytest.raises(InvalidInput) as refused:
        webhooks.create_webhook(
            uow,
            SYSTEM,
            "ftp://x",
            ["order.placed", "order.exploded", "return.approved"],
            "",
            anywhere,
        )
    wrong = fields(refused.value)
    assert set(wrong) == {"url", "events", "secret"}
    assert "'order.exploded'" in wrong["events"] and "'return.approved'" in wrong["events"]
    assert "'order.placed'" not in wrong["events"]
    with pytest.raises(InvalidInput) as refused:
        webhooks.create_webhook(uow, SYSTEM, "https://" + "a" * 2000, [], None, anywhere)
    assert set(fields(refused.value)) == {"url", "events"}
    with pytest.raises(InvalidInput) as refused:
        webhooks.create_webhook(uow, SYSTEM, "http://localhost/in", ["order.placed"], None, nowhere)
    assert "loopback" in fields(refused.value)["url"]
    for broken in ("http://[::1", "http://a:99999/", "http://a b/", "https:///path"):
        with pytest.raises(InvalidInput) as refused:
            webhooks.create_webhook(uow, SYSTEM, broken, ["order.placed"], None, anywhere)
        assert set(fields(refused.value)) == {"url"}, broken
    assert webhooks.list_webhooks(uow, SYSTEM) == []


@dataclass
class Answers:
    """Answers the codes given first, then 200."""

    codes: list[int] = field(default_factory=list)

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Outcome:
        code = self.codes.pop(0) if self.codes else 200
        return Outcome(code < 300, code, None if code < 300 else f"HTTP {code}")


def test_the_log_of_a_subscription_lists_each_attempt_newest_first_and_pages(
    container: Container, clock: FakeClock, tmp_path: object
) -> None:
    from pathlib import Path

    uow = container.uow()
    hook = webhooks.create_webhook(uow, SYSTEM, URL, ["order.placed"], "k", anywhere)
    other = webhooks.create_webhook(uow, SYSTEM, URL + "2", ["order.placed"], "k", anywhere)
    stocked(uow, "TEE", 5)
    orders.place_order(uow, SYSTEM, draft(("TEE", 1)))
    t = Transport(
        MailboxSender(Path(str(tmp_path)) / "mail", "o@shop.test", "Shop"),
        Answers([500, 200, 502]),  # hook fails, other ok, hook fails again
        TemplateComposer("Shop", "https://shop.test"),
    )
    settings = WorkerSettings(retry=RetryPolicy(base_seconds=1, max_attempts=5))
    notifications.run_once(uow, t, settings)
    clock.advance(seconds=2)
    notifications.run_once(uow, t, settings)
    clock.advance(seconds=3)
    notifications.run_once(uow, t, settings)
    log = webhooks.webhook_attempts(uow, SYSTEM, hook.id)
    assert [(a.attempt, a.status_code) for a in log] == [(3, 200), (2, 502), (1, 500)]
    assert {a.topic for a in log} == {"order.placed"}
    assert [a.status_code for a in webhooks.webhook_attempts(uow, SYSTEM, other.id)] == [200]
    first = webhooks.webhook_attempts(uow, SYSTEM, hook.id, limit=2)
    rest = webhooks.webhook_attempts(uow, SYSTEM, hook.id, before_id=first[-1].id, limit=2)
    assert [a.attempt for a in first + rest] == [3, 2, 1]
