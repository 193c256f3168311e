"""Order intake bench: how many 3-line orders per second `oms serve` takes, and how fast.

Measures, on SQLite and on PostgreSQL, each on a freshly migrated database with 1,000
products (10 of them hot) and one shipping location:

- orders/s, p50 and p99 latency and errors of `POST /api/v1/orders` against the real
  server (`oms serve --workers 2`) at 1, 8 and 32 concurrent keep-alive clients, each
  order with 3 lines (a fifth of them from the hot set) and its own Idempotency-Key;
- the ceiling: the same transaction in raw SQL (order row, 3 line rows, 3 conditional
  stock updates, 1 event row) from as many connections, and our throughput as a share of it;
- a flash-sale level: 64 clients ordering only from the 10 hot products (ample stock),
  then the database checked: no stock row promised beyond its count, the ledger explaining
  every row ("oversold: 0");
- on PostgreSQL, the C-client ceiling beside the Python one: the same transaction from
  pgbench (intake_pgbench.py);
- a sell-out race: 64 clients buy 10 products of 100 units each until none is left;
  then the API, the database and the clients' 201 answers must agree that exactly 1,000
  units were promised and none twice ("oversold: 0").

Prints the tables with the machine, database and date, and writes them as Markdown under
bench/results/. A benchmark, not a test: it measures; `make test` checks correctness.
Run: `make bench`, or `.venv/bin/python bench/intake.py --help`.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

import intake_pgbench
from intake_load import (
    HttpSession,
    Mix,
    Session,
    catalogue_items,
    customer_of,
    drive,
    percentile_ms,
    raw_session_factory,
)
from intake_report import Result, Row, SellOut, machine_heading, markdown, print_tables
from intake_sellout import api_checks, api_stock, db_checks, oversold, race, stock_checks
from intake_setup import (
    Database,
    Server,
    Spy,
    api_token,
    code_version,
    exclusive,
    fresh_postgres,
    fresh_sqlite,
    load_catalogue,
    machine,
    sku_of,
)
from proc_cpu import database_server_cpu

RESULTS = Path(__file__).resolve().parent / "results"
ON_HAND = 1_000_000  # plenty: no order of the intake levels is ever backordered
console = Console(width=None if sys.stdout.isatty() else 130)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--clients", default="1,8,32", help="concurrency levels (default 1,8,32)")
    p.add_argument("--duration", type=float, default=10.0, help="seconds measured per level")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds per level not measured")
    p.add_argument("--runs", type=int, default=1, help="repeat; the tables give medians")
    p.add_argument("--quick", action="store_true", help="3 s per level, 1 s warm-up, 1 run")
    p.add_argument("--products", type=int, default=1000)
    p.add_argument("--hot", type=int, default=10, help="size of the hot set")
    p.add_argument("--hot-share", type=float, default=0.2, help="share of lines from it")
    p.add_argument("--workers", type=int, default=2, help="oms serve --workers")
    p.add_argument(
        "--pg-admin-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a maintenance database, to drop and create the bench database from",
    )
    p.add_argument("--pg-db", default="oms_bench", help="bench database, recreated")
    p.add_argument("--keep-db", action="store_true", help="leave the PostgreSQL bench db")
    p.add_argument(
        "--flash-clients",
        type=int,
        default=64,
        help="clients of the flash-sale level, every line from the hot set (0: no such level)",
    )
    p.add_argument("--no-pgbench", action="store_true", help="skip the C-client (pgbench) ceiling")
    p.add_argument("--no-sellout", action="store_true")
    p.add_argument("--sellout-clients", type=int, default=64)
    p.add_argument("--sellout-products", type=int, default=10)
    p.add_argument("--sellout-units", type=int, default=100)
    p.add_argument("--sellout-timeout", type=float, default=120.0)
    p.add_argument("--out", type=Path, default=RESULTS, help="where the Markdown goes")
    p.add_argument(
        "--py-spy",
        type=Path,
        metavar="DIR",
        help="record each server worker with py-spy (installed in the venv by hand) per level "
        "into DIR; summarise with bench/spy_layers.py",
    )
    p.add_argument(
        "--py-spy-args", default="--rate 100", help="more py-spy record options, e.g. '--gil'"
    )
    args = p.parse_args(argv)
    if args.quick:
        args.duration, args.warmup, args.runs = 3.0, 1.0, 1
    args.levels = [int(c) for c in args.clients.split(",") if c.strip()]
    args.kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    return args


def fresh(kind: str, args: argparse.Namespace, tmp: Path, name: str) -> Database:
    if kind == "sqlite":
        return fresh_sqlite(tmp, name)
    return fresh_postgres(args.pg_admin_url, args.pg_db)


def measure_http(
    args: argparse.Namespace, db: Database, tmp: Path, result: Result, mix: Mix
) -> None:
    token = api_token(db)
    spy = Spy(args.py_spy, args.py_spy_args.split()) if args.py_spy else None
    with Server(db, tmp / f"{db.kind}-serve.log", args.workers) as server:
        load_catalogue(server.port, token, mix.skus, ON_HAND)
        levels = [(c, mix, result.row(c), f"{c}c") for c in args.levels]
        if args.flash_clients:
            flash = result.flash_row(args.flash_clients)
            levels.append((args.flash_clients, hot_only(mix), flash, f"{args.flash_clients}f"))
        for clients, level_mix, row, tag in levels:

            def session(index: int, port: int = server.port, m: Mix = level_mix) -> Session:
                return HttpSession(port, m, token, customer_of(index))

            if spy:
                name = f"{db.kind}-run{result.runs + 1}-{tag}"
                spy.start(server.worker_pids(), name, args.warmup + args.duration)
            cpu, db_cpu = server.cpu_seconds(), database_server_cpu()
            try:
                level = drive(session, clients, args.warmup, args.duration)
            finally:
                if spy:
                    spy.wait()
            level.server_cpu = server.cpu_seconds() - cpu
            if db.kind == "postgresql":
                level.db_cpu = database_server_cpu() - db_cpu
            row.http.append(level)
            console.log(
                f"{db.kind} HTTP {clients:>3} clients{' (flash)' if tag.endswith('f') else ''}: "
                f"{level.rate:7.1f} orders/s, "
                f"p50 {level.percentile(50):6.1f} ms, p99 {level.percentile(99):6.1f} ms, "
                f"server CPU {level.cpu_per_order:5.1f} ms/order, "
                f"client CPU {1000 * level.client_cpu / max(level.accepted, 1):4.2f} ms/order, "
                f"{level.errors} errors {dict(level.error_kinds) or ''}"
            )
        if result.flash:
            result.flash.checks = stock_checks(db)
            result.flash.oversold = max(result.flash.oversold, oversold(db, None, ON_HAND))


def hot_only(mix: Mix) -> Mix:
    """The flash sale: every line from the hot set."""
    return Mix(mix.skus, mix.hot, 1.0, mix.lines, mix.max_quantity)


def measure_raw(args: argparse.Namespace, db: Database, result: Result, mix: Mix) -> None:
    items = catalogue_items(db, mix.skus)
    levels: list[tuple[int, Mix, Row]] = [(c, mix, result.row(c)) for c in args.levels]
    if result.flash:
        levels.append((result.flash.row.clients, hot_only(mix), result.flash.row))
    pgbench = db.kind == "postgresql" and not args.no_pgbench and intake_pgbench.available()
    for clients, level_mix, row in levels:
        make: Callable[[int], Session] = raw_session_factory(db, items, level_mix)
        db_cpu = database_server_cpu()
        level = drive(make, clients, args.warmup, args.duration)
        if db.kind == "postgresql":
            level.db_cpu = database_server_cpu() - db_cpu
        row.raw.append(level)
        console.log(
            f"{db.kind} raw SQL {clients:>3} connections: {level.rate:7.1f} orders/s, "
            f"{level.errors} errors {dict(level.error_kinds) or ''}"
        )
        if pgbench:
            run = intake_pgbench.run(db, items, level_mix, clients, args.duration)
            row.pgbench.append(run)
            console.log(
                f"{db.kind} pgbench {clients:>3} connections: {run.tps:7.1f} orders/s, "
                f"latency {run.latency_ms:.1f} ms, {run.failed} failed"
            )


def sell_out(args: argparse.Namespace, kind: str, tmp: Path) -> SellOut:
    db = fresh(kind, args, tmp, "sellout")
    token = api_token(db)
    skus = [sku_of(i, "S") for i in range(args.sellout_products)]
    units = args.sellout_products * args.sellout_units
    with Server(db, tmp / f"{kind}-sellout.log", args.workers) as server:
        load_catalogue(server.port, token, skus, args.sellout_units)
        state = race(server.port, token, skus, args.sellout_clients, args.sellout_timeout)
        stock = api_stock(server.port, token)
    checks = api_checks(state, stock, units) + db_checks(db, state, units)
    sold = SellOut(
        products=len(skus),
        units=units,
        clients=args.sellout_clients,
        orders=state.accepted,
        seconds=state.seconds,
        oversold=oversold(db, state, args.sellout_units),
        checks=checks,
        p50=percentile_ms(state.latencies, 50),
        p99=percentile_ms(state.latencies, 99),
    )
    console.log(f"{kind} sell-out: {sold.orders} orders in {sold.seconds:.1f} s")
    return sold


def bench(args: argparse.Namespace, kind: str, tmp: Path) -> Result:
    result = Result(kind, version=kind)
    mix = Mix([sku_of(i) for i in range(args.products)], args.hot, args.hot_share)
    db: Database | None = None
    try:
        for _ in range(args.runs):
            db = fresh(kind, args, tmp, "intake")
            result.version = db.version()
            console.log(f"{result.version}: run {result.runs + 1} of {args.runs}")
            measure_http(args, db, tmp, result, mix)
            measure_raw(args, db, result, mix)
            result.runs += 1
        if not args.no_sellout:
            result.sellout = sell_out(args, kind, tmp)
    finally:
        if db is not None and not (args.keep_db and kind == "postgresql"):
            db.drop()
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A plain `kill` unwinds like Ctrl-C: servers stopped, bench database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = datetime.now(UTC)
    load_before = os.getloadavg()[0]
    code = code_version()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="oms-bench-") as tmp:
        for kind in args.kinds:
            with (
                exclusive(args.pg_admin_url, args.pg_db) if kind == "postgresql" else nullcontext()
            ):
                results.append(bench(args, kind, Path(tmp)))
    heading = machine_heading(
        machine(),
        started.strftime("%Y-%m-%d %H:%M UTC"),
        {
            "load average (1 min) before / after": f"{load_before:.1f} / {os.getloadavg()[0]:.1f}",
            "levels": f"{args.duration:g} s measured after {args.warmup:g} s warm-up, "
            f"{args.runs} run(s)",
            "mix": f"3 lines/order, {args.products} products, "
            f"{args.hot_share:.0%} of lines from {args.hot} hot ones",
            "server": f"oms serve --workers {args.workers}, code {code}"
            + ("" if code == code_version() else f" at the start, {code_version()} at the end"),
            "client": "http.client, one keep-alive connection per client thread",
            "ceiling": "the same transaction in raw SQL (psycopg 3; sqlite3 with BEGIN "
            "IMMEDIATE): 1 order row, 3 line rows, 3 conditional stock updates, 1 event row; "
            "on PostgreSQL also from pgbench (C client, prepared statements, -j 2)",
            "flash sale": f"{args.flash_clients} clients, every line from the {args.hot} hot "
            "products"
            if args.flash_clients
            else "not run",
        },
    )
    print_tables(console, results, heading)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"intake-{started:%Y%m%d-%H%M%S}.md"
    path.write_text(markdown(results, heading))
    console.print(f"Markdown written to {path}")
    failed = [c for r in results if r.sellout for c in r.sellout.checks if not c.ok]
    failed += [c for r in results if r.flash for c in r.flash.checks if not c.ok]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
