"""Reads at a million orders: the orders list, search and the order page, p50/p95.

Against a database `bench/million.py` filled (`--database-url postgresql://.../oms_reads`
or `--sqlite FILE`), each read is requested `--rounds` times with varied parameters drawn
from the data (random orders' numbers, emails, names, phones, tracking numbers; random
statuses and channels; cursors at random depths), through the whole app in-process
(Starlette's TestClient: routing, auth, validation, the services, SQL, JSON or the
template; no network). That is what a client waits for minus the socket, which says more
than timing the repository alone. The API with the demo admin's token, the back office
logged in as the demo admin.

Prints the machine, the database, the date, the commit and the load average, then per
read the p50, p95 and max in milliseconds, the time its requests spent in SQL (p50, p95:
from sending a statement to the driver's return, so the database and the wait for a core)
and the most statements one request sent (an N+1 shows there), and the target; while
running, each read's slowest request and its slowest statement. `--json FILE` also writes
them (to compare a before and an after run: `--against FILE` prints both). A benchmark,
not a test.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from intake_setup import code_version, machine
from oms.api.app import create_app
from oms.bootstrap import bootstrap
from oms.config import Settings
from oms.services.users import create_demo_users, demo_password

console = Console()
STATUSES = (
    *("pending", "confirmed", "on_hold", "processing", "partially_shipped"),
    *("shipped", "delivered", "completed", "cancelled"),
)
CHANNELS = ("web", "marketplace", "pos", "phone", "b2b")
ORDER_PAGE_TARGET = 20.0
TARGET = 50.0


def _cursor(order_id: int) -> str:
    return base64.urlsafe_b64encode(str(order_id).encode()).decode().rstrip("=")


def sample(engine: sa.Engine, rng: random.Random, count: int = 400) -> list[dict[str, Any]]:
    """Random orders with what a person would search them by."""
    with engine.connect() as conn:
        low, high = conn.execute(sa.text("SELECT min(id), max(id) FROM orders")).one()
        ids = [rng.randint(low, high) for _ in range(count)]
        rows = conn.execute(
            sa.text(
                "SELECT o.id, o.number, o.customer_email, o.customer_name, o.customer_phone,"
                " s.tracking_number FROM orders o LEFT JOIN shipments s ON s.order_id = o.id"
                " WHERE o.id IN (" + ",".join(map(str, ids)) + ")"
            )
        )
        return [dict(r._mapping) for r in rows]


def reads(
    orders: list[dict[str, Any]], low: int, high: int, rng: random.Random
) -> dict[str, tuple[Callable[[], str], float]]:
    """Each read: a function drawing one request's path, and its p95 target (ms)."""
    pick = lambda: rng.choice(orders)  # noqa: E731
    tracked = [o for o in orders if o["tracking_number"]]
    phoned = [o for o in orders if o["customer_phone"]]

    def api(**params: Any) -> str:
        return "/api/v1/orders?" + urlencode(params)

    def deep() -> int:
        return rng.randint(low + (high - low) // 10, high)

    return {
        "list, first page": (lambda: api(), TARGET),
        "list, status=": (lambda: api(status=rng.choice(STATUSES)), TARGET),
        "list, channel=": (lambda: api(channel=rng.choice(CHANNELS)), TARGET),
        "list, customer_email=": (lambda: api(customer_email=pick()["customer_email"]), TARGET),
        "list, cursor deep": (lambda: api(cursor=_cursor(deep())), TARGET),
        "list, status= + cursor deep": (
            lambda: api(status=rng.choice(STATUSES), cursor=_cursor(deep())),
            TARGET,
        ),
        "list, channel= + cursor deep": (
            lambda: api(channel=rng.choice(CHANNELS), cursor=_cursor(deep())),
            TARGET,
        ),
        "list, status= + channel=": (
            lambda: api(status=rng.choice(STATUSES), channel=rng.choice(CHANNELS)),
            TARGET,
        ),
        "search number, full": (lambda: api(q=pick()["number"]), TARGET),
        "search number, prefix": (lambda: api(q=pick()["number"][:-2]), TARGET),
        "search email, full": (lambda: api(q=pick()["customer_email"]), TARGET),
        "search email, local part@": (
            lambda: api(q=pick()["customer_email"].split("@")[0] + "@"),
            TARGET,
        ),
        "search email, @domain": (
            lambda: api(q="@" + pick()["customer_email"].split("@")[1]),
            TARGET,
        ),
        "search name, full": (lambda: api(q=pick()["customer_name"]), TARGET),
        "search name, part (surname)": (
            lambda: api(q=pick()["customer_name"].split()[-1].lower()[:5]),
            TARGET,
        ),
        "search name, a typo (finds nothing)": (
            lambda: api(q=pick()["customer_name"].lower()[::-1][:9].strip()),
            TARGET,
        ),
        "search phone, full": (lambda: api(q=rng.choice(phoned)["customer_phone"]), TARGET),
        "search phone, last 6 digits": (
            lambda: api(q=rng.choice(phoned)["customer_phone"][-6:]),
            TARGET,
        ),
        "search tracking, full": (lambda: api(q=rng.choice(tracked)["tracking_number"]), TARGET),
        "search tracking, prefix": (
            lambda: api(q=rng.choice(tracked)["tracking_number"][:8]),
            TARGET,
        ),
        "order, API": (lambda: f"/api/v1/orders/{pick()['id']}", ORDER_PAGE_TARGET),
        "order, back-office page": (lambda: f"/orders/{pick()['id']}", ORDER_PAGE_TARGET),
        "back office list, first page": (lambda: "/orders", TARGET),
        "back office list, late": (lambda: "/orders?late=1", TARGET),
        "back office list, name part": (
            lambda: "/orders?" + urlencode({"q": pick()["customer_name"].split()[-1].lower()}),
            TARGET,
        ),
    }


def _log_in(client: TestClient) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    form = {"username": "admin", "password": demo_password("admin"), "csrf_token": token[1]}
    assert client.post("/login", data=form).status_code == 303


class SqlClock:
    """Time spent in statements (sent to the database until the cursor returns, as the
    driver sees it: the database's execution plus the socket and the queue for a core),
    and how many, per request: tells the database's share of a slow request from
    Python's, and an N+1 by its count."""

    def __init__(self, engine: sa.Engine) -> None:
        self.ms = 0.0
        self.count = 0
        self.slowest: tuple[float, str, Any] = (0.0, "", None)
        self._started = 0.0
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        took = (time.perf_counter() - self._started) * 1000
        self.ms += took
        self.count += 1
        if took > self.slowest[0]:
            self.slowest = (took, statement, parameters)

    def reset(self) -> None:
        self.ms, self.count, self.slowest = 0.0, 0, (0.0, "", None)


def _timed(client: TestClient, path: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.get(path, headers=headers if path.startswith("/api/") else None)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return elapsed


@dataclass
class Measured:
    """One read's requests: wall times, time in SQL, statements sent, and the slowest."""

    wall: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    slowest: tuple[float, float, str, float, str] = (0.0, 0.0, "", 0.0, "")


def run(url: str, rounds: int, only: str | None) -> tuple[dict[str, Measured], dict[str, float]]:
    container = bootstrap(Settings(database_url=url, secret_key="bench"))
    token = next(u[3] for u in create_demo_users(container.uow()) if u[0] == "admin")
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(5)
    orders = sample(container.engine, rng)
    with container.engine.connect() as conn:
        low, high = conn.execute(sa.text("SELECT min(id), max(id) FROM orders")).one()
    chosen = reads(orders, low, high, rng)
    if only:
        chosen = {k: v for k, v in chosen.items() if re.search(only, k)}
    samples: dict[str, Measured] = {}
    clock = SqlClock(container.engine)
    with TestClient(
        create_app(container), base_url="https://bench", follow_redirects=False
    ) as client:
        _log_in(client)
        for name, (make, _) in chosen.items():
            for _ in range(3):  # warm up: templates compiled, statements cached
                _timed(client, make(), headers)
            m = samples[name] = Measured()
            for _ in range(rounds):
                path = make()
                clock.reset()
                wall = _timed(client, path, headers)
                m.wall.append(wall)
                m.sql.append(clock.ms)
                m.statements.append(clock.count)
                if wall > m.slowest[0]:
                    took, statement, parameters = clock.slowest
                    cut = statement.find("\nFROM")
                    said = " ".join((statement[cut:] if cut > 0 else statement).split())
                    m.slowest = (wall, clock.ms, path, took, f"{said[:160]} {parameters}"[:300])
            p95 = statistics.quantiles(m.wall, n=20, method="inclusive")[-1]
            console.print(
                f"  {name}: p95 {p95:.1f} ms; slowest {m.slowest[0]:.1f} ms, SQL"
                f" {m.slowest[1]:.1f} ms ({m.slowest[2]}; its slowest statement"
                f" {m.slowest[3]:.1f} ms: {m.slowest[4]})",
                style="dim",
                highlight=False,
                markup=False,
            )
    container.close()
    return samples, {name: target for name, (_, target) in chosen.items()}


def _plan(raw: Any, prefix: str, statement: str, parameters: Any) -> list[Any]:
    cursor = raw.cursor()
    cursor.execute(prefix + statement, parameters)
    return list(cursor.fetchall())


def explain(url: str, only: str) -> None:
    """One request of each read `only` matches, and the plan (EXPLAIN ANALYZE on
    PostgreSQL, EXPLAIN QUERY PLAN on SQLite) of every statement it sent that reads orders."""
    container = bootstrap(Settings(database_url=url, secret_key="bench"))
    token = next(u[3] for u in create_demo_users(container.uow()) if u[0] == "admin")
    rng = random.Random(5)
    orders = sample(container.engine, rng)
    with container.engine.connect() as conn:
        low, high = conn.execute(sa.text("SELECT min(id), max(id) FROM orders")).one()
    sent: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((statement, parameters))

    pg = container.engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " if pg else "EXPLAIN QUERY PLAN "
    with TestClient(
        create_app(container), base_url="https://bench", follow_redirects=False
    ) as client:
        _log_in(client)
        for name, (make, _) in reads(orders, low, high, rng).items():
            if not re.search(only, name):
                continue
            path = make()
            sa.event.listen(container.engine, "before_cursor_execute", record)
            _timed(client, path, {"Authorization": f"Bearer {token}"})
            sa.event.remove(container.engine, "before_cursor_execute", record)
            console.print(f"\n### {name}: {path}", highlight=False, markup=False)
            raw = container.engine.raw_connection()
            try:
                for statement, parameters in sent:
                    if not pg and not any(
                        "SCAN" in str(r) for r in _plan(raw, prefix, statement, parameters)
                    ):
                        continue  # on SQLite: only statements that scan a table
                    cursor = raw.cursor()
                    cursor.execute(prefix + statement, parameters)
                    cut = statement.find("\nFROM") if statement.startswith("SELECT") else -1
                    print(("SELECT ..." + statement[cut:]) if cut > 0 else statement)
                    for row in cursor.fetchall():
                        print("  " + " ".join(str(c) for c in row))
            finally:
                raw.close()
            sent.clear()
    container.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--database-url", help="a database bench/million.py filled")
    where.add_argument("--sqlite", help="a SQLite file bench/million.py filled")
    parser.add_argument("--rounds", type=int, default=100, help="requests per read")
    parser.add_argument("--only", help="a regular expression: only the reads it matches")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--against", help="figures of an earlier run (--json) to print beside")
    parser.add_argument("--explain", help="print the plans of the reads this matches, no timing")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{args.sqlite}"
    if args.explain:
        explain(url, args.explain)
        return 0
    load_before = os.getloadavg()[0]
    samples, targets = run(url, args.rounds, args.only)
    load = (load_before, os.getloadavg()[0])  # 1-minute load average, before and after

    def p95(times: list[float]) -> float:
        return statistics.quantiles(times, n=20, method="inclusive")[-1]

    figures = {
        name: {
            "p50": statistics.median(m.wall),
            "p95": p95(m.wall),
            "max": max(m.wall),
            "sql_p50": statistics.median(m.sql),
            "sql_p95": p95(m.sql),
            "statements": max(m.statements),
            "target": targets[name],
        }
        for name, m in samples.items()
    }
    earlier = {}
    if args.against:
        with open(args.against) as before:
            earlier = json.load(before)["reads"]
    with sa.create_engine(url).connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one()
    console.print(f"Machine: {machine().line()}")
    console.print(
        f"Database: {url.split(':', 1)[0]}; {count:,} orders; {args.rounds} requests per read; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; commit {code_version()};"
        f" load average (1 min) {load[0]:.2f} before, {load[1]:.2f} after"
    )
    table = Table(
        "read", "p50 ms", "p95 ms", "max ms", "SQL p50", "SQL p95", "statements", "target p95"
    )
    if earlier:
        table.add_column("before p95")
    for name, f in figures.items():
        row = [
            name,
            *(f"{f[k]:.1f}" for k in ("p50", "p95", "max", "sql_p50", "sql_p95")),
            str(f["statements"]),
            f"{f['target']:.0f}",
        ]
        if earlier:
            row.append(f"{earlier[name]['p95']:.1f}" if name in earlier else "")
        table.add_row(*row)
    console.print(table)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                {
                    "database": url.split(":", 1)[0],
                    "orders": count,
                    "load": load,
                    "reads": figures,
                },
                out,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
