"""Closed-loop load: N client threads place 3-line orders over HTTP, or as raw SQL.

The HTTP client is `http.client` on one keep-alive connection per thread: the standard
library's client does the least work per request (no connection pool, no header model,
no event loop), and the client shares the machine's cores with the server and the database.
The raw-SQL sessions (psycopg 3, sqlite3) run the bare transaction an order needs, which
is the ceiling oms is measured against.
"""

from __future__ import annotations

import http.client
import json
import math
import random
import secrets
import sqlite3
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import psycopg

from intake_setup import API, Database, headers

ORDER_PATH = f"{API}/orders"
CUSTOMER = {"email": "buyer@example.com", "name": "Bench Buyer"}


def customer_of(client: int) -> dict[str, str]:
    """Each client is a buyer of their own: a customer's orders come one after another,
    as they do in a shop (one customer's orders share their loyalty row, customer_facts)."""
    return {"email": f"buyer{client}@example.com", "name": f"Bench Buyer {client}"}


ADDRESS = {
    "name": "Bench Buyer",
    "line1": "1 rue de la Paix",
    "city": "Paris",
    "postal_code": "75002",
    "country": "FR",
}


@dataclass(frozen=True)
class Item:
    """A product as the raw-SQL ceiling needs it."""

    sku: str
    product_id: int
    stock_id: int
    price_minor: int


@dataclass(frozen=True)
class Mix:
    """Order lines drawn from the catalogue, a share of them from a small hot set."""

    skus: list[str]
    hot: int = 10
    hot_share: float = 0.2
    lines: int = 3
    max_quantity: int = 3

    def pick(self, rng: random.Random) -> list[tuple[int, int]]:
        """`lines` distinct (catalogue index, quantity) pairs."""
        chosen: dict[int, int] = {}
        while len(chosen) < self.lines:
            if rng.random() < self.hot_share:
                i = rng.randrange(self.hot)
            else:
                i = rng.randrange(len(self.skus))
            chosen.setdefault(i, rng.randint(1, self.max_quantity))
        return list(chosen.items())


class Session(Protocol):
    def place(self, rng: random.Random) -> str | None:
        """Place one order; None when it was accepted, else a short error label."""

    def close(self) -> None: ...


@dataclass
class Level:
    """What one concurrency level measured."""

    clients: int
    duration: float
    orders: int = 0
    errors: int = 0
    error_kinds: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    accepted: int = 0  # orders accepted during warm-up and measurement
    server_cpu: float | None = None  # CPU seconds the server's workers used meanwhile
    client_cpu: float = 0.0  # CPU seconds this process (the clients) used meanwhile
    db_cpu: float | None = None  # CPU seconds PostgreSQL's processes used meanwhile

    @property
    def db_cpu_per_order(self) -> float:
        """The database server's CPU milliseconds per accepted order (PostgreSQL)."""
        if self.db_cpu is None or not self.accepted:
            return math.nan
        return 1000 * self.db_cpu / self.accepted

    @property
    def cpu_per_order(self) -> float:
        """Server CPU milliseconds per accepted order (warm-up included on both sides)."""
        if self.server_cpu is None or not self.accepted:
            return math.nan
        return 1000 * self.server_cpu / self.accepted

    @property
    def rate(self) -> float:
        return self.orders / self.duration if self.duration else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the accepted requests' latencies, in milliseconds."""
        return percentile_ms(self.latencies, p)


def percentile_ms(seconds: list[float], p: float) -> float:
    """Nearest-rank percentile of latencies in seconds, in milliseconds (NaN: none)."""
    if not seconds:
        return math.nan
    ordered = sorted(seconds)
    return 1000 * ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Window:
    """Warm-up then measurement; samples count when they complete inside the measurement."""

    def __init__(self, warmup: float, duration: float) -> None:
        self.warmup = warmup
        self.duration = duration
        self.start = self.stop = 0.0

    def open(self) -> None:
        now = time.perf_counter()
        self.start = now + self.warmup
        self.stop = self.start + self.duration


def drive(
    make_session: Callable[[int], Session], clients: int, warmup: float, duration: float
) -> Level:
    """Run `clients` closed-loop sessions for warm-up + duration; errors count throughout."""
    window = Window(warmup, duration)
    barrier = threading.Barrier(clients, action=window.open)
    level = Level(clients, duration)
    lock = threading.Lock()
    failures: list[BaseException] = []

    def client(index: int) -> None:
        rng = random.Random(index * 7919 + clients)
        samples: list[float] = []
        accepted = 0
        errors: Counter[str] = Counter()
        try:
            session = make_session(index)
        except BaseException as error:
            failures.append(error)
            barrier.abort()
            return
        try:
            barrier.wait()
            while (begin := time.perf_counter()) < window.stop:
                error = session.place(rng)
                end = time.perf_counter()
                if error is not None:
                    errors[error] += 1
                    continue
                accepted += 1
                if window.start <= end <= window.stop:
                    samples.append(end - begin)
        except threading.BrokenBarrierError:
            return
        finally:
            session.close()
        with lock:
            level.latencies.extend(samples)
            level.orders += len(samples)
            level.accepted += accepted
            level.errors += sum(errors.values())
            level.error_kinds.update(errors)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    cpu = time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    level.client_cpu = time.process_time() - cpu
    if failures:
        raise RuntimeError(f"a client could not start: {failures[0]!r}") from failures[0]
    return level


class HttpSession:
    """One keep-alive connection; every order carries a fresh Idempotency-Key."""

    def __init__(
        self, port: int, mix: Mix, token: str | None, customer: dict[str, str] = CUSTOMER
    ) -> None:
        self.port = port
        self.mix = mix
        self.customer = customer
        self.headers = headers(token)
        self.prefix = uuid.uuid4().hex
        self.sent = 0
        self.conn: http.client.HTTPConnection | None = None

    def post(self, body: bytes) -> tuple[int | str, bytes]:
        self.sent += 1
        self.headers["Idempotency-Key"] = f"{self.prefix}-{self.sent}"
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.conn.request("POST", ORDER_PATH, body, self.headers)
            resp = self.conn.getresponse()
            return resp.status, resp.read()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return type(error).__name__, b""

    def place(self, rng: random.Random) -> str | None:
        lines = [{"sku": self.mix.skus[i], "quantity": q} for i, q in self.mix.pick(rng)]
        body = {
            "channel": "bench",
            "customer": self.customer,
            "shipping_address": ADDRESS,
            "lines": lines,
        }
        status, _ = self.post(json.dumps(body).encode())
        return None if status == 201 else f"HTTP {status}"

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def order_row(tag: str, n: int, total: int, now: object) -> dict[str, object]:
    """Every NOT NULL column of `orders`, as oms fills them for a bench order."""
    return {
        "number": f"R{tag}-{n}",
        "channel": "bench-raw",
        "request_hash": "0" * 64,
        "status": "pending",
        "customer_email": CUSTOMER["email"],
        "customer_name": CUSTOMER["name"],
        "ship_name": ADDRESS["name"],
        "ship_line1": ADDRESS["line1"],
        "ship_city": ADDRESS["city"],
        "ship_postal_code": ADDRESS["postal_code"],
        "ship_country": ADDRESS["country"],
        "currency": "EUR",
        "priority": 0,
        "subtotal_minor": total,
        "shipping_minor": 0,
        "tax_minor": 0,
        "total_minor": total,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "tracking_token": secrets.token_urlsafe(16),
    }


ORDER_COLUMNS = list(order_row("", 0, 0, None))
LINE_COLUMNS = [
    "order_id",
    "line_no",
    "product_id",
    "sku",
    "quantity",
    "unit_price_minor",
    "allocated_quantity",
    "backordered_quantity",
]
EVENT_COLUMNS = ["order_id", "type", "to_status", "actor", "at", "data"]


def _insert(table: str, columns: list[str], mark: str, rows: int = 1) -> str:
    values = "(" + ", ".join([mark] * len(columns)) + ")"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([values] * rows)


class RawSession:
    """The order transaction in plain SQL: 1 order, 3 lines, 3 conditional updates, 1 event.

    The updates go in stock-id order, the order oms locks rows in, so writers never deadlock.
    """

    mark = "?"

    def __init__(self, items: list[Item], mix: Mix) -> None:
        self.items = items
        self.mix = mix
        self.tag = uuid.uuid4().hex[:8]
        self.n = 0
        lines = mix.lines
        self.sql_order = _insert("orders", ORDER_COLUMNS, self.mark)
        self.sql_lines = _insert("order_lines", LINE_COLUMNS, self.mark, lines)
        self.sql_event = _insert("order_events", EVENT_COLUMNS, self.mark)
        self.sql_reserve = (
            f"UPDATE stock SET reserved = reserved + {self.mark} "
            f"WHERE id = {self.mark} AND on_hand - reserved >= {self.mark}"
        )

    def now(self) -> object:
        return datetime.now(UTC)

    def prepare(self, rng: random.Random) -> RawOrder:
        picked = [(self.items[i], q) for i, q in self.mix.pick(rng)]
        self.n += 1
        total = sum(item.price_minor * q for item, q in picked)
        now = self.now()
        return RawOrder(
            order=list(order_row(self.tag, self.n, total, now).values()),
            lines=[
                [line_no, item.product_id, item.sku, q, item.price_minor, q, 0]
                for line_no, (item, q) in enumerate(picked, 1)
            ],
            event=["placed", "pending", "bench", now, json.dumps({"allocated": 3})],
            reserve=sorted((item.stock_id, q) for item, q in picked),
        )


@dataclass
class RawOrder:
    """The parameters of one raw-SQL order; `reserve` is (stock id, quantity) in id order."""

    order: list[object]
    lines: list[list[object]]
    event: list[object]
    reserve: list[tuple[int, int]]

    def line_params(self, order_id: object) -> list[object]:
        return [value for line in self.lines for value in (order_id, *line)]


class PostgresRawSession(RawSession):
    mark = "%s"

    def __init__(self, db: Database, items: list[Item], mix: Mix) -> None:
        super().__init__(items, mix)
        self.conn = psycopg.connect(db.url)
        self.sql_order += " RETURNING id"

    def place(self, rng: random.Random) -> str | None:
        raw = self.prepare(rng)
        try:
            with self.conn.cursor() as cur:
                cur.execute(self.sql_order, raw.order)
                row = cur.fetchone()
                assert row is not None
                order_id = row[0]
                cur.execute(self.sql_lines, raw.line_params(order_id))
                for stock_id, q in raw.reserve:
                    cur.execute(self.sql_reserve, (q, stock_id, q))
                    if cur.rowcount != 1:
                        self.conn.rollback()
                        return "out of stock"
                cur.execute(self.sql_event, [order_id, *raw.event])
            self.conn.commit()
        except psycopg.Error as error:
            self.conn.rollback()
            return type(error).__name__
        return None

    def close(self) -> None:
        self.conn.close()


class SqliteRawSession(RawSession):
    def __init__(self, db: Database, items: list[Item], mix: Mix) -> None:
        super().__init__(items, mix)
        assert db.path is not None
        self.conn = sqlite3.connect(
            db.path, isolation_level=None, check_same_thread=False, timeout=30
        )
        # The pragmas oms sets on every connection (adapters/db/engine.py).
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute("PRAGMA busy_timeout=30000")

    def now(self) -> object:
        return datetime.now(UTC).replace(tzinfo=None).isoformat(" ")

    def place(self, rng: random.Random) -> str | None:
        raw = self.prepare(rng)
        cur = self.conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
            cur.execute(self.sql_order, raw.order)
            order_id = cur.lastrowid
            cur.execute(self.sql_lines, raw.line_params(order_id))
            for stock_id, q in raw.reserve:
                cur.execute(self.sql_reserve, (q, stock_id, q))
                if cur.rowcount != 1:
                    cur.execute("ROLLBACK")
                    return "out of stock"
            cur.execute(self.sql_event, [order_id, *raw.event])
            cur.execute("COMMIT")
        except sqlite3.Error as error:
            if self.conn.in_transaction:
                cur.execute("ROLLBACK")
            return type(error).__name__
        finally:
            cur.close()
        return None

    def close(self) -> None:
        self.conn.close()


def raw_session_factory(db: Database, items: list[Item], mix: Mix) -> Callable[[int], Session]:
    cls = PostgresRawSession if db.kind == "postgresql" else SqliteRawSession
    return lambda _index: cls(db, items, mix)


def catalogue_items(db: Database, skus: list[str]) -> list[Item]:
    """Product and stock ids of the bench catalogue, in the order of `skus`."""
    query = (
        "SELECT p.sku, p.id, s.id, p.price_minor FROM products p "
        "JOIN stock s ON s.product_id = p.id"
    )
    if db.kind == "postgresql":
        with psycopg.connect(db.url) as conn:
            rows = conn.execute(query).fetchall()
    else:
        assert db.path is not None
        with sqlite3.connect(db.path) as conn:
            rows = conn.execute(query).fetchall()
        conn.close()
    by_sku = {r[0]: Item(*r) for r in rows}
    return [by_sku[sku] for sku in skus]
