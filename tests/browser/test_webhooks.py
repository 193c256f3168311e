"""Notifications in Chromium: an admin opens them from the navigation, sees a private
address refused inline with what was typed, adds a webhook and copies its secret (shown
once), opens its delivery log, retries a dead delivery with its button and deletes the
webhook. Each page passes axe and fits at both widths; other roles have no entry."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from oms.domain.access import SYSTEM
from oms.domain.notifications.delivery import Channel, DeliveryStatus, Outcome
from oms.services import notifications, webhooks
from oms.services.ports.notifications import NewDelivery
from tests.browser.conftest import LiveServer
from tests.browser.shop import check_page, log_in

URL = "https://1.1.1.1/oms-hooks"


def dead_delivery(live_server: LiveServer, hook_id: int) -> int:
    """An order.placed notice to the webhook that failed its last attempt (no worker runs in
    these tests, so nothing else is fanned out or sent)."""
    uow = live_server.container.uow()

    def work() -> int:
        now = uow.now()
        event = uow.outbox.add("order.placed", None, {"order_id": 0}, now)
        uow.outbox.mark_fanned_out([event])
        uow.outbox.add_deliveries([NewDelivery(event, Channel.WEBHOOK, URL, hook_id)], now)
        [mine] = [
            d
            for d in uow.outbox.deliveries(DeliveryStatus.PENDING, None, 50)
            if d.event.id == event
        ]
        uow.outbox.record(mine.id, Outcome(False, 503, "HTTP 503: try later"), now, None)
        return mine.id

    return uow.run(work)


def test_an_admin_adds_a_webhook_reads_its_log_retries_a_dead_delivery_and_deletes_it(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    uow = live_server.container.uow()
    log_in(page, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()

    page.get_by_label("URL").fill("http://169.254.169.254/latest")
    page.get_by_label("order.placed").check()
    page.get_by_role("button", name="Add webhook").click()
    expect(page.locator("#e-url")).to_contain_text("OMS_WEBHOOKS_ALLOW_PRIVATE")
    expect(page.get_by_label("URL")).to_have_value("http://169.254.169.254/latest")
    expect(page.get_by_label("order.placed")).to_be_checked()
    check_page(page, "webhooks", screenshots)

    page.get_by_label("URL").fill(URL)
    page.get_by_label("shipment.shipped").check()
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_role("status")).to_contain_text("Copy the signing secret now")
    secret = page.locator("#new-secret").inner_text()
    [hook] = [h for h in webhooks.list_webhooks(uow, SYSTEM) if h.url == URL]
    assert hook.secret == secret and hook.events == ("order.placed", "shipment.shipped")

    dead = dead_delivery(live_server, hook.id)
    page.get_by_role("link", name=URL).click()
    expect(page.get_by_role("heading", name=f"Webhook {hook.id}")).to_be_visible()
    expect(page.get_by_role("cell", name="HTTP 503: try later")).to_be_visible()
    check_page(page, "webhook", screenshots)

    page.get_by_role("link", name="All webhooks").click()
    page.get_by_role("link", name="Dead deliveries").click()
    expect(page.get_by_role("heading", name="Dead deliveries")).to_be_visible()
    check_page(page, "deliveries-dead", screenshots)
    page.get_by_role("button", name=f"Retry delivery {dead} ").click()
    expect(page.get_by_role("status")).to_contain_text(f"Delivery {dead} to {URL} is pending")
    [again] = [
        d
        for d in notifications.list_deliveries(uow, SYSTEM, DeliveryStatus.PENDING)
        if d.id == dead
    ]
    assert again.attempts == 1

    page.get_by_role("link", name="Webhooks", exact=True).click()
    page.get_by_role("button", name=f"Delete webhook {hook.id} ").click()
    expect(page.get_by_role("status")).to_contain_text(f"Webhook {hook.id} deleted")
    assert hook.id not in [h.id for h in webhooks.list_webhooks(uow, SYSTEM)]


def test_other_roles_have_no_notifications_entry(page: Page) -> None:
    log_in(page, "customer_service")
    main = page.get_by_role("navigation", name="Main")
    expect(main.get_by_role("link", name="Notifications")).to_have_count(0)
