"""Backlog sourcing bench: the greedy rule against the MILP optimiser on a scarce backlog.

Generates, from a seed, a backlog of backordered orders (default 10,000) over shipping
locations (default 20) and re-plans it twice:

- `plan_greedy` (oms.domain.fulfilment.backlog): orders in queue order, each completed in
  full from what is left or not served at all, each from as few locations as possible;
- `plan_optimal` (oms.adapters.solver.milp): SciPy's `milp` (HiGHS) choosing the set of
  orders of the largest weight that the stock can complete, then the fewest shipments and
  the lowest cost for them, never returning worse than greedy.

Both plans are checked with `validate` and measured with `evaluate`. Prints one table with
the machine, the date and the commit: per method, seconds, orders shipped complete, their
weight, units allocated, shipments, shipping cost and the solver's status; and writes it
as Markdown under bench/results/.

The data, all from `--seed`:

- 5 countries (FR, DE, BE, IT, ES), each next to some of the others; orders come from
  them in the proportions 30/25/10/20/15 %;
- locations spread over the countries in turn; every fifth one is a store that ships only
  within its country (its other pairs have no cost: it cannot ship there);
- a shipment costs 490 cents within a country, 890 to a neighbour, 1,490 further, plus
  0 to 95 cents by location (handling);
- 200 SKUs with a skewed popularity (the i-th most popular drawn with weight
  1 / (i + 1) ** 0.9); each location stocks about 40% of them (the popular ones more
  often), every SKU at two locations at least;
- orders of 1 to 4 lines (distinct SKUs), 1 to 3 units each, placed over the last 30
  days; priority 0 (85%), 20 (10%) or 50 (5%);
- stock scarce: each SKU's units, spread over the locations stocking it, are 35% to 95%
  of what the backlog asks of it: with seed 1, greedy completes 59% of the orders.

A last pair of rows runs both methods on greedy's own complete orders only, so that
shipments and cost compare like for like (`--no-same-orders` skips it).

A benchmark, not a test: it measures; the unit tests check correctness.
Run: `.venv/bin/python bench/sourcing.py` (about 70 s), or `--help`. Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from intake_setup import code_version, machine
from oms.adapters.solver.milp import OptimalResult, StageReport, plan_optimal
from oms.domain.fulfilment.backlog import (
    BacklogLine,
    BacklogOrder,
    BacklogPlan,
    BacklogProblem,
    PlanQuality,
    Supply,
    evaluate,
    plan_greedy,
    validate,
)

RESULTS = Path(__file__).resolve().parent / "results"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
COUNTRIES = ("FR", "DE", "BE", "IT", "ES")
COUNTRY_SHARE = (30, 25, 10, 20, 15)
NEIGHBOURS = {
    "FR": {"DE", "BE", "IT", "ES"},
    "DE": {"FR", "BE"},
    "BE": {"FR", "DE"},
    "IT": {"FR"},
    "ES": {"FR"},
}
DOMESTIC, NEIGHBOUR, FAR = 490, 890, 1_490  # cents per shipment
SKUS = 200
console = Console(width=None if sys.stdout.isatty() else 160)


def generate(orders: int, locations: int, seed: int) -> BacklogProblem:
    """A seeded, deterministic backlog with scarce stock (see the module's docstring)."""
    rnd = random.Random(seed)
    popularity = [1 / (i + 1) ** 0.9 for i in range(SKUS)]
    skus = list(range(1, SKUS + 1))
    backlog = []
    for n in range(orders):
        size = rnd.randint(1, 4)
        picked: set[int] = set()
        while len(picked) < size:
            picked.add(rnd.choices(skus, popularity)[0])
        order_id = n + 1
        lines = tuple(
            BacklogLine(order_id * 10 + i, sku, rnd.randint(1, 3))
            for i, sku in enumerate(sorted(picked))
        )
        priority = rnd.choices((0, 20, 50), (85, 10, 5))[0]
        placed = NOW - timedelta(seconds=rnd.randrange(30 * 24 * 3600))
        backlog.append(BacklogOrder(order_id, priority, placed, lines))
    country_of_order = {o.order_id: rnd.choices(COUNTRIES, COUNTRY_SHARE)[0] for o in backlog}
    supplies = _supplies(rnd, backlog, locations, popularity)
    cost = _costs(rnd, backlog, locations, country_of_order)
    return BacklogProblem(tuple(backlog), tuple(supplies), cost, NOW)


def _supplies(
    rnd: random.Random, backlog: list[BacklogOrder], locations: int, popularity: list[float]
) -> list[Supply]:
    demand = [0] * (SKUS + 1)
    for order in backlog:
        for line in order.lines:
            demand[line.product_id] += line.quantity
    supplies = []
    for sku in range(1, SKUS + 1):
        share = 0.25 + 0.5 * popularity[sku - 1] ** 0.3
        holders = [loc for loc in range(1, locations + 1) if rnd.random() < share]
        while len(holders) < min(2, locations):
            loc = rnd.randint(1, locations)
            if loc not in holders:
                holders.append(loc)
        units = int(demand[sku] * rnd.uniform(0.35, 0.95))
        spread = [0] * len(holders)
        weights = [rnd.uniform(0.2, 1.0) for _ in holders]
        for i in rnd.choices(range(len(holders)), weights, k=units):
            spread[i] += 1
        for loc, got in zip(sorted(holders), spread, strict=True):
            supplies.append(Supply(loc * 1000 + sku, loc, sku, got))
    return supplies


def _costs(
    rnd: random.Random,
    backlog: list[BacklogOrder],
    locations: int,
    country_of_order: dict[int, str],
) -> dict[tuple[int, int], int]:
    country_of_loc = {loc: COUNTRIES[(loc - 1) % len(COUNTRIES)] for loc in range(1, locations + 1)}
    handling = {loc: rnd.randrange(0, 100, 5) for loc in country_of_loc}
    store = {loc for loc in country_of_loc if loc % 5 == 0}
    cost: dict[tuple[int, int], int] = {}
    for order in backlog:
        to = country_of_order[order.order_id]
        for loc, origin in country_of_loc.items():
            if origin == to:
                base = DOMESTIC
            elif loc in store:
                continue
            else:
                base = NEIGHBOUR if to in NEIGHBOURS[origin] else FAR
            cost[(loc, order.order_id)] = base + handling[loc]
    return cost


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--orders", type=int, default=10_000)
    p.add_argument("--locations", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--time-limit", type=float, default=50.0, help="plan_optimal's, seconds")
    p.add_argument("--greedy-runs", type=int, default=3, help="greedy is timed as a median")
    p.add_argument(
        "--no-same-orders",
        action="store_true",
        help="skip the optimiser run on greedy's own orders (sourcing compared like for like)",
    )
    p.add_argument("--out", type=Path, default=RESULTS, help="where the Markdown goes")
    return p.parse_args(argv)


@dataclass
class Row:
    method: str
    seconds: float
    quality: PlanQuality
    status: str


def timed_greedy(problem: BacklogProblem, runs: int) -> tuple[BacklogPlan, float]:
    times = []
    plan = None
    for _ in range(max(runs, 1)):
        start = time.perf_counter()
        plan = plan_greedy(problem)
        times.append(time.perf_counter() - start)
    assert plan is not None
    return plan, statistics.median(times)


def timed_optimal(problem: BacklogProblem, limit: float) -> tuple[OptimalResult, float]:
    start = time.perf_counter()
    result = plan_optimal(problem, time_limit_s=limit)
    return result, time.perf_counter() - start


def stage_line(name: str, report: StageReport) -> str:
    gap = "" if report.gap is None else f", gap {report.gap:.3%}"
    return f"{name}: {report.status} in {report.seconds:.1f} s{gap} — {report.detail}"


COLUMNS = (
    "method",
    "seconds",
    "orders complete",
    "weighted complete",
    "units allocated",
    "shipments",
    "ships/order",
    "cost €",
    "cost/order €",
    "status",
)


def table(rows: list[Row]) -> Table:
    t = Table(title="Backlog sourcing", show_lines=False)
    for name in COLUMNS:
        left = name in {"method", "status"}
        t.add_column(name, justify="left" if left else "right", no_wrap=name == "status")
    for r in rows:
        t.add_row(*cells(r))
    return t


def cells(r: Row) -> list[str]:
    q = r.quality
    per = max(q.orders_complete, 1)
    return [
        r.method,
        f"{r.seconds:.2f}",
        f"{q.orders_complete:,}",
        f"{q.weighted_complete:,}",
        f"{q.units_allocated:,}",
        f"{q.shipments:,}",
        f"{q.shipments / per:.3f}",
        f"{q.cost_minor / 100:,.2f}",
        f"{q.cost_minor / per / 100:.2f}",
        r.status,
    ]


def targets(rows: list[Row], same: list[Row]) -> list[str]:
    greedy, optimiser = rows[0], rows[1]
    out = [
        f"greedy under 2 s: {'met' if greedy.seconds < 2 else 'MISSED'} ({greedy.seconds:.2f} s)",
        f"optimiser under 60 s: {'met' if optimiser.seconds < 60 else 'MISSED'} "
        f"({optimiser.seconds:.1f} s)",
        "optimiser at least as good as greedy (weight, then shipments, then cost): "
        + ("met" if optimiser.quality.rank() >= greedy.quality.rank() else "MISSED"),
    ]
    if same:
        g, o = same
        ok = o.quality.orders_complete == g.quality.orders_complete and (
            o.quality.shipments,
            o.quality.cost_minor,
        ) <= (g.quality.shipments, g.quality.cost_minor)
        out.append(
            "on greedy's own orders, as many complete with no more shipments (then cost): "
            + ("met" if ok else "MISSED")
            + f" ({o.quality.shipments:,} against {g.quality.shipments:,} shipments, "
            f"{o.quality.cost_minor / 100:,.2f} against {g.quality.cost_minor / 100:,.2f} cost)"
        )
    return out


def markdown(heading: dict[str, str], rows: list[Row], notes: list[str]) -> str:
    out = ["# Backlog sourcing", ""]
    out += [f"- {k}: {v}" for k, v in heading.items()]
    out += [
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|---" * len(COLUMNS) + "|",
    ]
    out += ["| " + " | ".join(cells(r)) + " |" for r in rows]
    out += ["", *[f"- {n}" for n in notes]]
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> tuple[list[Row], list[Row], list[str]]:
    problem = generate(args.orders, args.locations, args.seed)
    console.log(
        f"{len(problem.orders):,} orders, {len(problem.supplies):,} stock rows, "
        f"{sum(s.free for s in problem.supplies):,} units free, "
        f"{sum(line.quantity for o in problem.orders for line in o.lines):,} units wanted"
    )
    greedy, greedy_s = timed_greedy(problem, args.greedy_runs)
    validate(problem, greedy)
    console.log(f"greedy: {greedy_s:.2f} s (median of {args.greedy_runs})")
    result, optimal_s = timed_optimal(problem, args.time_limit)
    validate(problem, result.plan)
    console.log(f"optimiser: {optimal_s:.1f} s, {result.status}")
    rows = [
        Row("greedy", greedy_s, evaluate(problem, greedy), "-"),
        Row("optimiser", optimal_s, result.quality, result.status),
    ]
    notes = [
        stage_line("optimiser selection", result.selection),
        stage_line("optimiser sourcing", result.sourcing),
    ]
    if result.status == "fallback_greedy":
        notes.append(f"optimiser fell back to greedy: {result.reason}")
    same: list[Row] = []
    if not args.no_same_orders:
        kept = tuple(o for o in problem.orders if o.order_id in greedy.complete_orders)
        sub = BacklogProblem(kept, problem.supplies, problem.cost_minor, problem.now)
        sub_greedy, sub_greedy_s = timed_greedy(sub, args.greedy_runs)
        sub_result, sub_s = timed_optimal(sub, args.time_limit)
        validate(sub, sub_result.plan)
        console.log(f"optimiser on greedy's orders: {sub_s:.1f} s, {sub_result.status}")
        same = [
            Row("greedy, same orders", sub_greedy_s, evaluate(sub, sub_greedy), "-"),
            Row("optimiser, greedy's orders", sub_s, sub_result.quality, sub_result.status),
        ]
        notes.append(stage_line("optimiser on greedy's orders, sourcing", sub_result.sourcing))
    return rows, same, notes + targets(rows, same)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    load_before = os.getloadavg()[0]
    rows, same, notes = run(args)
    heading = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine().line(),
        "load average (1 min) before / after": f"{load_before:.1f} / {os.getloadavg()[0]:.1f}",
        "code": code_version(),
        "problem": f"{args.orders:,} backordered orders, {args.locations} locations, "
        f"{SKUS} SKUs, seed {args.seed}; optimiser time limit {args.time_limit:g} s",
    }
    for key, value in heading.items():
        console.print(f"[bold]{key}[/bold]: {value}")
    console.print(table(rows + same))
    for note in notes:
        console.print(f"- {note}")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"sourcing-{started:%Y-%m-%d-%H%M}.md"
    path.write_text(markdown(heading, rows + same, notes))
    console.print(f"Written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
