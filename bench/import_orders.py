"""The CSV import of orders (`oms import orders`): order lines per second and peak memory,
at 10,000 and 100,000 lines, on SQLite and PostgreSQL.

    .venv/bin/python bench/import_orders.py                         # SQLite, 10k and 100k
    .venv/bin/python bench/import_orders.py --db sqlite postgresql --lines 10000 100000

Each size runs in a child process of its own on a fresh database (SQLite in a temporary
directory; PostgreSQL as `--pg-db`, recreated): one location, 500 products with plenty of
stock, then a generated CSV of `--lines` order lines (1 to 7 lines per order, 1-3 units,
prices given) imported the way the command does it (a first pass for the row count and
scattered orders, then the rows streamed, each order placed with its stock reserved, 50
orders per transaction). It prints lines/s of the import (wall clock, and per CPU second
of the importing process: the machine may be shared; the 1-minute load average is
printed), the child's resident memory before the import and its peak
(`ru_maxrss`): a peak that does not grow with the file is memory flat in the file's size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEADER = (
    "external_id,sku,quantity,unit_price,customer_email,customer_name,ship_line1,ship_city,"
    "ship_postal_code,ship_country\n"
)


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def write_csv(path: Path, lines: int, skus: list[str], seed: int = 7) -> int:
    """`lines` order lines, the rows of each order together; returns the orders written."""
    rng = random.Random(seed)
    written = orders = 0
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER)
        while written < lines:
            orders += 1
            n = min(rng.randint(1, 7), lines - written)
            for sku in rng.sample(skus, n):
                f.write(
                    f"B-{orders},{sku},{rng.randint(1, 3)},9.90,c{orders}@example.com,"
                    f"Ann Martin,3 rue Mercière,Paris,75002,FR\n"
                )
            written += n
    return orders


def child(db_url: str, lines: int, tmp: Path) -> dict[str, float]:
    from decimal import Decimal

    from oms.adapters.channels import order_csv
    from oms.adapters.db.migrate import upgrade
    from oms.bootstrap import bootstrap
    from oms.config import Settings
    from oms.domain.access import SYSTEM
    from oms.domain.catalogue.model import LocationKind, NewLocation, NewProduct
    from oms.domain.channels.order_rows import Layout
    from oms.services import catalogue, inventory
    from oms.services.inventory import StockChange
    from oms.services.order_import import ImportOptions, import_orders

    upgrade(db_url)
    container = bootstrap(Settings(database_url=db_url, db_pool_size=2))
    uow = container.uow()
    catalogue.create_location(
        uow, SYSTEM, NewLocation("PAR", "Paris", LocationKind.WAREHOUSE, "FR", "75002", True, 0)
    )
    skus = [f"P{i:04d}" for i in range(500)]
    for sku in skus:
        catalogue.create_product(
            uow, SYSTEM, NewProduct(sku, sku, Decimal("9.90"), "EUR", weight_grams=300)
        )
        inventory.count_stock(uow, SYSTEM, StockChange("PAR", sku, "bench", on_hand=10**7))
    path = tmp / f"orders-{lines}.csv"
    orders = write_csv(path, lines, skus)
    rss_before = _rss_kib()
    wall, cpu = time.perf_counter(), time.process_time()
    with order_csv.opened(path) as text:
        layout = Layout.make(order_csv.header(text))
    total, apart = order_csv.survey(path, layout)
    with order_csv.opened(path) as text:
        names = order_csv.header(text)
        report = import_orders(
            uow, SYSTEM, "bench", order_csv.rows(text, names), layout,
            ImportOptions(scattered=frozenset(apart)), fresh=container.uow,
        )  # fmt: skip
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    container.close()
    assert report.imported == orders and report.lines == total == lines, report
    return {
        "lines": lines,
        "orders": orders,
        "seconds": wall,
        "lines_per_s": lines / wall,
        "lines_per_cpu_s": lines / cpu,
        "load": os.getloadavg()[0],
        "rss_before_mib": rss_before / 1024,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "file_mib": path.stat().st_size / 2**20,
    }


def _database(db: str, args: argparse.Namespace, tmp: Path, lines: int) -> str:
    if db == "sqlite":
        return f"sqlite:///{tmp / f'import-{lines}.db'}"
    import sqlalchemy as sa

    admin = sa.create_engine(args.pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{args.pg_db}"')
    admin.dispose()
    return admin.url.set(database=args.pg_db).render_as_string(hide_password=False)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--db", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    p.add_argument("--lines", nargs="+", type=int, default=[10_000, 100_000])
    p.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--pg-db", default="oms_channels_bench")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--tmp", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.lines[0], Path(args.tmp))))
        return
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    print(f"{when}; {os.cpu_count()} cores; {platform.system()} {platform.release()}")
    print(
        "| database | lines | orders | file MiB | seconds | lines/s | lines/CPU s | load |"
        " RSS before MiB | peak RSS MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for db in args.db:
            for lines in args.lines:
                url = _database(db, args, Path(tmp), lines)
                out = subprocess.run(
                    [sys.executable, __file__, "--child", url, "--lines", str(lines),
                     "--tmp", tmp],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                r = json.loads(out.stdout.strip().splitlines()[-1])
                print(
                    f"| {db} | {r['lines']:,} | {r['orders']:,} | {r['file_mib']:.1f} | "
                    f"{r['seconds']:.1f} | {r['lines_per_s']:,.0f} | "
                    f"{r['lines_per_cpu_s']:,.0f} | {r['load']:.1f} | "
                    f"{r['rss_before_mib']:.0f} | {r['peak_rss_mib']:.0f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
