"""Stock pages bench: time of the stock read queries over a large stock table on PostgreSQL.

Creates a scratch database next to `--database-url` (dropped at the end), fills it with
`--products` products at `--locations` locations (one stock row each) and one row with
50,000 ledger entries, then runs each query of the stock list, a stock row and the
backorders `--rounds` times in process and prints the median and p95 in milliseconds.

A benchmark, not a test. Run: `.venv/bin/python bench/stock_pages.py
--database-url postgresql://postgres@127.0.0.1:5432/postgres` (about a minute).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from oms.adapters.db.engine import normalise_url
from oms.adapters.db.migrate import upgrade
from oms.adapters.db.tables import locations, products, stock, stock_ledger
from oms.bootstrap import bootstrap
from oms.config import Settings
from oms.domain.access import SYSTEM
from oms.services import stock_views
from oms.services.stock_views import StockQuery, StockSort

SCRATCH = "oms_bench_stock_pages"


def fill(engine: sa.Engine, n_products: int, n_locations: int) -> None:
    now = datetime.now(UTC)
    with engine.begin() as c:
        c.execute(locations.insert(), [
            dict(code=f"L{i}", name=f"Location {i}", kind="warehouse", country="FR",
                 postal_code="75001", ships=True, priority=i, created_at=now)
            for i in range(n_locations)
        ])  # fmt: skip
        c.execute(products.insert(), [
            dict(sku=f"SKU-{i:06d}", name=f"Product number {i}", price_minor=100,
                 currency="EUR", created_at=now)
            for i in range(n_products)
        ])  # fmt: skip
        location_ids = list(
            c.execute(sa.select(locations.c.id).where(locations.c.code.like("L%"))).scalars()
        )
        product_ids = list(c.execute(sa.select(products.c.id)).scalars())
        rows = [
            dict(location_id=loc, product_id=p, on_hand=random.randint(0, 50), reserved=0,
                 updated_at=now)
            for p in product_ids for loc in location_ids
        ]  # fmt: skip
        for start in range(0, len(rows), 20_000):
            c.execute(stock.insert(), rows[start : start + 20_000])
        first = c.execute(sa.select(sa.func.min(stock.c.id))).scalar_one()
        c.execute(stock_ledger.insert(), [
            dict(stock_id=first, kind="adjustment", on_hand_delta=1, reserved_delta=0,
                 actor="bench", at=now)
            for _ in range(50_000)
        ])  # fmt: skip
        c.exec_driver_sql("ANALYZE")


def timed(label: str, run: Callable[[], object], rounds: int) -> None:
    run()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[max(0, int(rounds * 0.95) - 1)]
    print(f"{label:34s} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--locations", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    base = make_url(normalise_url(args.database_url))
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
        c.exec_driver_sql(f'CREATE DATABASE "{SCRATCH}"')
    url = base.set(database=SCRATCH).render_as_string(hide_password=False)
    try:
        upgrade(url)
        container = bootstrap(Settings(database_url=url, db_pool_size=2))
        fill(container.engine, args.products, args.locations)
        with container.engine.connect() as conn:  # the statistics autovacuum would gather
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        print(
            f"{args.products * args.locations} stock rows, PostgreSQL, {datetime.now(UTC):%Y-%m-%d}"
        )
        uow = container.uow()
        views = container.views(uow)

        def find(**kw: object) -> Callable[[], object]:
            query = StockQuery(**kw)  # type: ignore[arg-type]
            return lambda: stock_views.find_stock(uow, views, SYSTEM, query)

        for sort in StockSort:
            timed(f"list, sort {sort.value}", find(sort=sort), args.rounds)
            last = stock_views.find_stock(uow, views, SYSTEM, StockQuery(sort=sort)).rows[-1]
            timed(f"list, sort {sort.value}, page 2", find(sort=sort, after=last.cursor(sort)),
                  args.rounds)  # fmt: skip
        timed("list, one location", find(location="L1"), args.rounds)
        timed("list, SKU start", find(q="SKU-0123"), args.rounds)
        timed("list, part of a name", find(q="number 4711"), args.rounds)
        timed("list, nothing available", find(none_available=True), args.rounds)
        timed("list, orders wait for", find(waiting=True), args.rounds)
        row = ("L0", "SKU-000000")
        timed("row and 50 of 50,000 ledger entries",
              lambda: stock_views.stock_detail(uow, views, SYSTEM, row), args.rounds)  # fmt: skip
        timed("backorders", lambda: stock_views.find_backorders(uow, views, SYSTEM), args.rounds)
        container.close()
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
