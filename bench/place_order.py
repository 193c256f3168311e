"""The order-intake use case alone, in process: CPU per `place_order`, two code trees side
by side.

The HTTP bench (`bench/intake.py`) measures what a client sees, but on a shared two-core
machine its figures move by ±25% between runs. This one calls `services.orders.place_order`
directly (no HTTP, no thread pool), so what it measures is the use case: the domain, the
SQL it sends and the database driver. It alternates the trees it compares, run by run, so
the noise of the machine falls on both alike, and reports medians.

    .venv/bin/python bench/place_order.py                       # this tree only
    .venv/bin/python bench/place_order.py --compare /path/to/other/src --runs 5

Each run is a child process on a fresh database (SQLite in a temporary directory, or
PostgreSQL as `--pg-db`, recreated): `--locations` shipping locations in France and
Germany, 1,000 products with plenty of stock, then `--orders` orders of 3 lines (1-3 units;
20% of lines from 10 hot products), all to Paris, placed one after another; it prints the
mean CPU and wall milliseconds per order after 50 of warm-up, the CPU the database
server's processes used per order meanwhile (PostgreSQL, read from /proc; 0 on SQLite,
which runs inside the process), and the ledger rows written per order.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from proc_cpu import database_server_cpu

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def child(db_url: str, orders: int, locations: int, seed: int) -> dict[str, float]:
    """One run, in this process, on whatever `oms` the import path finds first."""
    from decimal import Decimal

    import sqlalchemy as sa

    from oms.adapters.db.migrate import upgrade
    from oms.bootstrap import bootstrap
    from oms.config import Settings
    from oms.domain.access import SYSTEM
    from oms.domain.catalogue.model import LocationKind, NewLocation, NewProduct
    from oms.domain.orders.model import Address, Customer, DraftLine, OrderDraft
    from oms.services import catalogue, inventory
    from oms.services import orders as ordering
    from oms.services.inventory import StockChange

    upgrade(db_url)
    container = bootstrap(Settings(database_url=db_url, db_pool_size=2))
    uow = container.uow()
    codes = []
    for i in range(locations):
        country, postal = ("FR", "69007") if i % 2 == 0 else ("DE", "10115")
        code = f"L{i}"
        catalogue.create_location(
            uow, SYSTEM, NewLocation(code, code, LocationKind.WAREHOUSE, country, postal, True, i)
        )
        codes.append(code)
    skus = [f"P{i:04d}" for i in range(1000)]
    for sku in skus:
        catalogue.create_product(
            uow, SYSTEM, NewProduct(sku, sku, Decimal("9.90"), "EUR", weight_grams=300)
        )
        for code in codes:
            inventory.count_stock(uow, SYSTEM, StockChange(code, sku, "bench", on_hand=10**6))
    rng = random.Random(seed)
    address = Address("Ann Martin", "3 rue Mercière", "Paris", "75002", "FR")

    def one(n: int) -> None:
        picked: set[str] = set()
        while len(picked) < 3:
            picked.add(rng.choice(skus[:10] if rng.random() < 0.2 else skus))
        draft = OrderDraft(
            "web",
            Customer(f"c{n}@example.com", "Ann Martin"),
            address,
            [DraftLine(sku, rng.randint(1, 3)) for sku in sorted(picked)],
        )
        ordering.place_order(uow, SYSTEM, draft, f"bench-{n}")

    for n in range(50):
        one(n)
    with container.engine.connect() as conn:
        ledger_before = conn.execute(sa.text("SELECT count(*) FROM stock_ledger")).scalar_one()
    db_cpu = database_server_cpu()
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(50, 50 + orders):
        one(n)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    db_cpu = database_server_cpu() - db_cpu
    with container.engine.connect() as conn:
        ledger_after = conn.execute(sa.text("SELECT count(*) FROM stock_ledger")).scalar_one()
    container.close()
    return {
        "cpu_ms": 1000 * cpu / orders,
        "wall_ms": 1000 * wall / orders,
        "db_cpu_ms": 1000 * db_cpu / orders,
        "ledger_rows_per_order": (ledger_after - ledger_before) / orders,
    }


def _database(args: argparse.Namespace, tmp: Path, n: int) -> str:
    if args.db == "sqlite":
        return f"sqlite:///{tmp / f'place-{n}.db'}"
    import sqlalchemy as sa

    admin = sa.create_engine(args.pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{args.pg_db}"')
    admin.dispose()
    return admin.url.set(database=args.pg_db).render_as_string(hide_password=False)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--orders", type=int, default=1000)
    p.add_argument("--locations", type=int, default=3)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--compare", type=Path, help="another tree's src/ to run alternately")
    p.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--pg-db", default="oms_bench_place")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.orders, args.locations, seed=7)))
        return
    trees = {"this tree": SRC} | ({"compared": args.compare} if args.compare else {})
    results: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            for i, (name, src) in enumerate(trees.items()):
                url = _database(args, Path(tmp), 2 * run + i)
                env = {**os.environ, "PYTHONPATH": str(src)}
                out = subprocess.run(
                    [sys.executable, __file__, "--child", url, "--orders", str(args.orders),
                     "--locations", str(args.locations)],
                    env=env, capture_output=True, text=True,
                )  # fmt: skip
                if out.returncode:
                    sys.exit(f"{name} failed:\n{out.stderr}")
                results[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(f"run {run + 1} {name}: {results[name][-1]}", flush=True)
    print(f"\n{args.db}, {args.locations} locations, {args.orders} orders, {args.runs} runs")
    print(
        "| tree | CPU ms/order (median) | database server CPU ms/order (median) "
        "| wall ms/order (median) | ledger rows/order |"
    )
    print("|---|---|---|---|---|")
    for name, rows in results.items():
        cpu = statistics.median(r["cpu_ms"] for r in rows)
        wall = statistics.median(r["wall_ms"] for r in rows)
        db = statistics.median(r["db_cpu_ms"] for r in rows)
        ledger = statistics.median(r["ledger_rows_per_order"] for r in rows)
        print(f"| {name} ({trees[name]}) | {cpu:.3f} | {db:.3f} | {wall:.3f} | {ledger:.2f} |")


if __name__ == "__main__":
    main()
