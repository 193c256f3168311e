"""The notifications pages over HTTP, on both databases: only admins get them (and the
navigation entry), a webhook added with its secret shown once, refusals inline with what
was typed, its delivery log, and dead deliveries retried with a button."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.notifications.delivery import DeliveryStatus, Outcome
from oms.domain.users import NewUser
from oms.services import notifications, orders, users, webhooks
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.e2e.test_login import PASSWORD, browser_for, csrf_of, log_in
from tests.fakes import FakePasswords

PUBLIC = "https://1.1.1.1/hooks"


@pytest.fixture
def shop(container: Container, tmp_path: Path) -> Container:
    fast = dataclasses.replace(container, passwords=FakePasswords())
    fast.settings.mailbox_dir = str(tmp_path / "mailbox")
    for role in (Role.ADMIN, Role.SALES):
        users.create_user(fast.uow(), SYSTEM, NewUser(role.value, role), PASSWORD)
    return fast


def as_role(shop: Container, role: str) -> TestClient:
    browser = browser_for(shop)
    assert log_in(browser, role).status_code == 303
    return browser


def dead_delivery(shop: Container, clock: FakeClock) -> int:
    """A webhook to an address nobody answers, an order placed, and its delivery dead."""
    uow = shop.uow()
    hook = webhooks.create_webhook(
        uow, SYSTEM, "http://127.0.0.1:9/nobody", ["order.placed"], "k", lambda url: None
    )
    stocked(uow, "TEE", 5)
    orders.place_order(uow, SYSTEM, draft(("TEE", 1)))
    notifications.fan_out(uow)
    now = clock()
    [claimed] = uow.run(lambda: uow.outbox.claim_due(now, 10, now))
    uow.run(lambda: uow.outbox.record(claimed.id, Outcome(False, 503, "HTTP 503: busy"), now, None))
    assert claimed.webhook_id == hook.id
    return claimed.id


def test_only_admins_get_the_notifications_pages_and_their_nav_entry(shop: Container) -> None:
    for role, allowed in (("admin", True), ("sales", False)):
        browser = as_role(shop, role)
        assert ('href="/webhooks"' in browser.get("/").text) is allowed
        for path in ("/webhooks", "/deliveries?status=dead"):
            assert browser.get(path).status_code == (200 if allowed else 403), (role, path)


def test_forged_posts_are_refused_with_403_and_change_nothing(
    shop: Container, clock: FakeClock
) -> None:
    dead = dead_delivery(shop, clock)
    [hook] = webhooks.list_webhooks(shop.uow(), SYSTEM)
    browser = as_role(shop, "sales")
    token = csrf_of(browser.get("/account"))
    for path, data in (
        ("/webhooks", {"url": PUBLIC, "events": ["order.placed"]}),
        (f"/webhooks/{hook.id}/delete", {}),
        (f"/deliveries/{dead}/retry", {}),
    ):
        refused = browser.post(path, data={"csrf_token": token, **data})
        assert refused.status_code == 403, (path, refused.text)
    assert [h.id for h in webhooks.list_webhooks(shop.uow(), SYSTEM)] == [hook.id]
    [still] = notifications.list_deliveries(shop.uow(), SYSTEM, DeliveryStatus.DEAD)
    assert still.id == dead


def test_an_admin_adds_a_webhook_sees_its_secret_once_and_deletes_it(shop: Container) -> None:
    browser = as_role(shop, "admin")
    token = csrf_of(browser.get("/webhooks"))
    made = browser.post(
        "/webhooks",
        data={"csrf_token": token, "url": PUBLIC, "events": ["order.placed", "refund.issued"]},
    )
    assert made.status_code == 200, made.text
    secret = re.search(r'id="new-secret">([^<]+)<', made.text)
    assert secret and secret.group(1).startswith("whsec_")
    [hook] = webhooks.list_webhooks(shop.uow(), SYSTEM)
    assert (hook.url, hook.events, hook.secret) == (
        PUBLIC, ("order.placed", "refund.issued"), secret.group(1),
    )  # fmt: skip
    again = browser.get("/webhooks")
    assert secret.group(1) not in again.text and PUBLIC in again.text  # shown once
    assert "No attempts yet" in browser.get(f"/webhooks/{hook.id}").text

    gone = browser.post(f"/webhooks/{hook.id}/delete", data={"csrf_token": token})
    assert gone.status_code == 303 and gone.headers["location"] == "/webhooks"
    assert webhooks.list_webhooks(shop.uow(), SYSTEM) == []
    assert browser.get(f"/webhooks/{hook.id}").status_code == 404


def test_a_refused_webhook_is_shown_inline_with_what_was_typed(shop: Container) -> None:
    browser = as_role(shop, "admin")
    token = csrf_of(browser.get("/webhooks"))
    typed = {"csrf_token": token, "url": "http://10.0.0.1/in", "events": ["order.confirmed"],
             "secret": "typed-secret"}  # fmt: skip
    refused = browser.post("/webhooks", data=typed)
    assert refused.status_code == 422
    assert 'id="e-url"' in refused.text and "OMS_WEBHOOKS_ALLOW_PRIVATE" in refused.text
    assert 'value="http://10.0.0.1/in"' in refused.text and 'value="typed-secret"' in refused.text
    assert 'value="order.confirmed" checked' in refused.text
    assert 'value="order.placed" checked' not in refused.text
    none = browser.post("/webhooks", data={"csrf_token": token, "url": PUBLIC})
    assert none.status_code == 422 and 'id="e-events"' in none.text
    assert webhooks.list_webhooks(shop.uow(), SYSTEM) == []
    expired = browser.post("/webhooks", data={**typed, "csrf_token": "forged"})
    assert expired.status_code == 403 and "This form has expired" in expired.text


def test_a_dead_delivery_is_listed_with_its_error_and_retried_with_the_button(
    shop: Container, clock: FakeClock
) -> None:
    dead = dead_delivery(shop, clock)
    browser = as_role(shop, "admin")
    page = browser.get("/deliveries?status=dead")
    assert "order.placed" in page.text and "HTTP 503: busy" in page.text
    assert "http://127.0.0.1:9/nobody" in page.text
    assert f'action="/deliveries/{dead}/retry"' in page.text
    [hook] = webhooks.list_webhooks(shop.uow(), SYSTEM)
    log = browser.get(f"/webhooks/{hook.id}")
    assert "HTTP 503: busy" in log.text and "evt_1" in log.text

    token = csrf_of(page)
    retried = browser.post(f"/deliveries/{dead}/retry", data={"csrf_token": token})
    assert retried.status_code == 303
    assert retried.headers["location"] == "/deliveries?status=dead"
    [pending] = notifications.list_deliveries(shop.uow(), SYSTEM, DeliveryStatus.PENDING)
    assert pending.id == dead
    assert "None." in browser.get("/deliveries?status=dead").text
    assert "http://127.0.0.1:9/nobody" in browser.get("/deliveries?status=pending").text
    twice = browser.post(f"/deliveries/{dead}/retry", data={"csrf_token": token})
    assert twice.status_code == 409 and "only a dead one is retried" in twice.text
