"""Two `oms serve` processes and two `oms worker`s on one PostgreSQL, raced.

A fresh database is migrated with `oms db upgrade`; two servers (one uvicorn process each)
and two workers run as real subprocesses, as a shop behind a load balancer would run them.
HTTP clients on threads, spread over both servers, race for the last units of two products:
orders, the same Idempotency-Key sent to both servers at once, checkout holds taken by an
order on the other server or released there, cancellations. Before the race, expired holds
wait for the workers' first pass, which both make at once. Then:

- never oversold: every stock row agrees with its ledger and its open reservations,
  reserved ≤ on hand, and (demand being larger than stock) every unit is promised;
- every acknowledged order exists once, and no order exists that was not acknowledged;
- one Idempotency-Key, one order, whichever server answered;
- each event reaches the webhook receiver exactly once, though two workers compete;
- the expired holds are swept once (the two sweeps together count each once, and their
  units go to the waiting order once);
- every process stops cleanly on SIGTERM, and none is left behind even when the test fails.

PostgreSQL only (SQLite takes one writer; its processes are tested in test_worker_crash);
through PgBouncer as well when `.ci/run` points OMS_TEST_DATABASE_URL at one (its `-k
postgresql` keeps this test: "postgresql" is in its name).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from oms.adapters.db.engine import normalise_url
from oms.bootstrap import bootstrap
from oms.config import Settings
from oms.domain.access import SYSTEM
from oms.services import inventory
from tests.builders import order_body
from tests.conftest import PG_URL, make_user_token
from tests.e2e.processes import OMS, free_port, oms

pytestmark = pytest.mark.skipif(not PG_URL, reason="OMS_TEST_DATABASE_URL is not set")

API = "/api/v1"
STOCK = {"HOT1": 6, "HOT2": 4, "SWEEP": 3}
SWEPT_HOLDS = 3  # one unit of SWEEP each, expiring before the workers start
ROUNDS = 3  # each racing client does its part this many times


# -- processes ----------------------------------------------------------------------------


class Fleet:
    """The subprocesses of one test; all stopped (SIGTERM, then SIGKILL) at the end."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env, self.folder = env, folder
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        with (self.folder / f"{name}.log").open("wb") as log:
            process = subprocess.Popen([OMS, *args], env=self.env, stdout=log, stderr=log)
        self.started.append((name, process))
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(f"--- {n}\n{self.log(n)[-3000:]}" for n, _ in self.started)

    def stop(self, process: subprocess.Popen[bytes]) -> int:
        """SIGTERM, and its exit code (uvicorn re-raises the signal once it has shut down
        cleanly: -15 for a server, 0 for a worker)."""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return -9

    def stop_all(self) -> None:
        for _, process in self.started:
            self.stop(process)


def serve(fleet: Fleet, name: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = fleet.start(name, "serve", "--port", str(port), "--workers", "1")
    return process, f"http://127.0.0.1:{port}"


def wait_ready(fleet: Fleet, process: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise AssertionError(f"a server stopped:\n{fleet.logs()}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"a server did not start:\n{fleet.logs()}")
        time.sleep(0.1)


def wait_for(check: Callable[[], bool], what: str, fleet: Fleet, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{fleet.logs()}")
        time.sleep(0.1)


# -- a webhook receiver --------------------------------------------------------------------


class Receiver:
    def __init__(self) -> None:
        self.got: list[tuple[str, str, int]] = []  # (Webhook-Id, type, order id)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.lock:
                    receiver.got.append(
                        (self.headers["Webhook-Id"], body["type"], body["data"]["order_id"])
                    )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self) -> list[tuple[str, str, int]]:
        with self.lock:
            return list(self.got)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- the database ----------------------------------------------------------------------------


@pytest.fixture
def fresh_url() -> Iterator[str]:
    """An empty database of this test's own (migrated by `oms db upgrade` in the test)."""
    assert PG_URL
    base = make_url(normalise_url(PG_URL))
    name = f"{base.database}_fleet_{os.getpid()}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def process_env(url: str, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMS_")}
    if os.environ.get("OMS_DATABASE_PGBOUNCER"):
        env["OMS_DATABASE_PGBOUNCER"] = "1"
    return env | {
        "OMS_DATABASE_URL": url,
        "OMS_DB_POOL_SIZE": "6",
        "OMS_SECRET_KEY": "several-processes",
        "OMS_WEBHOOKS_ALLOW_PRIVATE": "true",
        "OMS_WORKER_POLL_SECONDS": "0.1",
        "OMS_WORKER_LEASE_SECONDS": "60",  # no lease runs out here: each notice goes once
        "OMS_OUTBOX_RETRY_BASE_SECONDS": "1",
        "OMS_WORKER_BATCH": "4",  # small claims: the two workers share the burst
        "OMS_MAILBOX_DIR": str(folder / "mailbox"),
        "OMS_LOG_LEVEL": "WARNING",
        "COLUMNS": "200",  # the worker's summary lines unwrapped
        "PYTHONUNBUFFERED": "1",  # each line in the log as it is said (wait_for reads them)
    }


# -- HTTP ------------------------------------------------------------------------------------


class Clients:
    """One httpx client per server, shared by the threads (httpx clients are thread-safe)."""

    def __init__(self, bases: list[str], token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        self.each = [httpx.Client(base_url=b + API, headers=headers, timeout=30) for b in bases]
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def call(self, server: int, method: str, path: str, **kw: Any) -> httpx.Response:
        answer = self.each[server % 2].request(method, path, **kw)
        if answer.status_code >= 300:
            with self.lock:
                self.errors.append(f"{method} {path} on {server % 2}: {answer.status_code} "
                                   f"{answer.text[:300]}")  # fmt: skip
        return answer

    def close(self) -> None:
        for c in self.each:
            c.close()


def body(*lines: tuple[str, int], i: int, **kw: Any) -> dict[str, Any]:
    found = order_body(*lines, **kw)
    found["customer"] = {"email": f"buyer{i}@example.com", "name": f"Buyer {i}"}
    return found


def set_up_shop(http: Clients, receiver: Receiver) -> None:
    location = {"code": "PAR", "name": "Paris", "kind": "warehouse", "country": "FR",
                "postal_code": "75011", "ships": True}  # fmt: skip
    assert http.call(0, "POST", "/locations", json=location).status_code == 201
    for n, (sku, on_hand) in enumerate(STOCK.items()):
        product = {"sku": sku, "name": sku.title(), "price": "10.00"}
        assert http.call(n, "POST", "/products", json=product).status_code == 201
        assert http.call(n + 1, "PUT", f"/stock/PAR/{sku}", json={"on_hand": on_hand}).is_success
    hook = {"url": receiver.url, "events": ["order.placed", "order.cancelled"]}
    assert http.call(1, "POST", "/webhooks", json=hook).status_code == 201


# -- the race --------------------------------------------------------------------------------


class Race:
    """What the racing clients did and were told."""

    def __init__(self, http: Clients) -> None:
        self.http = http
        self.acknowledged: dict[int, str] = {}  # order id -> number
        self.cancelled: set[int] = set()
        self.by_key: dict[str, set[int]] = {}
        self.created_by_key: dict[str, int] = {}
        self.lock = threading.Lock()

    def place(self, server: int, order: dict[str, Any], key: str | None = None) -> int | None:
        headers = {"Idempotency-Key": key} if key else {}
        answer = self.http.call(server, "POST", "/orders", json=order, headers=headers)
        if answer.status_code not in (200, 201):
            return None
        found = answer.json()
        with self.lock:
            self.acknowledged[found["id"]] = found["number"]
            if key:
                self.by_key.setdefault(key, set()).add(found["id"])
                self.created_by_key[key] = self.created_by_key.get(key, 0) + (
                    answer.status_code == 201
                )
        return int(found["id"])

    def client(self, i: int, barrier: threading.Barrier) -> None:
        """Client i's part; clients in pairs (2k, 2k+1) share idempotency keys."""
        barrier.wait()
        for r in range(ROUNDS):
            kind = i % 6
            if kind in (0, 1):  # the same key sent to both servers at the same moment
                key = f"pair-{i // 2}-{r}"
                self.place(i, body(("HOT1", 1), ("HOT2", 1), i=i // 2), key)
            elif kind == 2:  # an order, cancelled through the other server
                placed = self.place(i, body(("HOT1", 2), i=i))
                if placed is not None:
                    reason = {"reason": "changed my mind"}
                    cancel = self.http.call(i + 1, "POST", f"/orders/{placed}/cancel", json=reason)
                    if cancel.is_success:
                        with self.lock:
                            self.cancelled.add(placed)
            elif kind == 3:  # a hold, taken by an order on the other server
                hold = self.http.call(i, "POST", "/holds", json={
                    "channel": "web", "lines": [{"sku": "HOT1", "quantity": 1}],
                    "expires_in": 120})  # fmt: skip
                if hold.status_code == 201:
                    self.place(i + 1, body(("HOT1", 1), i=i, hold_id=hold.json()["id"]))
            elif kind == 4:  # a hold, released through the other server
                hold = self.http.call(i, "POST", "/holds", json={
                    "channel": "web", "lines": [{"sku": "HOT2", "quantity": 1}],
                    "expires_in": 120})  # fmt: skip
                if hold.status_code == 201:
                    self.http.call(i + 1, "DELETE", f"/holds/{hold.json()['id']}")
            else:  # plain orders with a key of their own, repeated on the other server
                key = f"solo-{i}-{r}"
                self.place(i, body(("HOT2", 1), ("HOT1", 1), i=i), key)
                self.place(i + 1, body(("HOT2", 1), ("HOT1", 1), i=i), key)


def said(fleet: Fleet, name: str, what: str) -> int:
    """The sum of a worker's summary lines' figure `what` (`delivered`, `swept`)."""
    return sum(int(n) for n in re.findall(rf"\b{what}\s+(\d+)\b", fleet.log(name)))


def swept_counts(fleet: Fleet, names: list[str]) -> int:
    return sum(said(fleet, name, "swept") for name in names)


def test_two_servers_and_two_workers_on_postgresql_race_and_keep_every_guarantee(
    fresh_url: str, tmp_path: Path
) -> None:
    env = process_env(fresh_url, tmp_path)
    started = time.monotonic()
    migrated = oms("db", "upgrade", env=env)
    assert migrated.returncode == 0, migrated.stderr
    container = bootstrap(Settings(database_url=fresh_url, db_pool_size=2))
    token = make_user_token(container, "admin", "fleet-admin")
    receiver = Receiver()
    fleet = Fleet(env, tmp_path)

    with ExitStack() as stack:
        stack.callback(container.close)
        stack.callback(receiver.close)
        stack.callback(fleet.stop_all)  # first to run: no process outlives the test
        servers = [serve(fleet, "serve-a"), serve(fleet, "serve-b")]
        for process, base in servers:
            wait_ready(fleet, process, base)
        http = Clients([base for _, base in servers], token)
        stack.callback(http.close)
        set_up_shop(http, receiver)
        race = Race(http)

        # Expired holds for the workers' first pass: three holds keep SWEEP's units, an
        # order then waits for two of them (backordered), the holds run out.
        holds = [
            http.call(n, "POST", "/holds", json={
                "channel": "web", "lines": [{"sku": "SWEEP", "quantity": 1}], "expires_in": 2})
            for n in range(SWEPT_HOLDS)
        ]  # fmt: skip
        assert all(h.status_code == 201 for h in holds), http.errors
        waiting = race.place(0, body(("SWEEP", 2), i=999))
        assert waiting is not None
        detail = http.call(1, "GET", f"/orders/{waiting}").json()
        assert detail["lines"][0]["backordered_quantity"] == 2  # the holds keep every unit
        time.sleep(2.2)  # every hold past its expiry; no request touches SWEEP again

        workers = ["worker-a", "worker-b"]
        worker_processes = [fleet.start(name, "worker") for name in workers]
        # Both polling before the burst, so that both share it: on a busy machine a worker
        # still starting up found nothing left to send (CI, 2026-12-06: [61, 0]).
        for name in workers:
            wait_for(lambda name=name: "Worker on" in fleet.log(name), f"{name} polling", fleet)

        clients = 24
        barrier = threading.Barrier(clients)
        with ThreadPoolExecutor(clients) as pool:
            for done in [pool.submit(race.client, i, barrier) for i in range(clients)]:
                done.result()
        assert http.errors == [], "\n".join(http.errors)

        # A retry of every key, through the server that did not answer it first.
        for n, key in enumerate(sorted(race.by_key)):
            if key.startswith("pair-"):
                i = int(key.split("-")[1])
                again = race.place(n, body(("HOT1", 1), ("HOT2", 1), i=i), key)
                assert again in race.by_key[key]

        # -- the workers: every event once, the expired holds swept once ---------------
        with container.engine.connect() as conn:
            events = conn.execute(sa.text(
                "SELECT count(*) FROM outbox WHERE topic IN ('order.placed', 'order.cancelled')"
            )).scalar_one()  # fmt: skip
        wait_for(lambda: len(receiver.received()) >= events, f"{events} webhooks", fleet)

        def all_sent() -> bool:
            with container.engine.connect() as conn:
                left = conn.execute(sa.text(
                    "SELECT (SELECT count(*) FROM outbox WHERE NOT fanned_out)"
                    " + (SELECT count(*) FROM deliveries WHERE status <> 'sent')"
                )).scalar_one()  # fmt: skip
            return bool(left == 0)

        wait_for(all_sent, "every delivery recorded sent", fleet)
        wait_for(lambda: swept_counts(fleet, workers) >= SWEPT_HOLDS, "the sweep", fleet)
        time.sleep(1)  # a second copy of a notice or a second sweep would show by now

        for process in worker_processes:  # SIGTERM: each finishes its pass and stops
            assert fleet.stop(process) == 0, fleet.logs()
        for (process, _), name in zip(servers, ("serve-a", "serve-b"), strict=True):
            assert fleet.stop(process) == -signal.SIGTERM, fleet.logs()
            assert "Application shutdown complete" in fleet.log(name), fleet.logs()
        assert all(p.poll() is not None for _, p in fleet.started)

        # -- what the database holds -------------------------------------------------------
        with container.engine.connect() as conn:
            stored = dict(conn.execute(sa.text("SELECT id, number FROM orders")).all())
            stock = {
                r.sku: r
                for r in conn.execute(sa.text(
                    "SELECT p.sku, s.on_hand, s.reserved FROM stock s"
                    " JOIN products p ON p.id = s.product_id"))
            }  # fmt: skip
            allocated, unbalanced = conn.execute(sa.text(
                "SELECT coalesce(sum(allocated_quantity), 0), coalesce(sum(CASE WHEN"
                " allocated_quantity + backordered_quantity + shipped_quantity"
                " + cancelled_quantity <> quantity THEN 1 ELSE 0 END), 0) FROM order_lines"
            )).one()  # fmt: skip
            keyed = dict(conn.execute(sa.text(
                "SELECT idempotency_key, id FROM orders WHERE idempotency_key IS NOT NULL"
            )).all())  # fmt: skip
            holds_left = conn.execute(sa.text(
                "SELECT count(*) FROM holds WHERE ended IS NULL")).scalar_one()  # fmt: skip
            hold_ends = dict(conn.execute(sa.text(
                "SELECT ended, count(*) FROM holds GROUP BY ended")).all())  # fmt: skip
            sent = conn.execute(sa.text(
                "SELECT count(*), coalesce(max(attempts), 0) FROM deliveries")).one()  # fmt: skip
            sweep_lines = conn.execute(
                sa.text("SELECT allocated_quantity, backordered_quantity FROM order_lines"
                        " WHERE order_id = :o"), {"o": waiting}).one()  # fmt: skip

    # Never oversold, nothing lost: the ledger, reservations and lines agree.
    assert inventory.verify_stock(container.uow(), SYSTEM) == []
    assert all(row.reserved <= row.on_hand for row in stock.values())
    assert stock["HOT1"].reserved == STOCK["HOT1"] and stock["HOT2"].reserved == STOCK["HOT2"]
    assert allocated == sum(row.reserved for row in stock.values()) and unbalanced == 0
    # Every acknowledged order exists once; no order exists that nobody was told of.
    assert stored == race.acknowledged
    # One key, one order, whichever server answered first or again.
    assert race.by_key and all(len(ids) == 1 for ids in race.by_key.values())
    assert all(created == 1 for created in race.created_by_key.values())
    assert keyed == {key: ids.pop() for key, ids in race.by_key.items()}
    # Holds: none left open; the expired ones swept once, their units to the waiting order.
    assert holds_left == 0 and hold_ends.get("expired") == SWEPT_HOLDS
    assert swept_counts(fleet, workers) == SWEPT_HOLDS, fleet.logs()
    assert tuple(sweep_lines) == (2, 0) and stock["SWEEP"].reserved == 2
    # Each event delivered once, under one id, though two workers competed.
    got = receiver.received()
    assert len(got) == events and len({hook_id for hook_id, _, _ in got}) == events
    assert sorted(o for _, t, o in got if t == "order.placed") == sorted(stored)
    assert sorted(o for _, t, o in got if t == "order.cancelled") == sorted(race.cancelled)
    assert race.cancelled  # the race did cancel some
    # Webhooks and e-mails: each delivery sent by one worker, in one attempt; both worked.
    delivered = [said(fleet, name, "delivered") for name in workers]
    assert sent[1] == 1 and sum(delivered) == sent[0], fleet.logs()
    assert all(n > 0 for n in delivered), f"one worker did everything: {delivered}"
    assert time.monotonic() - started < 90  # bounded: about 20 s on a quiet machine
