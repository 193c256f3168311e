"""The completion sweep's read at size: what `complete_due` reads to find the orders due.

`oms worker` runs the sweep once a minute. It pages through the delivered orders
(`orders.delivered`, 200 at a time) and keeps those whose channel's completion window has
passed. This times that read alone, nothing completed (the database stays as it is), on
a database bench/million.py filled, with whichever code is on PYTHONPATH: the tree before
migration 0020 read every delivered order and its last order.delivered with a correlated
subquery; after, the store cuts at the shortest window (orders.delivered_at, indexed).

    python bench/sweep.py --sqlite /tmp/reads/million.db --runs 5
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import time
from datetime import timedelta

from oms.bootstrap import bootstrap
from oms.config import Settings
from oms.domain.orders.completion import is_due
from oms.domain.returns.policy import DEFAULT_POLICY

BATCH = 200


def sweep_read(url: str, days: int) -> tuple[float, int, int]:
    """Seconds, delivered orders read, orders due."""
    container = bootstrap(Settings(database_url=url, secret_key="bench"))
    uow = container.uow()
    now = uow.now()
    cut = "by" in inspect.signature(uow.orders.delivered).parameters
    started = time.perf_counter()
    read = due = 0
    after = None
    while True:
        args = (after, BATCH, now - timedelta(days=days)) if cut else (after, BATCH)
        page = uow.run(lambda a=args: uow.orders.delivered(*a), write=False)
        read += len(page)
        due += sum(is_due(d.delivered_at, days, now) for d in page)
        if len(page) < BATCH:
            break
        after = page[-1].id
    took = time.perf_counter() - started
    container.close()
    return took, read, due


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--sqlite")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--days",
        type=int,
        default=DEFAULT_POLICY.completion_days,
        help="the completion window (a longer one than the data's: the steady state, none due)",
    )
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{args.sqlite}"
    results = [sweep_read(url, args.days) for _ in range(args.runs)]
    took = statistics.median(r[0] for r in results)
    print(f"{url.split(':')[0]}, {args.days}-day window: median {took * 1000:.0f} ms over "
          f"{args.runs} runs; "
          f"{results[0][1]:,} delivered orders read, {results[0][2]:,} due")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
