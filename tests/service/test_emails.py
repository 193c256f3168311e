"""E-mails to customers through a real SMTP server (aiosmtpd, in process), on SQLite and
PostgreSQL: what the server receives (headers, both parts, the tracking link, the
customer's language), one message per event and order, retries while the server is down,
the late-shipment message, and STARTTLS with a certificate made in the test."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage as Mime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from oms.adapters.notifications.compose import TemplateComposer
from oms.adapters.notifications.mail import SmtpSender, SmtpServer
from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.notifications.delivery import (
    Channel,
    DeliveryStatus,
    Outcome,
    RetryPolicy,
    message_id,
)
from oms.domain.orders.draft import Customer
from oms.services import notifications, orders
from oms.services.late_shipments import tell_late_shipments
from oms.services.notifications import Transport, WorkerSettings
from oms.services.ports import UnitOfWork
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.service.parcels import report, shipped

SHOP = "Maison Ann"
SETTINGS = WorkerSettings(retry=RetryPolicy(base_seconds=1, max_attempts=3))


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    messages: list[Mime] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(parsed, Mime)
        self.messages.append(parsed)
        return "250 OK"

    def take(self) -> list[Mime]:
        taken, self.messages = self.messages, []
        return taken


class NoWebhooks:
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Outcome:
        raise AssertionError("no webhook is subscribed in these tests")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def smtp(port: int, security: str = "none") -> Transport:
    return Transport(
        email=SmtpSender(
            SmtpServer("127.0.0.1", port, security, timeout=5), "orders@shop.test", SHOP
        ),
        webhooks=NoWebhooks(),
        composer=TemplateComposer(SHOP, "https://shop.test/"),
        message_domain="shop.test",
    )


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    yield handler, port
    server.stop()


def run(uow: UnitOfWork, transport: Transport) -> notifications.Round:
    return notifications.run_once(uow, transport, SETTINGS, tell_late=tell_late_shipments)


def customer(language: str | None) -> Customer:
    return Customer("ann@example.com", "Ann Martin", language=language)


def parts(m: Mime) -> tuple[str, str]:
    text, html = m.get_body(("plain",)), m.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def test_a_delivered_order_sends_three_messages_with_both_parts_and_the_tracking_link(
    container: Container, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    uow = container.uow()
    s = shipped(uow, draft(("TEE", 1), customer=customer(None)))
    report(uow, s, "delivered", clock.now + timedelta(days=1))
    order = orders.get_order(uow, SYSTEM, s.order_id)
    assert run(uow, smtp(port)).delivered == 3
    confirmed, on_its_way, delivered = sorted(handler.take(), key=lambda m: str(m["Message-ID"]))
    assert handler.envelopes[0] == ("orders@shop.test", ["ann@example.com"])
    link = f"https://shop.test/track/{order.tracking_token}"
    for m, subject in [
        (confirmed, f"Your order {order.number} is confirmed"),
        (on_its_way, f"Your order {order.number} is on its way"),
        (delivered, f"Your order {order.number} was delivered"),
    ]:
        assert m["Subject"] == subject
        assert m["From"] == f"{SHOP} <orders@shop.test>"
        assert m["To"] == "ann@example.com"
        assert m["Content-Language"] == "en"
        assert m.get_content_type() == "multipart/alternative"
        text, html = parts(m)
        assert link in text and f'href="{link}"' in html
        assert "Ann Martin" in text and SHOP in text and SHOP in html
        assert '<html lang="en">' in html
    assert s.tracking_number and s.tracking_number in parts(on_its_way)[0]
    # Each message's id is its event's, the same on every attempt.
    ids = {d.event.topic: d.event.id for d in notifications.list_deliveries(uow, SYSTEM)}
    assert confirmed["Message-ID"] == message_id(ids["order.confirmed"], Channel.EMAIL, "shop.test")
    assert delivered["Message-ID"] == message_id(
        ids["shipment.delivered"], Channel.EMAIL, "shop.test"
    )


def test_the_message_is_in_the_customers_language_or_english(
    container: Container, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    uow = container.uow()
    french = shipped(uow, draft(("TEE", 1), customer=customer("fr-CA")))
    german = shipped(uow, draft(("MUG", 1), customer=customer("de")))
    run(uow, smtp(port))
    got = {(m["Content-Language"], str(m["Subject"])) for m in handler.take()}
    fr = orders.get_order(uow, SYSTEM, french.order_id).number
    de = orders.get_order(uow, SYSTEM, german.order_id).number
    assert got == {
        ("fr", f"Votre commande {fr} est confirmée"),
        ("fr", f"Votre commande {fr} est en route"),
        ("en", f"Your order {de} is confirmed"),
        ("en", f"Your order {de} is on its way"),
    }
    report(uow, french, "delivered", clock.now + timedelta(days=1))
    run(uow, smtp(port))
    [m] = handler.take()
    text, html = parts(m)
    assert "Bonjour Ann Martin" in text and '<html lang="fr">' in html


def test_a_repeated_carrier_event_sends_nothing_new(
    container: Container, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    uow = container.uow()
    s = shipped(uow, draft(("TEE", 1)))
    at = clock.now + timedelta(hours=20)
    report(uow, s, "out_for_delivery", at)
    run(uow, smtp(port))
    assert len(handler.take()) == 3  # confirmed, shipped, out for delivery
    assert report(uow, s, "out_for_delivery", at).recorded is False  # the same report again
    report(uow, s, "out_for_delivery", at + timedelta(minutes=5))  # the same news, later
    assert run(uow, smtp(port)).busy is False
    report(uow, s, "delivered", at + timedelta(hours=2))
    report(uow, s, "delivered", at + timedelta(hours=3))
    run(uow, smtp(port))
    run(uow, smtp(port))
    [m] = handler.take()
    assert "was delivered" in str(m["Subject"])


def test_a_late_shipment_sends_one_delayed_message(
    container: Container, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    uow = container.uow()
    s = shipped(uow, draft(("TEE", 1), customer=customer("fr")))
    run(uow, smtp(port))
    handler.take()
    clock.advance(days=20)
    assert run(uow, smtp(port)).late == 1
    report(uow, s, "in_transit", clock.now)  # the carrier speaks up, still not delivered
    report(uow, s, "in_transit", clock.now)
    assert run(uow, smtp(port)).late == 0
    [m] = handler.take()
    number = orders.get_order(uow, SYSTEM, s.order_id).number
    assert m["Subject"] == f"Votre commande {number} a du retard"
    assert s.promised_delivery_date and s.promised_delivery_date.isoformat() in parts(m)[0]


def test_while_the_server_is_down_the_message_waits_then_goes(
    container: Container, clock: FakeClock
) -> None:
    uow = container.uow()
    port = free_port()  # nobody listens there yet
    orders.confirm_order(uow, SYSTEM, placed_order_id(uow))
    assert run(uow, smtp(port)).delivered == 1
    [waiting] = notifications.list_deliveries(uow, SYSTEM, DeliveryStatus.PENDING)
    assert waiting.attempts == 1 and waiting.last_error
    assert waiting.next_attempt_at > clock.now
    handler = Inbox()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        assert run(uow, smtp(port)).delivered == 0  # backing off
        clock.advance(seconds=2)
        assert run(uow, smtp(port)).delivered == 1
    finally:
        server.stop()
    # The delivery's state first: should the second attempt fail, its error is the cause.
    sent = notifications.list_deliveries(uow, SYSTEM, DeliveryStatus.SENT)
    left = notifications.list_deliveries(uow, SYSTEM, DeliveryStatus.PENDING)
    assert [(d.id, d.attempts) for d in sent] == [(waiting.id, 2)], [
        (d.attempts, d.last_error) for d in left
    ]
    [m] = handler.take()
    assert m["Message-ID"] == message_id(waiting.event.id, Channel.EMAIL, "shop.test")


def placed_order_id(uow: UnitOfWork) -> int:
    """A placed order, not yet confirmed (its confirmation is the one e-mail)."""
    stocked(uow, "TEE", 5)
    return orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order.id


def test_starttls_with_the_servers_certificate(
    container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ssl

    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the default context trusts it
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    handler, port = Inbox(), free_port()
    server = Controller(
        handler, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True
    )
    server.start()
    try:
        uow = container.uow()
        orders.confirm_order(uow, SYSTEM, placed_order_id(uow))
        assert smtp(port, "none").email.send(example()).ok is False  # refused in clear
        assert run(uow, smtp(port, "starttls")).delivered == 1
    finally:
        server.stop()
    [m] = handler.take()
    assert "is confirmed" in str(m["Subject"])
    [sent] = notifications.list_deliveries(uow, SYSTEM, DeliveryStatus.SENT)
    assert sent.attempts == 1


def example() -> Any:
    from oms.services.ports.notifications import EmailMessage

    return EmailMessage("<x@shop.test>", "ann@example.com", "Hi", "hi", "<p>hi</p>", "en")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made now (skips when `cryptography` is missing)."""
    pytest.importorskip("cryptography")
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_a_failed_delivery_attempt_tells_the_customer_and_the_last_one_says_it_comes_back(
    container: Container, inbox: tuple[Inbox, int]
) -> None:
    from oms.domain.fulfilment.delivery_runs import failed
    from oms.services import delivery_runs, delivery_stops
    from tests.service.local_runs import CLERK, VAN, local_shop, packed

    handler, port = inbox
    uow = local_shop(container.uow())
    s = packed(uow)
    for attempt in (1, 2):  # PAR makes two attempts
        run_ = delivery_runs.create_run(uow, CLERK, "PAR")
        delivery_stops.start_run(uow, VAN, run_.id)
        delivery_stops.record_stop(uow, VAN, run_.id, s.id, failed("not_home", None))
        delivery_stops.finish_run(uow, VAN, run_.id)
        run(uow, smtp(port))
        told = [m for m in handler.take() if "could not deliver" in str(m["Subject"])]
        assert len(told) == 1, attempt
        text, html = parts(told[0])
        assert "nobody was at home" in text and "nobody was at home" in html
        assert ("last attempt" in text) is (attempt == 2)
        assert ("try again" in text) is (attempt == 1)


def test_a_lost_parcel_tells_the_customer_once_in_their_language(
    container: Container, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    from oms.services import lost_parcels

    handler, port = inbox
    uow = container.uow()
    s = shipped(uow, draft(("TEE", 1), customer=customer("fr")))
    run(uow, smtp(port))
    handler.take()
    lost_parcels.declare_lost(uow, SYSTEM, s.id, "internal: the depot scanned it twice")
    run(uow, smtp(port))
    [m] = handler.take()
    number = orders.get_order(uow, SYSTEM, s.order_id).number
    assert m["Subject"] == f"Un colis de votre commande {number} a été perdu"
    text, html = parts(m)
    assert s.tracking_number and s.tracking_number in text and s.tracking_number in html
    assert "internal" not in text and "internal" not in html  # staff's words stay in
    lost_parcels.reship(uow, SYSTEM, s.id)  # the new parcel is told when it ships
    run(uow, smtp(port))
    assert handler.take() == []
