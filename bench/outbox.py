"""Outbox bench: time from an event's commit to its webhook's arrival, 1 and 4 workers.

On a fresh PostgreSQL database (`--pg-db`, dropped and created again, dropped at the end)
with one webhook subscribed to `order.placed` at a receiver in this process
(`http.server.ThreadingHTTPServer` on 127.0.0.1, answering 200 and noting when each
`Webhook-Id` first arrived):

1. starts `--workers` real `oms worker` subprocesses (`OMS_WORKER_POLL_SECONDS` as
   `--poll`, default 0.25 s, the setting's default) and waits until a first event has gone
   through, so start-up is not measured;
2. the main thread commits `--rate` events a second (default 100) for `--duration`
   seconds, each in a transaction of its own through `uow.outbox.add` -- the row
   `_add_events` writes beside an order's timeline, without the order: this measures the
   outbox and the worker, not order intake -- on a steady schedule (a late commit is not
   made up by a burst);
3. waits until every event has arrived (or `--drain` seconds), stops the workers (SIGTERM),
   and prints, per worker count: events committed, delivered, duplicates, commit→arrival
   p50, p99 and max in ms, the p50 of the first and of the last second's events (equal
   when the workers keep up; growing when a backlog builds), and the workers' CPU ms per
   delivery (start-up excluded).

A benchmark, not a test. Run:

    .venv/bin/python bench/outbox.py                       # 1 then 4 workers, 20 s each
    .venv/bin/python bench/outbox.py --workers 1,2,4 --duration 30 --rate 200
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OMS = Path(sys.executable).parent / "oms"


class Arrivals:
    """When each Webhook-Id first arrived, and how many came again."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        self.duplicates = 0
        self.lock = threading.Lock()

    def note(self, key: str, at: float) -> None:
        with self.lock:
            if key in self.first:
                self.duplicates += 1
            else:
                self.first[key] = at


def receiver(arrivals: Arrivals) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

        def do_POST(self) -> None:
            at = time.time()
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            arrivals.note(self.headers["Webhook-Id"], at)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def fresh_database(admin_url: str, name: str) -> str:
    import sqlalchemy as sa

    if name in ("postgres", "test", "template0", "template1"):
        sys.exit(f"refusing to recreate {name}")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    admin.dispose()
    return url


def drop_database(admin_url: str, name: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def wait_until(check: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes have used so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def one_round(args: argparse.Namespace, workers: int) -> dict[str, float]:
    from oms.adapters.db.migrate import upgrade
    from oms.bootstrap import bootstrap
    from oms.config import Settings
    from oms.domain.notifications.signing import event_key

    url = fresh_database(args.pg_admin_url, args.pg_db)
    upgrade(url)
    container = bootstrap(Settings(database_url=url, db_pool_size=2))
    uow = container.uow()
    arrivals = Arrivals()
    server = receiver(arrivals)
    hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
    uow.run(lambda: uow.outbox.add_webhook(hook, ["order.placed"], "bench", "bench", uow.now()))

    def commit(n: int) -> tuple[str, float]:
        event_id = uow.run(lambda: uow.outbox.add("order.placed", None, {"n": n}, uow.now()))
        return event_key(event_id), time.time()

    env = {k: v for k, v in os.environ.items() if not k.startswith("OMS_")} | {
        "OMS_DATABASE_URL": url,
        "OMS_DB_POOL_SIZE": "2",
        "OMS_WEBHOOKS_ALLOW_PRIVATE": "true",
        "OMS_WORKER_POLL_SECONDS": str(args.poll),
    }
    procs = [
        subprocess.Popen([str(OMS), "worker"], env=env, stdout=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    try:
        first, _ = commit(-1)
        if not wait_until(lambda: first in arrivals.first, 60):
            sys.exit("no worker delivered the first event within 60 s")
        committed: dict[str, float] = {}
        cpu = cpu_seconds([p.pid for p in procs])  # start-up excluded
        total = int(args.rate * args.duration)
        start = time.monotonic()
        for n in range(total):
            delay = start + n / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            key, at = commit(n)
            committed[key] = at
        produced_in = time.monotonic() - start
        wait_until(lambda: all(k in arrivals.first for k in committed), args.drain)
        cpu = cpu_seconds([p.pid for p in procs]) - cpu
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=30)
        server.shutdown()
        container.close()
    in_order = [
        1000 * (arrivals.first[k] - at) for k, at in committed.items() if k in arrivals.first
    ]
    latencies = sorted(in_order)
    delivered = len(latencies)
    second = int(args.rate)  # the first and last second's events: is a backlog growing?
    drop_database(args.pg_admin_url, args.pg_db)
    return {
        "workers": workers,
        "committed": len(committed),
        "rate": len(committed) / produced_in,
        "delivered": delivered,
        "duplicates": arrivals.duplicates,
        "p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": latencies[int(0.99 * (delivered - 1))] if latencies else float("nan"),
        "max_ms": latencies[-1] if latencies else float("nan"),
        "p50_first_s_ms": statistics.median(in_order[:second]) if in_order else float("nan"),
        "p50_last_s_ms": statistics.median(in_order[-second:]) if in_order else float("nan"),
        "worker_cpu_ms_per_delivery": 1000 * cpu / max(delivered, 1),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workers", default="1,4", help="worker counts, one round each")
    p.add_argument("--rate", type=float, default=100.0, help="events committed per second")
    p.add_argument("--duration", type=float, default=20.0, help="seconds of producing")
    p.add_argument("--drain", type=float, default=60.0, help="seconds to wait for the rest")
    p.add_argument("--poll", type=float, default=0.25, help="OMS_WORKER_POLL_SECONDS")
    p.add_argument("--runs", type=int, default=1, help="rounds per worker count")
    p.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--pg-db", default="oms_bench_outbox")
    args = p.parse_args()
    rows = []
    for run in range(args.runs):
        for workers in [int(w) for w in args.workers.split(",")]:
            row = one_round(args, workers)
            print(f"run {run + 1}: {json.dumps(row)}", flush=True)
            rows.append(row)
    print(
        f"\nPostgreSQL, {args.rate:g} events/s for {args.duration:g} s, poll {args.poll:g} s,"
        f" {args.runs} run(s); medians over runs"
    )
    print("| workers | committed | delivered | duplicates | p50 ms | p99 ms | max ms |"
          " p50 first s | p50 last s | worker CPU ms/delivery |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for workers in sorted({r["workers"] for r in rows}):
        mine = [r for r in rows if r["workers"] == workers]

        def med(name: str, mine: list[dict[str, float]] = mine) -> float:
            return statistics.median(r[name] for r in mine)

        print(
            f"| {workers:g} | {med('committed'):.0f} | {med('delivered'):.0f} |"
            f" {med('duplicates'):.0f} | {med('p50_ms'):.1f} | {med('p99_ms'):.1f} |"
            f" {med('max_ms'):.1f} | {med('p50_first_s_ms'):.1f} | {med('p50_last_s_ms'):.1f} |"
            f" {med('worker_cpu_ms_per_delivery'):.2f} |"
        )


if __name__ == "__main__":
    main()
