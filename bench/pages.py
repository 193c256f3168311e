"""Back-office page bench: server time of Today, the orders list, an order page, a station.

Loads the demo data (`oms demo`, default 300 orders) into a fresh database (SQLite in a
temporary folder, or `--database-url postgresql://...`, which must be empty and migrated
by this script), logs in as the demo admin, and requests each page `--rounds` times
in-process (Starlette's TestClient: the whole app, templates included, and no network).
Order pages are drawn at random from every order; list searches use a real customer's
email. Prints the machine, the database, the date and the commit, then per page the median,
p95 and max in milliseconds.

A benchmark, not a test. Run: `make bench-pages` (about 30 s). Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import html
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from history import grow
from intake_setup import code_version, machine
from oms.adapters.db.migrate import upgrade
from oms.api.app import create_app
from oms.bootstrap import bootstrap
from oms.config import Settings
from oms.demo import load_demo
from oms.services.users import create_demo_users, demo_password

console = Console()


def _log_in(client: TestClient) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    form = {"username": "admin", "password": demo_password("admin"), "csrf_token": token[1]}
    assert client.post("/login", data=form).status_code == 303


def _timed(client: TestClient, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return elapsed


def _pages(client: TestClient, rng: random.Random, orders: int) -> dict[str, Callable[[], str]]:
    delivered = client.get("/orders?status=delivered").text
    email = re.findall(r"[\w.+-]+@example\.\w+", delivered)[0]
    first = client.get("/orders").text
    after = html.unescape(re.findall(r'href="(/orders\?[^"]*cursor=[^"]+)"', first)[0])
    surname = re.findall(r"<td>([^<@]+)<br>", delivered)[0].split()[-1].lower()
    station = client.get("/station/PAR").text
    external = ""
    for order_id in range(1, 40):  # an order a channel sent with its own id
        shown = re.findall(
            r'<dd>\w+ <span class="muted">\(([^)<]+)\)</span>',
            client.get(f"/orders/{order_id}").text,
        )
        if shown:
            external = html.unescape(shown[0])
            break
    pages: dict[str, Callable[[], str]] = {
        "Today": lambda: "/",
        "Orders, first page": lambda: "/orders",
        "Orders, next page": lambda: after,
        "Orders, search by email": lambda: f"/orders?q={email}",
        "Orders, part of a name": lambda: f"/orders?q={surname}",
        "Orders, delivered by total": lambda: "/orders?status=delivered&sort=-total",
        "Orders, by customer": lambda: "/orders?sort=customer",
        "Orders, late only": lambda: "/orders?late=1",
        "Orders, search by phone": lambda: "/orders?q=%2B33%206%2012%2034%2056%2078",
        "Orders, search by external id": lambda: f"/orders?q={quote(external)}",
        "Service queue": lambda: "/service",
        "Customer view": lambda: f"/customers/{email}",
        "Order page (random order)": lambda: f"/orders/{rng.randint(1, orders)}",
        "Station PAR": lambda: "/station/PAR",
    }
    for name, pattern in (
        ("Station, a pick list", r"/station/PAR/pick-lists/\d+"),
        ("Station, a pack screen", r"/station/PAR/shipments/\d+"),
    ):
        found = re.findall(pattern, station)
        if found:
            pages[name] = lambda path=found[0]: path
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300, help="demo orders to load")
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        help="grow to this many orders by copying the demo's finished ones (bench/history.py)",
    )
    parser.add_argument("--rounds", type=int, default=200, help="requests per page")
    parser.add_argument("--database-url", help="an empty database (default: SQLite, temporary)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'pages.db'}"
        upgrade(url)
        container = bootstrap(Settings(database_url=url, secret_key="bench"))
        started = time.perf_counter()
        load_demo(container, orders=args.orders)
        create_demo_users(container.uow())
        total = args.orders + grow(container.engine, args.history)
        loaded = time.perf_counter() - started
        with TestClient(
            create_app(container), base_url="https://bench", follow_redirects=False
        ) as client:
            _log_in(client)
            rng = random.Random(1)
            pages = _pages(client, rng, total)
            for make in pages.values():  # warm up: templates compiled, statements cached
                _timed(client, make())
            samples = {name: [_timed(client, make()) for _ in range(args.rounds)]
                       for name, make in pages.items()}  # fmt: skip
        container.close()
    _report(samples, url.split(":", 1)[0], args, loaded, total)
    return 0


def _report(
    samples: dict[str, list[float]],
    database: str,
    args: argparse.Namespace,
    loaded: float,
    total: int,
) -> None:
    console.print(f"Machine: {machine().line()}")
    console.print(
        f"Database: {database}; {total} orders ({args.orders} from the demo, the rest "
        f"copies of its finished ones; loaded in {loaded:.0f} s); "
        f"{args.rounds} requests per page; {datetime.now(UTC):%Y-%m-%d}; "
        f"commit {code_version()}"
    )
    table = Table("page", "median ms", "p95 ms", "max ms")
    for name, times in samples.items():
        p95 = statistics.quantiles(times, n=20)[-1]
        table.add_row(name, f"{statistics.median(times):.1f}", f"{p95:.1f}", f"{max(times):.1f}")
    console.print(table)


if __name__ == "__main__":
    sys.exit(main())
