"""The insight reports at scale: N made-up orders with their timelines, then every report
timed (issue 12).

    .venv/bin/python bench/insight.py --db postgresql --orders 100000   # build, then time
    .venv/bin/python bench/insight.py --db postgresql --orders 1000000
    .venv/bin/python bench/insight.py --db sqlite --orders 100000 --keep
    .venv/bin/python bench/insight.py --db postgresql --no-build        # time what is there

The generator writes rows straight into the tables (COPY on PostgreSQL, executemany on
SQLite), in a database of its own: PostgreSQL `oms_insight` (dropped and made again; see
`--pg-url`), SQLite a file in /tmp. Per order, over two years: 1 line of 1-3 units of one
of 500 products, one shipment from one of 3 locations, and its events: 90 % delivered
(placed, confirmed, shipment.picked, shipment.packed, shipped, delivered; 8 % of them late),
4 % on their way, 4 % confirmed, 2 % cancelled; 2 % of the delivered come back (a return
of the line, requested, received, refunded; a third for damage). One customer e-mail per
three orders. About 6.6 events per order.

Then `order_facts` is made from those rows as migrations 0019 and 0023 make it (times,
hours, the order's figures, shipped and after-sale parts; VACUUM FULL on PostgreSQL), and
`customer_facts` from it as migration 0027 does (loyalty's per-customer rows), and
each report runs `--runs` times through its use case, in process, and the median wall
time is printed, with the rows it read. A bench tool: the data are not for anything else.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

START = datetime(2024, 1, 1, tzinfo=UTC)
DAYS = 730
PRODUCTS = 500
LOCATIONS = ("PAR", "LYO", "BER")
BATCH = 50_000


def _orders(n: int, seed: int) -> Iterator[dict[str, Any]]:
    """Each order as the rows it needs, table by table."""
    rnd = random.Random(seed)
    h = timedelta(hours=1)
    ev_id = ret_id = 0
    for oid in range(1, n + 1):
        placed = START + timedelta(seconds=rnd.randrange(DAYS * 86400))
        kind = rnd.random()
        status = (
            "delivered" if kind < 0.90 else "shipped" if kind < 0.94
            else "confirmed" if kind < 0.98 else "cancelled"
        )  # fmt: skip
        qty = rnd.randint(1, 3)
        product = rnd.randrange(1, PRODUCTS + 1)
        price = 500 + product * 10
        loc = rnd.randrange(1, len(LOCATIONS) + 1)
        times: list[tuple[str, datetime, str | None, str | None]] = [
            ("order.placed", placed, None, "pending")
        ]
        t = placed + h * rnd.uniform(0.05, 8)
        if status != "cancelled":
            times.append(("order.confirmed", t, "pending", "confirmed"))
        else:
            times.append(("order.cancelled", t, "pending", "cancelled"))
        shipped = delivered = None
        if status in ("delivered", "shipped"):
            picked = t + h * rnd.uniform(1, 30)
            packed = picked + h * rnd.uniform(0.1, 4)
            shipped = packed + h * rnd.uniform(0.5, 20)
            times += [
                ("shipment.picked", picked, None, None),
                ("shipment.packed", packed, None, None),
                ("order.shipped", shipped, "processing", "shipped"),
            ]
            if status == "delivered":
                delivered = shipped + h * rnd.uniform(12, 120)
                times.append(("order.delivered", delivered, "shipped", "delivered"))
        promised = None
        if shipped is not None:
            late = rnd.random() < 0.08
            promised = (delivered or shipped).date() + timedelta(days=-1 if late else 2)
        returned = status == "delivered" and rnd.random() < 0.02
        if returned:
            assert delivered is not None
            asked = delivered + h * rnd.uniform(24, 200)
            got = asked + h * rnd.uniform(24, 120)
            times += [("return.requested", asked, None, None), ("return.received", got, None, None),
                      ("return.refunded", got + h * rnd.uniform(1, 48), None, None)]  # fmt: skip
        line_id = oid  # one line per order
        delivered_q = qty if status == "delivered" else 0
        gone = qty if status in ("delivered", "shipped") else 0
        rows: dict[str, list[tuple[Any, ...]]] = {
            "orders": [(oid, f"B{oid:010d}", "web" if oid % 4 else "shop", f"h{oid}", status,
                        f"c{oid // 3}@bench.invalid", "Bench", "Bench", "1 rue", "Paris", "75001",
                        "FR", "EUR", 0, qty * price, 500, 0, qty * price + 500, 1, placed,
                        times[-1][1], f"t{oid:041d}",
                        0 if status == "cancelled" else qty * price + 500)],
            "order_lines": [(line_id, oid, 1, product, f"SKU{product:04d}", qty, price,
                             qty - gone if status == "confirmed" else 0, 0, gone,
                             delivered_q, qty if status == "cancelled" else 0)],
            "order_events": [],
        }  # fmt: skip
        for kind_, at, a, b in times:
            ev_id += 1
            rows["order_events"].append((ev_id, oid, kind_, a, b, "bench", at, "{}"))
        if shipped is not None:
            rows["shipments"] = [(oid, oid, loc, status, "oms-post", shipped.date(), promised,
                                  shipped.date(), 1, placed, shipped)]  # fmt: skip
        if returned:
            ret_id += 1
            reason = "damaged" if ret_id % 3 == 0 else "changed_mind"
            rows["returns"] = [(ret_id, f"RB{ret_id:010d}", oid, "refunded", "refund", "bench", 1,
                                times[-3][1], times[-1][1])]  # fmt: skip
            damaged = qty if reason == "damaged" else 0
            rows["return_lines"] = [(ret_id, ret_id, 1, product, f"SKU{product:04d}", qty, reason,
                                     qty, qty - damaged, damaged)]  # fmt: skip
        yield rows


COLUMNS = {
    "orders": "id, number, channel, request_hash, status, customer_email, customer_name, "
    "ship_name, ship_line1, ship_city, ship_postal_code, ship_country, currency, priority, "
    "subtotal_minor, shipping_minor, tax_minor, total_minor, version, created_at, updated_at, "
    "tracking_token, paid_minor",
    "order_lines": "id, order_id, line_no, product_id, sku, quantity, unit_price_minor, "
    "allocated_quantity, backordered_quantity, shipped_quantity, delivered_quantity, "
    "cancelled_quantity",
    "order_events": "id, order_id, type, from_status, to_status, actor, at, data",
    "shipments": "id, order_id, location_id, status, carrier, ship_date, "
    "promised_delivery_date, ship_by, version, created_at, updated_at",
    "returns": "id, number, order_id, status, resolution, created_by, version, created_at, "
    "updated_at",
    "return_lines": "id, return_id, line_no, product_id, sku, quantity, reason, "
    "received_quantity, resellable_quantity, damaged_quantity",
}


def _fixed(conn: Any, postgres: bool) -> None:
    """Products, locations and stock: what every order points at."""
    now = START
    p = "%s" if postgres else "?"
    cur = conn.cursor()
    cur.executemany(
        f"INSERT INTO locations (id, code, name, kind, country, postal_code, ships, priority, "
        f"created_at, time_zone, cut_off, working_days, default_bin) VALUES "
        f"({p}, {p}, {p}, 'warehouse', 'FR', '75001', true, 0, {p}, 'Europe/Paris', '15:00', "
        f"'01234', 'A-01-01')",
        [(i, code, code, now) for i, code in enumerate(LOCATIONS, 1)],
    )
    cur.executemany(
        f"INSERT INTO products (id, sku, name, price_minor, currency, created_at, archived) "
        f"VALUES ({p}, {p}, {p}, {p}, 'EUR', {p}, false)",
        [(i, f"SKU{i:04d}", f"Product {i}", 500 + i * 10, now) for i in range(1, PRODUCTS + 1)],
    )
    cur.executemany(
        f"INSERT INTO stock (location_id, product_id, on_hand, reserved, updated_at) VALUES "
        f"({p}, {p}, {p}, 0, {p})",
        [(loc, i, 50 + i % 40, now) for loc in range(1, 4) for i in range(1, PRODUCTS + 1)],
    )


def build(url: str, n: int, seed: int) -> float:
    """A fresh database with n orders; the seconds it took."""
    import sqlalchemy as sa

    from oms.adapters.db.migrate import upgrade

    postgres = url.startswith("postgresql")
    if postgres:
        name = url.rsplit("/", 1)[1]
        host = ["-h", "127.0.0.1", "-U", "postgres"]
        subprocess.run(["dropdb", *host, "--if-exists", name], check=True)
        subprocess.run(["createdb", *host, name], check=True)
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    upgrade(url)
    started = time.perf_counter()
    engine = sa.create_engine(url)
    with engine.begin() as c:
        raw = c.connection.driver_connection
        _fixed(raw, postgres)
        pending: dict[str, list[tuple[Any, ...]]] = {t: [] for t in COLUMNS}
        for k, rows in enumerate(_orders(n, seed), 1):
            for table, found in rows.items():
                pending[table] += found
            if k % BATCH == 0 or k == n:
                for table in COLUMNS:
                    _write(raw, postgres, table, pending[table])
                    pending[table] = []
                print(
                    f"  {k:,} orders written ({time.perf_counter() - started:,.0f} s)", flush=True
                )
        # The events went in straight: make their summary rows as the migration does.
        from oms.adapters.db import customer_facts
        from oms.adapters.db.order_facts import refill, refill_durations, refresh_all

        # loyalty's customer rows in one statement at the end, as migration 0027 makes them,
        # rather than by the triggers row by row
        customer_facts.drop_triggers(c)
        c.execute(refill())
        refill_durations(c)
        refresh_all(c)
        customer_facts.refill(c)
        customer_facts.create_triggers(c)
        print(f"  order_facts filled ({time.perf_counter() - started:,.0f} s)", flush=True)
        if postgres:
            for table in ("orders", "order_lines", "order_events", "shipments", "returns",
                          "return_lines", "locations", "products", "stock"):  # fmt: skip
                c.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        if postgres:  # order_facts was updated twice over: give back the old versions' space
            c.exec_driver_sql("VACUUM FULL order_facts")
        c.exec_driver_sql("ANALYZE")
    engine.dispose()
    return time.perf_counter() - started


def _write(raw: Any, postgres: bool, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    if not rows:
        return
    cols = COLUMNS[table]
    if postgres:
        with raw.cursor().copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(cols.split(",")))
        raw.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


def reports(url: str, runs: int) -> dict[str, float]:
    """Median seconds of each report over `runs` runs."""
    from oms.bootstrap import bootstrap
    from oms.config import Settings
    from oms.domain.access import SYSTEM
    from oms.domain.insight.stages import GroupBy
    from oms.services import business_reports as b
    from oms.services import reports as r

    container = bootstrap(Settings(database_url=url, db_pool_size=2))
    uow = container.uow()
    tl, facts = container.timelines(uow), container.business_facts(uow)
    year = r.StageQuery(date(2025, 1, 1), date(2025, 12, 31))
    calls: dict[str, Callable[[], object]] = {
        "stage-times (all)": lambda: r.stage_times(uow, tl, SYSTEM, r.StageQuery()),
        "stage-times, one year": lambda: r.stage_times(uow, tl, SYSTEM, year),
        "stage-times by week, one year": lambda: r.stage_times(
            uow, tl, SYSTEM, r.StageQuery(year.since, year.until, group_by=GroupBy.WEEK)
        ),
        "work-in-progress, 90 days": lambda: r.work_in_progress(
            uow, tl, SYSTEM, r.FlowQuery(date(2025, 10, 1), date(2025, 12, 29))
        ),
        "open-orders (aging)": lambda: r.open_orders_aging(uow, container.open_orders(uow), SYSTEM),
        "perfect-orders (all)": lambda: b.perfect_order(uow, facts, SYSTEM, r.StageQuery()),
        "returns (all)": lambda: b.returns(uow, facts, SYSTEM, r.StageQuery()),
        "cash (all)": lambda: b.cash_report(uow, facts, SYSTEM, r.StageQuery()),
        "loyalty (all)": lambda: b.loyalty_report(uow, facts, SYSTEM, r.StageQuery()),
    }
    out = {}
    for name, call in calls.items():
        seconds = []
        for _ in range(runs):
            t = time.perf_counter()
            call()
            seconds.append(time.perf_counter() - t)
        out[name] = statistics.median(seconds)
        print(f"  {name:<32} {out[name]:8.2f} s", flush=True)
    container.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--no-build", action="store_true", help="time the database as it is")
    ap.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/oms_insight")
    ap.add_argument("--sqlite-path", default="/tmp/oms_insight_bench.db")
    args = ap.parse_args()
    url = args.pg_url if args.db == "postgresql" else f"sqlite:///{args.sqlite_path}"
    result: dict[str, Any] = {"db": args.db, "orders": args.orders}
    if not args.no_build:
        print(f"building {args.orders:,} orders on {args.db}", flush=True)
        seconds = build(url, args.orders, args.seed)
        result["build_seconds"] = round(seconds, 1)
        print(f"  built in {seconds:,.1f} s ({args.orders / seconds:,.0f} orders/s)")
    else:  # say what is there
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        with engine.connect() as c:
            result["orders"] = c.exec_driver_sql("SELECT count(*) FROM orders").scalar_one()
        engine.dispose()
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(f"  {result['orders']:,} orders; load average {result['load_average']}", flush=True)
    print("reports (median of runs):")
    result["reports"] = {k: round(v, 3) for k, v in reports(url, args.runs).items()}
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
