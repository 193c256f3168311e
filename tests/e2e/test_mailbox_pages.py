"""The mailbox pages over HTTP, on both databases: what the worker wrote to the folder,
newest first, one message with its headers, text and sandboxed HTML; admins only; no
name reaches outside the folder; with an SMTP server, a sentence saying where mail goes."""

from __future__ import annotations

import dataclasses
import html
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from oms.adapters.notifications.mail import mime
from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.orders.draft import Customer
from oms.domain.users import NewUser
from oms.services import notifications, orders, users
from oms.services.ports.notifications import EmailMessage
from tests.builders import draft, stocked
from tests.e2e.test_login import PASSWORD, browser_for, log_in
from tests.fakes import FakePasswords


def shop_with(container: Container, **settings: object) -> Container:
    changed = container.settings.model_copy(update=settings)
    shop = dataclasses.replace(container, settings=changed, passwords=FakePasswords())
    return shop


@pytest.fixture
def shop(container: Container, tmp_path: Path) -> Container:
    shop = shop_with(container, mailbox_dir=str(tmp_path / "mailbox"), shop_name="Maison Ann")
    for role in (Role.ADMIN, Role.SALES):
        users.create_user(shop.uow(), SYSTEM, NewUser(role.value, role), PASSWORD)
    return shop


def as_role(shop: Container, role: str) -> TestClient:
    browser = browser_for(shop)
    assert log_in(browser, role).status_code == 303
    return browser


def confirmed_and_told(shop: Container, language: str | None) -> tuple[str, str]:
    """An order confirmed, its e-mail written by the worker; its number and tracking token."""
    uow = shop.uow()
    stocked(uow, "TEE", 5)
    customer = Customer("ann@example.com", "Ann Martin", language=language)
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 1), customer=customer)).order
    orders.confirm_order(uow, SYSTEM, placed.id)
    notifications.run_once(shop.uow(), shop.transport(), shop.worker_settings())
    return placed.number, placed.tracking_token


def write(folder: Path, name: str, subject: str, at: datetime) -> None:
    message = EmailMessage(f"<{name}@shop.test>", "bob@example.com", subject, "t", "<p>h</p>", "en")
    m = mime(message, "orders@shop.test", "Shop")
    m.replace_header("Date", format_datetime(at))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.eml").write_bytes(bytes(m))


def test_an_admin_reads_what_the_worker_wrote(shop: Container) -> None:
    number, token = confirmed_and_told(shop, "fr-CA")
    browser = as_role(shop, "admin")
    assert 'href="/mailbox"' in browser.get("/").text
    listing = browser.get("/mailbox")
    assert listing.status_code == 200
    subject = f"Votre commande {number} est confirmée"
    assert subject in listing.text and "ann@example.com" in listing.text
    assert "<td>fr</td>" in listing.text
    [name] = [p.name for p in Path(shop.settings.mailbox_dir).glob("*.eml")]
    assert f'href="/mailbox/{name}"' in listing.text
    page = browser.get(f"/mailbox/{name}")
    assert page.status_code == 200
    assert "Maison Ann &lt;orders@example.com&gt;" in page.text
    link = f"http://127.0.0.1:8000/track/{token}"
    assert "Bonjour Ann Martin" in page.text and link in page.text
    assert 'sandbox=""' in page.text
    frame = page.text.split('srcdoc="', 1)[1].split('"', 1)[0]
    assert "<" not in frame  # the HTML part is an escaped attribute, never markup here
    assert '<html lang="fr">' in html.unescape(frame)


def test_the_list_is_newest_first(shop: Container) -> None:
    folder = Path(shop.settings.mailbox_dir)
    write(folder, "old", "The older one", datetime(2026, 3, 1, 9, tzinfo=UTC))
    write(folder, "new", "The newer one", datetime(2026, 3, 2, 9, tzinfo=UTC))
    write(folder, "mid", "The middle one", datetime(2026, 3, 1, 18, tzinfo=UTC))
    text = as_role(shop, "admin").get("/mailbox").text
    assert text.index("The newer one") < text.index("The middle one") < text.index("The older one")
    assert "3 messages" in text


def test_no_name_reaches_outside_the_folder(shop: Container, tmp_path: Path) -> None:
    folder = Path(shop.settings.mailbox_dir)
    write(folder, "real", "Real", datetime(2026, 3, 1, tzinfo=UTC))
    write(tmp_path, "outside", "Outside", datetime(2026, 3, 1, tzinfo=UTC))
    (folder / "notes.txt").write_text("not a message")
    browser = as_role(shop, "admin")
    assert browser.get("/mailbox/real.eml").status_code == 200
    for name in (
        "..%2Foutside.eml",
        "..%2F..%2Fetc%2Fpasswd",
        "%2Fetc%2Fpasswd",
        "notes.txt",
        "missing.eml",
        "real",
    ):
        page = browser.get(f"/mailbox/{name}")
        assert page.status_code == 404, name
        assert "Outside" not in page.text


def test_only_those_who_manage_notifications_see_the_mailbox(shop: Container) -> None:
    write(Path(shop.settings.mailbox_dir), "m", "Private", datetime(2026, 3, 1, tzinfo=UTC))
    browser = as_role(shop, "sales")
    assert 'href="/mailbox"' not in browser.get("/").text
    assert browser.get("/mailbox").status_code == 403
    page = browser.get("/mailbox/m.eml")
    assert page.status_code == 403 and "Private" not in page.text


def test_with_an_smtp_server_the_page_says_where_mail_goes(shop: Container) -> None:
    write(Path(shop.settings.mailbox_dir), "m", "Left over", datetime(2026, 3, 1, tzinfo=UTC))
    smtp = shop_with(shop, smtp_host="smtp.shop.test")
    browser = as_role(smtp, "admin")
    assert 'href="/mailbox"' not in browser.get("/").text
    page = browser.get("/mailbox")
    assert page.status_code == 200
    assert "smtp.shop.test" in page.text and "Left over" not in page.text
    assert browser.get("/mailbox/m.eml").status_code == 404
