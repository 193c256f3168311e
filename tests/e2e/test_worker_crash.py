"""The outbox's guarantees under real crashes: `oms worker` runs as a subprocess against a
file SQLite database (and PostgreSQL when configured), posts to a real HTTP receiver on
127.0.0.1, and is killed with SIGKILL at the worst moments.

- a crash before commit sends nothing;
- events committed while no worker runs are sent when one starts;
- a worker killed between sending and recording leaves its lease to expire, and the next
  worker sends the notice again with the same `Webhook-Id`, then records it sent;
- two workers at once on PostgreSQL deliver every event, under one id each.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from oms.adapters.db.tables import deliveries, outbox
from oms.bootstrap import Container, bootstrap
from oms.config import Settings
from oms.domain.access import SYSTEM
from oms.domain.notifications import signing
from oms.services import orders
from tests.builders import draft, stocked

ROOT = Path(__file__).resolve().parents[2]
OMS = Path(sys.executable).parent / "oms"
SECRET = "crash-test-secret"


# -- a real HTTP receiver -----------------------------------------------------------------


@dataclass
class Received:
    webhook_id: str
    type: str
    order_id: int
    signed: bool


@dataclass
class Receiver:
    """Records every POST; with `hold` set, keeps the next request open until `release`."""

    url: str = ""
    got: list[Received] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self) -> list[str]:
        with self.lock:
            return [r.webhook_id for r in self.got]

    def types(self) -> list[str]:
        with self.lock:
            return [r.type for r in self.got]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            payload = json.loads(body)
            hook_id = self.headers["Webhook-Id"]
            signed = signing.verify(
                SECRET,
                self.headers["Webhook-Signature"],
                hook_id,
                int(self.headers["Webhook-Timestamp"]),
                body,
            )
            with receiver.lock:
                receiver.got.append(
                    Received(hook_id, payload["type"], payload["data"]["order_id"], signed)
                )
                hold = receiver.hold.is_set()
                receiver.hold.clear()
            if hold:
                receiver.holding.set()
                receiver.release.wait(30)
            try:
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:  # the worker was killed while we held its request
                pass

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(found))
    server.daemon_threads = True
    found.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    found.release.set()
    server.shutdown()
    server.server_close()


# -- the database, the worker processes -----------------------------------------------------


@pytest.fixture
def live(db_url: str) -> Iterator[Container]:
    """The database as the test sees it, on the real clock (the worker's clock)."""
    c = bootstrap(Settings(database_url=db_url, db_pool_size=2))
    yield c
    c.close()


@dataclass
class Workers:
    db_url: str
    tmp: Path
    lease_seconds: float = 2
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OMS_")}
        return env | {
            "OMS_DATABASE_URL": self.db_url,
            "OMS_DB_POOL_SIZE": "2",
            "OMS_WEBHOOKS_ALLOW_PRIVATE": "true",
            "OMS_OUTBOX_RETRY_BASE_SECONDS": "1",
            "OMS_WORKER_LEASE_SECONDS": str(self.lease_seconds),
            "OMS_WORKER_POLL_SECONDS": "0.2",
            "OMS_MAILBOX_DIR": str(self.tmp / "mailbox"),
        }

    def start(self) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"worker-{len(self.started)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [str(OMS), "worker"], env=self.env(), stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.started.append(process)
        return process

    def once(self) -> None:
        done = subprocess.run(
            [str(OMS), "worker", "--once"], env=self.env(), capture_output=True, timeout=60
        )
        assert done.returncode == 0, done.stderr.decode()

    def stop(self, process: subprocess.Popen[bytes]) -> int:
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=20)

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.tmp.glob("worker-*.log")))


@pytest.fixture
def workers(db_url: str, tmp_path: Path) -> Iterator[Workers]:
    found = Workers(db_url, tmp_path)
    yield found
    for process in found.started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def wait_for(check: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def subscribe(c: Container, url: str, *topics: str) -> int:
    uow = c.uow()
    return uow.run(lambda: uow.outbox.add_webhook(url, list(topics), SECRET, "test", uow.now()))


def place(c: Container, n: int = 1) -> list[int]:
    uow = c.uow()
    stocked(uow, "TEE", 1000)
    return [orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order.id for _ in range(n)]


def statuses(c: Container) -> list[tuple[str, int]]:
    """The webhook deliveries' status and attempts (e-mails go to the mailbox folder)."""
    d = deliveries.c
    with c.engine.connect() as conn:
        rows = conn.execute(
            sa.select(d.status, d.attempts).where(d.channel == "webhook").order_by(d.id)
        )
        return [(r.status, r.attempts) for r in rows]


def topics(c: Container) -> list[str]:
    with c.engine.connect() as conn:
        return list(conn.execute(sa.select(outbox.c.topic).order_by(outbox.c.id)).scalars())


# -- a crash before commit --------------------------------------------------------------------


def cancel_and_hang(db_url: str, order_id: int) -> None:
    """Run in a child process: cancel the order inside a transaction (the order change and
    its outbox row are written), say so, and hang before committing until killed."""
    c = bootstrap(Settings(database_url=db_url, db_pool_size=1))
    uow = c.uow()

    def work() -> None:
        found = uow.orders.get(order_id, lock=True)
        assert found is not None
        found.cancel("crash test")
        uow.orders.save(found, "crash-test", uow.now())
        print("written", flush=True)
        time.sleep(60)

    uow.run(work)


def test_a_process_killed_before_its_commit_sends_nothing(
    live: Container, workers: Workers, receiver: Receiver, db_url: str
) -> None:
    subscribe(live, receiver.url, "order.placed", "order.cancelled")
    [order_id] = place(live)
    code = (
        "from tests.e2e.test_worker_crash import cancel_and_hang;"
        f" cancel_and_hang({db_url!r}, {order_id})"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=workers.env(), stdout=subprocess.PIPE
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"written"  # inside the open transaction
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)

    workers.once()

    assert receiver.types() == ["order.placed"]  # the placed one went; no order.cancelled
    assert topics(live) == ["order.placed"]
    assert statuses(live) == [("sent", 1)]
    uow = live.uow()
    order = uow.run(lambda: uow.orders.get(order_id), write=False)
    assert order is not None and order.status.value != "cancelled"


# -- committed while no worker runs -------------------------------------------------------------


def test_events_committed_while_no_worker_runs_are_sent_when_one_starts(
    live: Container, workers: Workers, receiver: Receiver
) -> None:
    subscribe(live, receiver.url, "order.placed")
    placed = place(live, 3)
    time.sleep(0.3)
    assert receiver.got == []  # nobody sends but the worker

    worker = workers.start()
    wait_for(lambda: len(receiver.got) >= 3, "three deliveries", timeout=30)
    wait_for(lambda: statuses(live) == [("sent", 1)] * 3, "three deliveries recorded sent")

    assert sorted(r.order_id for r in receiver.got) == sorted(placed)
    assert len(set(receiver.ids())) == 3 and all(r.signed for r in receiver.got)
    assert workers.stop(worker) == 0, workers.logs()  # SIGTERM: a clean stop


# -- killed between sending and recording -----------------------------------------------------


def test_a_worker_killed_between_send_and_record_is_followed_by_the_same_id_again(
    live: Container, workers: Workers, receiver: Receiver
) -> None:
    subscribe(live, receiver.url, "order.placed")
    [order_id] = place(live)
    receiver.hold.set()

    first = workers.start()
    assert receiver.holding.wait(30), workers.logs()  # the notice is out, its answer held
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    receiver.release.set()
    [(status, attempts)] = statuses(live)
    assert (status, attempts) == ("pending", 0)  # sent, never recorded: leased, not done

    workers.start()  # waits out the 2 s lease, then sends again
    wait_for(lambda: len(receiver.got) >= 2, "the second delivery", timeout=30)
    wait_for(lambda: statuses(live) == [("sent", 1)], "the delivery recorded sent")

    ids = receiver.ids()
    assert len(ids) == 2 and ids[0] == ids[1]  # twice, one id: the receiver drops the copy
    assert {r.order_id for r in receiver.got} == {order_id}
    assert all(r.signed for r in receiver.got)


# -- two workers at once -----------------------------------------------------------------------


def test_two_workers_at_once_deliver_every_event_under_one_id(
    live: Container, workers: Workers, receiver: Receiver, db_url: str
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("several workers share the work on PostgreSQL; SQLite runs one")
    workers.lease_seconds = 30  # no lease expires here: each event goes exactly once
    subscribe(live, receiver.url, "order.placed", "order.confirmed")
    first, second = workers.start(), workers.start()
    placed = place(live, 10)
    uow = live.uow()
    for order_id in placed:
        orders.confirm_order(uow, SYSTEM, order_id)

    wait_for(lambda: len(receiver.got) >= 20, "twenty deliveries", timeout=40)
    wait_for(lambda: statuses(live) == [("sent", 1)] * 20, "twenty deliveries recorded sent")

    by_event: dict[tuple[int, str], set[str]] = {}
    for r in receiver.got:
        by_event.setdefault((r.order_id, r.type), set()).add(r.webhook_id)
    assert set(by_event) == {(o, t) for o in placed for t in ("order.placed", "order.confirmed")}
    assert all(len(ids) == 1 for ids in by_event.values())  # never two ids for one event
    assert len(receiver.got) == 20, workers.logs()  # and with leases unexpired, no copy
    assert workers.stop(first) == 0 and workers.stop(second) == 0
