"""`oms webhooks` and `oms outbox`: the secret on the last line, the private-address guard
and its setting, dead deliveries listed and retried."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from oms.bootstrap import Container
from oms.cli import app
from oms.config import get_settings
from oms.domain.access import SYSTEM
from oms.domain.notifications.delivery import DeliveryStatus, Outcome
from oms.services import notifications, orders, webhooks
from tests.builders import draft, stocked

runner = CliRunner()
PUBLIC = "https://1.1.1.1/in"


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("OMS_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def oms(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def last_line(output: str) -> str:
    return output.rstrip("\n").splitlines()[-1]


def test_adding_a_webhook_prints_its_secret_last_and_lists_it_without(
    cli: pytest.MonkeyPatch, container: Container
) -> None:
    out = oms("webhooks", "add", PUBLIC, "--event", "order.placed", "--event", "refund.issued")
    secret = last_line(out)
    [hook] = webhooks.list_webhooks(container.uow(), SYSTEM)
    assert (hook.secret, hook.events) == (secret, ("order.placed", "refund.issued"))
    assert secret.startswith("whsec_")
    given = oms("webhooks", "add", PUBLIC + "2", "--event", "order.confirmed", "--secret", "s3")
    assert last_line(given) == "s3"
    listed = oms("webhooks", "list")
    assert PUBLIC in listed and "refund.issued" in listed
    assert secret not in listed and "s3 " not in listed
    assert f"webhook {hook.id} is deleted" in oms("webhooks", "delete", str(hook.id))
    assert "no webhook subscription" in oms("webhooks", "delete", str(hook.id), code=1)


def test_a_private_address_or_an_unknown_event_is_refused_unless_the_setting_allows(
    cli: pytest.MonkeyPatch, container: Container
) -> None:
    refused = oms("webhooks", "add", "http://127.0.0.1:9/in", "--event", "order.placed", code=1)
    assert "OMS_WEBHOOKS_ALLOW_PRIVATE" in refused
    unknown = oms("webhooks", "add", PUBLIC, "--event", "order.lost", code=1)
    assert "'order.lost'" in unknown
    assert webhooks.list_webhooks(container.uow(), SYSTEM) == []
    cli.setenv("OMS_WEBHOOKS_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    oms("webhooks", "add", "http://127.0.0.1:9/in", "--event", "order.placed")
    assert len(webhooks.list_webhooks(container.uow(), SYSTEM)) == 1


def test_a_dead_delivery_is_listed_and_retried(
    cli: pytest.MonkeyPatch, container: Container
) -> None:
    uow = container.uow()
    webhooks.create_webhook(uow, SYSTEM, PUBLIC, ["order.placed"], "k", lambda url: None)
    stocked(uow, "TEE", 5)
    orders.place_order(uow, SYSTEM, draft(("TEE", 1)))
    notifications.fan_out(uow)
    now = uow.now()
    [d] = uow.run(lambda: uow.outbox.claim_due(now, 10, now))
    uow.run(lambda: uow.outbox.record(d.id, Outcome(False, 502, "HTTP 502: gateway"), now, None))

    dead = oms("outbox", "list", "--status", "dead")
    assert "order.placed" in dead and "HTTP 502: gateway" in dead and PUBLIC in dead
    assert "order.placed" not in oms("outbox", "list", "--status", "sent")
    assert "pending again" in oms("outbox", "retry", str(d.id))
    [again] = notifications.list_deliveries(uow, SYSTEM, DeliveryStatus.PENDING)
    assert again.id == d.id
    assert "only a dead one is retried" in oms("outbox", "retry", str(d.id), code=1)
