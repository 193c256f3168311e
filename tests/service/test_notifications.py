"""The outbox and the worker on SQLite and PostgreSQL: told events are written with their
change and only then; fan-out makes one delivery per recipient; retries back off and end
dead; a dead delivery is retried by a person with the same id."""

from __future__ import annotations

import email
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from oms.adapters.db.tables import outbox
from oms.adapters.notifications.compose import TemplateComposer
from oms.adapters.notifications.mail import MailboxSender
from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import Conflict, PermissionDenied
from oms.domain.notifications import signing
from oms.domain.notifications.delivery import DeliveryStatus, Outcome, RetryPolicy
from oms.services import notifications, orders
from oms.services.notifications import Transport, WorkerSettings
from tests.builders import draft, stocked
from tests.conftest import FakeClock


@dataclass
class Receiver:
    """Records what was posted; answers the codes in `answers` first, then 200."""

    answers: list[int] = field(default_factory=list)
    got: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Outcome:
        self.got.append((url, body, dict(headers)))
        code = self.answers.pop(0) if self.answers else 200
        return Outcome(200 <= code < 300, code, None if code < 300 else f"HTTP {code}")


def transport(tmp_path: Path, receiver: Receiver) -> Transport:
    return Transport(
        email=MailboxSender(tmp_path / "mailbox", "orders@shop.test", "Shop"),
        webhooks=receiver,
        composer=TemplateComposer("Shop", "https://shop.test"),
        message_domain="shop.test",
    )


def told(container: Container) -> list[str]:
    with container.engine.connect() as conn:
        return [r.topic for r in conn.execute(sa.select(outbox.c.topic).order_by(outbox.c.id))]


def test_a_change_and_its_notice_commit_together_or_not_at_all(container: Container) -> None:
    uow = container.uow()
    stocked(uow, "TEE", 5)
    order = orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order
    orders.confirm_order(uow, SYSTEM, order.id)
    assert told(container) == ["order.placed", "order.confirmed"]

    def fails() -> None:
        found = uow.orders.get(order.id, lock=True)
        assert found is not None
        found.cancel("rolled back")
        uow.orders.save(found, "x", uow.now())
        raise RuntimeError("the transaction dies before it commits")

    with pytest.raises(RuntimeError):
        uow.run(fails)
    assert told(container) == ["order.placed", "order.confirmed"]  # no order.cancelled


def test_webhooks_and_e_mails_are_delivered_signed_and_once(
    container: Container, clock: FakeClock, tmp_path: Path
) -> None:
    uow = container.uow()
    hook_id = uow.run(
        lambda: uow.outbox.add_webhook(
            "https://hooks.test/in", ["order.placed", "order.confirmed"], "s3cret", "ada", clock()
        )
    )
    assert hook_id
    stocked(uow, "TEE", 5)
    order = orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order
    orders.confirm_order(uow, SYSTEM, order.id)
    receiver = Receiver()
    settings = WorkerSettings(retry=RetryPolicy(base_seconds=1, max_attempts=3))
    done = notifications.run_once(uow, transport(tmp_path, receiver), settings)
    assert (done.fanned_out, done.delivered) == (2, 3)  # 2 webhooks + 1 e-mail (confirmed)
    types = []
    for url, body, headers in receiver.got:
        assert url == "https://hooks.test/in"
        stamp = int(headers["Webhook-Timestamp"])
        assert signing.verify(
            "s3cret", headers["Webhook-Signature"], headers["Webhook-Id"], stamp, body
        )
        import json

        payload = json.loads(body)
        assert payload["id"] == headers["Webhook-Id"] and payload["data"]["order_id"] == order.id
        types.append(payload["type"])
    assert sorted(types) == ["order.confirmed", "order.placed"]
    [mail] = list((tmp_path / "mailbox").glob("*.eml"))
    message = email.message_from_bytes(mail.read_bytes())
    assert message["To"] == "ann@example.com"
    assert order.number in message["Subject"]
    assert notifications.run_once(uow, transport(tmp_path, receiver), settings).busy is False


def test_failures_back_off_then_die_and_a_person_retries_with_the_same_id(
    container: Container, clock: FakeClock, tmp_path: Path
) -> None:
    uow = container.uow()
    uow.run(
        lambda: uow.outbox.add_webhook(
            "https://hooks.test/in", ["order.placed"], "k", "ada", clock()
        )
    )
    stocked(uow, "TEE", 5)
    orders.place_order(uow, SYSTEM, draft(("TEE", 1)))
    receiver = Receiver(answers=[500, 503])
    settings = WorkerSettings(retry=RetryPolicy(base_seconds=1, max_attempts=2))
    t = transport(tmp_path, receiver)
    notifications.run_once(uow, t, settings)
    assert len(receiver.got) == 1
    notifications.run_once(uow, t, settings)
    assert len(receiver.got) == 1  # not due yet: it backs off
    clock.advance(seconds=2)
    notifications.run_once(uow, t, settings)
    assert len(receiver.got) == 2
    [dead] = notifications.list_deliveries(uow, SYSTEM, DeliveryStatus.DEAD)
    assert (dead.attempts, dead.last_status_code) == (2, 503)
    with pytest.raises(PermissionDenied):
        notifications.retry_delivery(uow, Actor("carla", Role.CUSTOMER_SERVICE), dead.id)
    again = notifications.retry_delivery(uow, SYSTEM, dead.id)
    assert again.status is DeliveryStatus.PENDING
    with pytest.raises(Conflict):
        notifications.retry_delivery(uow, SYSTEM, dead.id)
    notifications.run_once(uow, t, settings)
    assert len(receiver.got) == 3
    ids = {h["Webhook-Id"] for _, _, h in receiver.got}
    assert len(ids) == 1  # one event, one id, on every attempt
    assert notifications.list_deliveries(uow, SYSTEM, DeliveryStatus.SENT)[0].id == dead.id


def test_the_retry_delay_doubles_with_jitter_up_to_a_cap() -> None:
    import random

    policy = RetryPolicy(base_seconds=10, max_attempts=20)
    rand = random.Random(1)
    for n, ceiling in [(1, 10), (2, 20), (3, 40), (12, 6 * 3600)]:
        delay = policy.delay(n, rand)
        assert timedelta(seconds=ceiling / 2) <= delay <= timedelta(seconds=ceiling)
    assert policy.after_failure(20, FakeClock()(), rand) is None


def test_deleting_a_subscription_ends_its_waiting_deliveries(
    container: Container, clock: FakeClock, tmp_path: Path
) -> None:
    from oms.services import webhooks

    uow = container.uow()
    hook_id = uow.run(
        lambda: uow.outbox.add_webhook(
            "https://hooks.test/in", ["order.placed"], "k", "ada", clock()
        )
    )
    stocked(uow, "TEE", 5)
    orders.place_order(uow, SYSTEM, draft(("TEE", 1)))
    receiver = Receiver(answers=[500])
    settings = WorkerSettings(retry=RetryPolicy(base_seconds=1, max_attempts=5))
    notifications.run_once(uow, transport(tmp_path, receiver), settings)
    webhooks.delete_webhook(uow, SYSTEM, hook_id)
    [dead] = notifications.list_deliveries(uow, SYSTEM, DeliveryStatus.DEAD)
    assert dead.last_error == "the subscription was deleted"
    with pytest.raises(Conflict, match="since deleted"):
        notifications.retry_delivery(uow, SYSTEM, dead.id)
    clock.advance(seconds=5)
    notifications.run_once(uow, transport(tmp_path, receiver), settings)
    assert len(receiver.got) == 1
