"""Webhooks over HTTP end to end, on both databases: a subscription made through the API,
orders placed and confirmed through the API, the worker's passes posting to a real HTTP
receiver on 127.0.0.1 that checks each signature and fails the first requests; retries
that back off and keep their id, the delivery log, dead deliveries retried through the API,
and the private-address guard with the default settings."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.notifications import signing
from oms.services import notifications
from oms.services.notifications import Round
from tests.builders import order_body, stocked
from tests.conftest import FakeClock

API = "/api/v1"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    signed: bool  # the signature checked out with the subscription's secret

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver: records every request, checks its signature, answers 500 to the
    first `failures` requests and 200 to the others."""

    url: str = ""
    secret: str = ""
    failures: int = 0
    got: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, headers: dict[str, str], body: bytes) -> int:
        signed = signing.verify(
            self.secret,
            headers.get("Webhook-Signature", ""),
            headers.get("Webhook-Id", ""),
            int(headers.get("Webhook-Timestamp", "0")),
            body,
        )
        with self.lock:
            self.got.append(Received(headers, body, signed))
            return 500 if len(self.got) <= self.failures else 200


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            code = found.take(dict(self.headers.items()), body)
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    found.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/oms"
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def dev(container: Container, tmp_path: Path) -> Container:
    """The container as in development: private addresses allowed, a 1 s first retry delay,
    three attempts, e-mails into a folder of the test's own."""
    s = container.settings
    s.webhooks_allow_private = True
    s.outbox_retry_base_seconds = 1
    s.outbox_max_attempts = 3
    s.mailbox_dir = str(tmp_path / "mailbox")
    return container


def work(container: Container) -> Round:
    """One pass of `oms worker`."""
    transport = container.transport()
    try:
        return notifications.run_once(container.uow(), transport, container.worker_settings())
    finally:
        transport.webhooks.close()  # type: ignore[attr-defined]


def subscribe(client: TestClient, receiver: Receiver, *events: str) -> dict[str, Any]:
    answer = client.post(f"{API}/webhooks", json={"url": receiver.url, "events": list(events)})
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    receiver.secret = created["secret"]
    return created


def placed_and_confirmed(container: Container, client: TestClient) -> int:
    stocked(container.uow(), "TEE", 10)
    order = client.post(f"{API}/orders", json=order_body(("TEE", 1)))
    assert order.status_code == 201, order.text
    order_id: int = order.json()["id"]
    assert client.post(f"{API}/orders/{order_id}/confirm").status_code == 200
    return order_id


def test_events_reach_the_receiver_signed_and_failures_are_retried_after_a_delay(
    dev: Container, client: TestClient, receiver: Receiver, clock: FakeClock
) -> None:
    hook = subscribe(client, receiver, "order.placed", "order.confirmed")
    assert hook["url"] == receiver.url and hook["secret"].startswith("whsec_")
    assert client.get(f"{API}/webhooks").json()["items"][0]["id"] == hook["id"]
    assert "secret" not in client.get(f"{API}/webhooks").json()["items"][0]
    receiver.failures = 2
    order_id = placed_and_confirmed(dev, client)
    assert receiver.got == []  # nothing is sent by the request itself

    assert work(dev).delivered == 3  # two webhooks, and the e-mail of the confirmation
    assert len(receiver.got) == 2  # both answered 500
    clock.advance(seconds=0.45)
    work(dev)
    assert len(receiver.got) == 2  # the first retry waits 0.5 to 1 s
    clock.advance(seconds=0.6)
    work(dev)
    assert len(receiver.got) == 4
    clock.advance(seconds=60)
    assert work(dev).busy is False  # both sent: nothing more

    assert all(r.signed for r in receiver.got)
    by_id: dict[str, list[Received]] = {}
    for r in receiver.got:
        by_id.setdefault(r.headers["Webhook-Id"], []).append(r)
    assert len(by_id) == 2 and all(len(tries) == 2 for tries in by_id.values())
    for event_id, tries in by_id.items():
        assert {t.body for t in tries} == {tries[0].body}  # the same notice, resent
        body = tries[0].payload
        assert set(body) == {"id", "type", "created_at", "data"}
        assert body["id"] == event_id and body["data"]["order_id"] == order_id
    assert sorted(t[0].payload["type"] for t in by_id.values()) == [
        "order.confirmed",
        "order.placed",
    ]

    log = client.get(f"{API}/webhooks/{hook['id']}/deliveries").json()
    assert log["next_cursor"] is None
    assert [(a["attempt"], a["status_code"]) for a in log["items"]] == [
        (2, 200), (2, 200), (1, 500), (1, 500),
    ]  # fmt: skip
    assert {a["event_id"] for a in log["items"]} == set(by_id)
    assert {a["type"] for a in log["items"]} == {"order.placed", "order.confirmed"}
    assert all(a["error"] is None for a in log["items"][:2])
    assert all("500" in a["error"] for a in log["items"][2:])
    first = client.get(f"{API}/webhooks/{hook['id']}/deliveries", params={"limit": 3}).json()
    rest = client.get(
        f"{API}/webhooks/{hook['id']}/deliveries", params={"cursor": first["next_cursor"]}
    ).json()
    assert [a["id"] for a in first["items"] + rest["items"]] == [a["id"] for a in log["items"]]


def test_a_delivery_dies_after_its_last_attempt_and_a_person_retries_it_over_the_api(
    dev: Container, client: TestClient, receiver: Receiver, clock: FakeClock
) -> None:
    hook = subscribe(client, receiver, "order.placed")
    receiver.failures = 3
    order_id = placed_and_confirmed(dev, client)
    for _ in range(3):
        work(dev)
        clock.advance(seconds=5)
    assert len(receiver.got) == 3
    [dead] = client.get(f"{API}/deliveries", params={"status": "dead"}).json()["items"]
    assert (dead["attempts"], dead["last_status_code"], dead["type"]) == (3, 500, "order.placed")
    assert (dead["recipient"], dead["webhook_id"], dead["order_id"]) == (
        receiver.url, hook["id"], order_id,
    )  # fmt: skip
    assert work(dev).delivered == 0  # dead: never tried again by itself

    again = client.post(f"{API}/deliveries/{dead['id']}/retry")
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "pending"
    refused = client.post(f"{API}/deliveries/{dead['id']}/retry")
    assert refused.status_code == 409
    assert "dead" in refused.json()["detail"]
    assert client.post(f"{API}/deliveries/999999/retry").status_code == 404
    assert work(dev).delivered == 1
    assert len(receiver.got) == 4 and all(r.signed for r in receiver.got)
    assert len({r.headers["Webhook-Id"] for r in receiver.got}) == 1
    assert receiver.got[0].headers["Webhook-Id"] == dead["event_id"]
    sent = client.get(f"{API}/deliveries", params={"status": "sent"}).json()["items"]
    assert [d["id"] for d in sent if d["channel"] == "webhook"] == [dead["id"]]
    log = client.get(f"{API}/webhooks/{hook['id']}/deliveries").json()["items"]
    assert [a["status_code"] for a in log] == [200, 500, 500, 500]

    assert client.delete(f"{API}/webhooks/{hook['id']}").status_code == 204
    assert client.get(f"{API}/webhooks").json()["items"] == []
    assert client.delete(f"{API}/webhooks/{hook['id']}").status_code == 404
    assert client.get(f"{API}/webhooks/{hook['id']}/deliveries").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hooks",
        "http://127.0.0.1:8080/in",
        "http://169.254.169.254/",
        "http://10.0.0.1/",
        "http://192.168.1.20/in",
        "http://[::1]/in",
        "http://localhost/in",
    ],
)
def test_a_private_address_is_refused_with_the_default_settings(
    client: TestClient, url: str
) -> None:
    answer = client.post(f"{API}/webhooks", json={"url": url, "events": ["order.placed"]})
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["errors"]
    assert problem["field"] == "url" and "OMS_WEBHOOKS_ALLOW_PRIVATE" in problem["message"]
    assert client.get(f"{API}/webhooks").json()["items"] == []


def test_a_subscription_is_refused_with_every_wrong_field_named(client: TestClient) -> None:
    answer = client.post(
        f"{API}/webhooks",
        json={"url": "ftp://files.test/x", "events": ["order.placed", "order.lost"]},
    )
    assert answer.status_code == 422
    wrong = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert set(wrong) == {"url", "events"} and "'order.lost'" in wrong["events"]
    empty = client.post(f"{API}/webhooks", json={"url": "https://1.1.1.1/in", "events": []})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "events"
    extra = client.post(
        f"{API}/webhooks", json={"url": "https://1.1.1.1/in", "events": ["order.placed"], "x": 1}
    )
    assert extra.status_code == 422
    bad_status = client.get(f"{API}/deliveries", params={"status": "lost"})
    assert bad_status.status_code == 422


def test_a_public_address_is_accepted_with_the_secret_given(client: TestClient) -> None:
    body = {"url": "https://1.1.1.1/in", "events": ["refund.issued"], "secret": "shared-secret"}
    answer = client.post(f"{API}/webhooks", json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["secret"] == "shared-secret"
    assert answer.json()["events"] == ["refund.issued"]
