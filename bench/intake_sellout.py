"""The sell-out round: many clients race for a little stock; then count what was promised.

Every client orders 1-3 random products (1-3 units each) among those not yet known to be
sold out, until a backordered line has shown every product gone. Then the API's stock
rows, the database's rows, ledger, reservations and order lines, and the 201 answers the
clients got must all tell the same story: every unit promised once, none twice.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import psycopg

from intake_load import ADDRESS, HttpSession, Mix, customer_of
from intake_setup import API, LOCATION, Database, get


@dataclass
class Race:
    """What the clients saw: accepted orders, what each answer said was allocated."""

    skus: list[str]
    sold_out: set[str] = field(default_factory=set)
    allocated: Counter[str] = field(default_factory=Counter)
    order_ids: set[int] = field(default_factory=set)
    accepted: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    bad_lines: int = 0  # lines whose answer broke allocated + backordered = quantity
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, every 201 answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open_skus(self) -> list[str]:
        with self.lock:
            return [s for s in self.skus if s not in self.sold_out]

    def record(self, status: int | str, body: bytes, seconds: float) -> None:
        with self.lock:
            if status != 201:
                self.errors[f"HTTP {status}"] += 1
                return
            order = json.loads(body)
            self.accepted += 1
            self.latencies.append(seconds)
            self.order_ids.add(order["id"])
            for line in order["lines"]:
                self.allocated[line["sku"]] += line["allocated_quantity"]
                if line["allocated_quantity"] + line["backordered_quantity"] != line["quantity"]:
                    self.bad_lines += 1
                if line["backordered_quantity"] > 0:
                    # Stock only goes down in this round: a backorder means none is left.
                    self.sold_out.add(line["sku"])


def race(port: int, token: str | None, skus: list[str], clients: int, timeout: float) -> Race:
    state = Race(skus)
    deadline = time.monotonic() + timeout

    def client(index: int) -> None:
        rng = random.Random(1000 + index)
        session = HttpSession(port, Mix(skus), token)
        try:
            while time.monotonic() < deadline and (left := state.open_skus()):
                picked = rng.sample(left, rng.randint(1, min(3, len(left))))
                lines = [{"sku": sku, "quantity": rng.randint(1, 3)} for sku in picked]
                body = {
                    "channel": "bench",
                    "customer": customer_of(index),
                    "shipping_address": ADDRESS,
                    "lines": lines,
                }
                begin = time.perf_counter()
                status, answer = session.post(json.dumps(body).encode())
                state.record(status, answer, time.perf_counter() - begin)
        finally:
            session.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    state.seconds = time.perf_counter() - started
    return state


@dataclass
class Check:
    name: str
    expected: Any
    found: Any

    @property
    def ok(self) -> bool:
        return bool(self.expected == self.found)


def api_stock(port: int, token: str | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = ""
    while True:
        status, page = get(port, f"{API}/stock?location={LOCATION}&limit=200{cursor}", token)
        if status != 200:
            raise RuntimeError(f"GET /stock answered {status}: {page}")
        rows += page["items"]
        if not page["next_cursor"]:
            return rows
        cursor = f"&cursor={page['next_cursor']}"


def _query(db: Database, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if db.kind == "postgresql":
        with psycopg.connect(db.url) as conn:
            return conn.execute(sql.replace("?", "%s"), params).fetchall()
    assert db.path is not None
    conn = sqlite3.connect(db.path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _one(db: Database, sql: str) -> Any:
    return _query(db, sql)[0][0]


def api_checks(state: Race, stock: list[dict[str, Any]], units: int) -> list[Check]:
    reserved = sum(r["reserved"] for r in stock)
    return [
        Check("API: units reserved", units, reserved),
        Check(
            "API: rows with reserved > on hand", 0, sum(r["reserved"] > r["on_hand"] for r in stock)
        ),
        Check("API: units still available", 0, sum(r["available"] for r in stock)),
        Check("201 answers: units allocated", reserved, sum(state.allocated.values())),
        Check("201 answers: lines where allocated + backordered != quantity", 0, state.bad_lines),
        Check("requests answered other than 201", 0, sum(state.errors.values())),
    ]


def db_checks(db: Database, state: Race, units: int) -> list[Check]:
    """The sell-out's own checks (every unit promised, the 201 answers and the rows the
    same orders), then stock_checks."""
    ids = sorted(state.order_ids)
    stored = {r[0] for r in _query(db, "SELECT id FROM orders")}
    allocated = sum(
        r[1]
        for r in _query(db, "SELECT order_id, allocated_quantity FROM order_lines")
        if r[0] in state.order_ids
    )
    return [
        Check("DB: units reserved", units, _one(db, "SELECT SUM(reserved) FROM stock")),
        Check(
            "DB: units in open reservations",
            units,
            _one(db, "SELECT SUM(quantity) FROM reservations"),
        ),
        Check("DB: allocated on the lines of 201 orders", units, allocated),
        *stock_checks(db),
        Check("DB: orders acknowledged (201) but not stored", 0, len(set(ids) - stored)),
        Check("DB: orders stored but never acknowledged", 0, len(stored - set(ids))),
    ]


def stock_checks(db: Database) -> list[Check]:
    """What must hold after any round, whatever was ordered: nothing promised twice."""
    ledger = _query(
        db,
        "SELECT s.id FROM stock s LEFT JOIN (SELECT stock_id, SUM(on_hand_delta) AS h, "
        "SUM(reserved_delta) AS r FROM stock_ledger GROUP BY stock_id) l ON l.stock_id = s.id "
        "WHERE COALESCE(l.h, 0) <> s.on_hand OR COALESCE(l.r, 0) <> s.reserved",
    )
    return [
        Check(
            "DB: rows with reserved > on hand",
            0,
            _one(db, "SELECT COUNT(*) FROM stock WHERE reserved > on_hand"),
        ),
        Check(
            "DB: units reserved = units in open reservations",
            _one(db, "SELECT COALESCE(SUM(reserved), 0) FROM stock"),
            _one(db, "SELECT COALESCE(SUM(quantity), 0) FROM reservations"),
        ),
        Check(
            "DB: lines where allocated + backordered != quantity",
            0,
            _one(
                db,
                "SELECT COUNT(*) FROM order_lines "
                "WHERE allocated_quantity + backordered_quantity <> quantity",
            ),
        ),
        Check("DB: stock rows the ledger does not explain", 0, len(ledger)),
    ]


def oversold(db: Database, state: Race | None, on_hand: int) -> int:
    """Units promised beyond stock, the worse of the clients' and the database's view."""
    by_answers = sum(max(0, n - on_hand) for n in state.allocated.values()) if state else 0
    by_rows = _one(
        db, "SELECT COALESCE(SUM(reserved - on_hand), 0) FROM stock WHERE reserved > on_hand"
    )
    return max(by_answers, int(by_rows))
