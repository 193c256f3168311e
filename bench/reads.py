"""Reads at a million orders: the orders list, search and the order page, p50/p95.

Against a database `bench/million.py` filled (`--database-url postgresql://.../oms_reads`
or `--sqlite FILE`), each read is requested `--rounds` times with varied parameters drawn
from the data (random orders' numbers, emails, names, phones, tracking numbers; random
statuses and channels; cursors at random depths), through the whole app in-process
(Starlette's TestClient: routing, auth, validation, the services, SQL, JSON or the
template; no network). That is what a client waits for minus the socket, which says more
than timing the repository alone. The API with the demo admin's token, the back office
logged in as the demo admin.

Prints the machine, the database, the date and the commit, then per read the p50, p95 and
max in milliseconds and the target; `--json FILE` also writes them (to compare a before
and an after run: `--against FILE` prints both). A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
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


def _timed(client: TestClient, path: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.get(path, headers=headers if path.startswith("/api/") else None)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return elapsed


def run(url: str, rounds: int, only: str | None) -> tuple[dict[str, list[float]], dict[str, float]]:
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
    samples: dict[str, list[float]] = {}
    with TestClient(
        create_app(container), base_url="https://bench", follow_redirects=False
    ) as client:
        _log_in(client)
        for name, (make, _) in chosen.items():
            for _ in range(3):  # warm up: templates compiled, statements cached
                _timed(client, make(), headers)
            samples[name] = [_timed(client, make(), headers) for _ in range(rounds)]
            p95 = statistics.quantiles(samples[name], n=20, method="inclusive")[-1]
            console.print(f"  {name}: p95 {p95:.1f} ms", style="dim")
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
        if statement.lstrip().upper().startswith("SELECT"):
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
                    cut = statement.find("\nFROM")
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
    samples, targets = run(url, args.rounds, args.only)
    figures = {
        name: {
            "p50": statistics.median(times),
            "p95": statistics.quantiles(times, n=20, method="inclusive")[-1],
            "max": max(times),
            "target": targets[name],
        }
        for name, times in samples.items()
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
        f"{datetime.now(UTC):%Y-%m-%d}; commit {code_version()}"
    )
    table = Table("read", "p50 ms", "p95 ms", "max ms", "target p95")
    if earlier:
        table.add_column("before p95")
    for name, f in figures.items():
        row = [name, f"{f['p50']:.1f}", f"{f['p95']:.1f}", f"{f['max']:.1f}", f"{f['target']:.0f}"]
        if earlier:
            row.append(f"{earlier[name]['p95']:.1f}" if name in earlier else "")
        table.add_row(*row)
    console.print(table)
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"database": url.split(":", 1)[0], "orders": count, "reads": figures}, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
