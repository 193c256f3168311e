"""The mailbox in Chromium: an admin opens it from the navigation, reads a customer's
e-mail (headers, text, and the HTML in a sandboxed frame where its script never runs),
and both pages pass axe and fit at both widths."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from oms.adapters.notifications.compose import TemplateComposer
from oms.adapters.notifications.mail import MailboxSender
from oms.domain.notifications.delivery import Channel, message_id
from oms.domain.orders.model import Order
from oms.services.ports.notifications import OutboxEvent
from tests.browser.conftest import LiveServer
from tests.browser.shop import check_page, log_in

SCRIPT = "<script>parent.document.title = 'ran'</script>"


def written(live_server: LiveServer, folder: Path) -> Order:
    """A confirmation e-mail for one of the shop's orders, in French, written to the
    folder as the worker would, its HTML with a script slipped in."""
    uow = live_server.container.uow()
    order = uow.run(lambda: uow.orders.get(1), write=False)
    assert order is not None
    event = OutboxEvent(9001, "order.confirmed", order.id, {}, datetime.now(UTC))
    composer = TemplateComposer("Maison Ann", "https://shop.test", default_language="fr")
    message = composer.email(event, order, message_id(event.id, Channel.EMAIL, "shop.test"))
    assert message is not None
    slipped = message.html.replace("</body>", SCRIPT + "</body>")
    mail = dataclasses.replace(message, html=slipped)
    assert MailboxSender(folder, "orders@shop.test", "Maison Ann").send(mail).ok
    return order


def test_an_admin_reads_an_e_mail_in_the_mailbox(
    page: Page,
    live_server: LiveServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    screenshots: Path | None,
) -> None:
    folder = tmp_path / "mailbox"
    monkeypatch.setattr(live_server.container.settings, "mailbox_dir", str(folder))
    order = written(live_server, folder)
    log_in(page, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Mailbox").click()
    expect(page.get_by_role("heading", name="Mailbox", exact=True)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=order.customer.email)
    expect(row).to_contain_text("fr")
    check_page(page, "mailbox", screenshots)
    row.get_by_role("link", name=f"Votre commande {order.number} est confirmée").click()
    expect(page.get_by_text("Maison Ann <orders@shop.test>")).to_be_visible()
    expect(page.locator("pre.mail-text")).to_contain_text(f"/track/{order.tracking_token}")
    frame = page.frame_locator("iframe.mail-html")
    expect(frame.get_by_text(f"commande {order.number} est confirmée")).to_be_visible()
    link = frame.get_by_role("link")
    expect(link).to_have_attribute("href", f"https://shop.test/track/{order.tracking_token}")
    assert page.title() != "ran"  # the sandbox keeps the e-mail's script from running
    assert page.locator("iframe.mail-html").get_attribute("sandbox") == ""
    check_page(page, "mailbox-message", screenshots)
