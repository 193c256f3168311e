"""Forecast bench: accuracy, speed and replenishment on real retail data (not a test).

On ../shared/data/uci-online-retail, loaded by default through oms's own path
(bench/forecast_import.py: the CSV order import into a fresh SQLite database, the demand
read back by the planning service); `--source file` reads the file with bench/forecast_data.py
instead (the same demand rule without the database; C invoices paired with the lines they
reverse), and `--compare` backtests both on the same products and origins:

1. The rolling-origin backtest of oms.services.forecast_backtest (the same code as
   `oms forecast backtest`): 8 weekly origins, 14-day lead time, the default ensemble, over
   the 1,500 products with the most units: the top 500 and each demand pattern scored.
2. Time per 1,000 products (from the backtest) and the forecast of 10,000 synthetic
   products (30% erratic, 70% lumpy, 240 open days, like the file's mix) on `--n-jobs`.
3. The replenishment simulation of bench/forecast_sim.py over the top 500 products: weekly
   decisions, 14-day lead time, target 95% for every class; the empirical safety stock
   against the normal formula at z = 1.645 and the normal formula scaled until it reaches
   the empirical policy's measured level (what it needs for the same service).

Prints tables with the machine, the date and the commit; writes them as Markdown under
bench/results/forecast.md. Run: `.venv/bin/python bench/forecast.py` (about ten minutes
on two cores, and two for the import), `--quick` for a smaller run, `--help` for the options.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from forecast_data import FILE, Retail, load
from forecast_import import load_via_import
from forecast_sim import Policy, SimResult, plan_origins, simulate
from intake_setup import code_version, machine
from oms.adapters.forecast.statsforecast import Engine, StatsForecaster
from oms.domain.planning.demand import DemandSeries
from oms.domain.planning.models import ALL_MODELS, INTERMITTENT_MODELS
from oms.domain.planning.replenishment import abc_classes
from oms.services.forecast_backtest import BacktestReport, BacktestSpec, backtest
from oms.services.ports.planning import ForecastJob

console = Console()
RESULTS = Path(__file__).parent / "results"


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.1f}%"


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def backtest_table(report: BacktestReport, seconds_per_k: float, cpu_per_k: float) -> Table:
    table = Table(
        "group", "products", "WAPE 14 d", "bias", "MASE vs naive", "MASE vs 4-week",
        title=f"Backtest, origins {', '.join(d.isoformat() for d in report.origins)}; "
        f"{seconds_per_k:.1f} s ({cpu_per_k:.1f} CPU s) per 1,000 products per origin",
    )  # fmt: skip
    for s in report.scores:
        table.add_row(s.name, str(s.products), _pct(s.wape), _pct(s.bias),
                      _num(s.mase_naive), _num(s.mase_mean4))  # fmt: skip
    return table


def synthetic(n: int, days: int, seed: int = 1) -> list[DemandSeries]:
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    dates = tuple(start + timedelta(days=i) for i in range(days))
    out = []
    for i in range(n):
        if rng.random() < 0.3:
            level = rng.uniform(2, 30)
            units = tuple(float(max(0, round(rng.gauss(level, level)))) for _ in dates)
        else:
            p, size = rng.uniform(0.02, 0.4), rng.uniform(1, 40)
            units = tuple(
                float(round(rng.expovariate(1 / size)) + 1) if rng.random() < p else 0.0
                for _ in dates
            )
        out.append(DemandSeries(f"S{i:05d}", dates, units))
    return out


def time_synthetic(n: int, n_jobs: int, raw: bool = False) -> tuple[float, float, float]:
    """Seconds (wall and CPU) to forecast n synthetic products 14 open days ahead; and the
    share of them given the five-model ensemble (the erratic ones; the others get four)."""
    from oms.domain.planning.intermittency import classify

    series = synthetic(n, 240)
    chosen = {
        s.key: INTERMITTENT_MODELS if classify(s.units[-130:]).pattern.intermittent else ALL_MODELS
        for s in series
    }
    job = ForecastJob(series, 14, chosen)
    cpu = _cpu()
    started = time.perf_counter()
    StatsForecaster(Engine("local", n_jobs), cap_bulk=not raw).forecast(job)
    full = sum(1 for v in chosen.values() if v == ALL_MODELS) / n
    return time.perf_counter() - started, _cpu() - cpu, full


def _cpu() -> float:
    """CPU seconds of this process and its finished children (statsforecast's workers):
    what the work costs whatever else the machine runs."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def sim_table(results: list[SimResult]) -> Table:
    table = Table(
        "safety stock", "service level (weeks)", "fill rate", "average stock (units)",
        "days of cover", title="Replenishment: weekly review, 14-day lead time, target 95%",
    )  # fmt: skip
    for r in results:
        table.add_row(r.name, _pct(r.service_level), _pct(r.fill_rate),
                      f"{r.average_stock:,.0f}", f"{r.days_of_cover:.1f}")  # fmt: skip
    return table


def run_simulation(series, revenue, n_jobs, quick, raw=False):  # type: ignore[no-untyped-def]
    top = sorted(series, key=lambda s: (-s.total(), s.key))[: 200 if quick else 500]
    last = max(s.days[-1] for s in top)
    first_decision = date(2011, 6, 13)
    decisions = []
    d = first_decision
    while d + timedelta(days=7 + 14) <= last + timedelta(days=1):
        decisions.append(d)
        d += timedelta(days=7)
    origins = [first_decision - timedelta(days=7 * k) for k in range(14 if quick else 20, 0, -1)]
    origins += decisions
    forecaster = StatsForecaster(Engine("local", n_jobs), cap_bulk=not raw)
    started = time.perf_counter()
    plans = plan_origins(top, forecaster, origins, 21, lambda o: console.print(f"  plan {o}"))
    console.print(f"plans for {len(origins)} origins in {time.perf_counter() - started:.0f} s")
    classes = abc_classes({s.key: revenue.get(s.key, 0.0) for s in top})
    results = [
        simulate(top, plans, decisions, classes, Policy("empirical quantile", 0.95, True)),
        simulate(top, plans, decisions, classes, Policy("normal, z = 1.645", 0.95, False)),
    ]
    target = results[0].service_level
    lo, hi = 1.0, 6.0
    for _ in range(8):  # the normal formula's multiplier that reaches the same level
        mid = (lo + hi) / 2
        r = simulate(top, plans, decisions, classes, Policy("", 0.95, False, mid))
        lo, hi = (mid, hi) if r.service_level < target else (lo, mid)
    same = simulate(top, plans, decisions, classes, Policy("", 0.95, False, hi))
    results.append(
        SimResult(
            f"normal x {hi:.2f} (same level)",
            same.service_level, same.fill_rate, same.average_stock, same.days_of_cover,
        )
    )  # fmt: skip
    return results, decisions


def _load(source: str, keep: Path | None) -> tuple[Retail, str]:
    """The series, and what the load says (the import's report, its row errors written to
    bench/results/forecast-import-errors.csv)."""
    started = time.perf_counter()
    if source == "file":
        retail = load()
        how = f"{retail.mistakes} lines cancelled within a day (C invoices paired)"
    else:
        retail, report = load_via_import(FILE, keep, console.print)
        how = "C invoices skipped"
        if report is not None:
            RESULTS.mkdir(exist_ok=True)
            (RESULTS / "forecast-import-errors.csv").write_text(report.errors_csv)
            how += f"; {report.summary()}"
    said = (
        f"{source}: {retail.lines:,} order lines, {len(retail.series):,} products, "
        f"{len(retail.series[0].units)} open days, {how}; loaded in "
        f"{time.perf_counter() - started:.1f} s"
    )
    console.print(said)
    return retail, said


def compare(args: argparse.Namespace) -> None:
    """Both loads, backtested on the same products (the file loader's top by units) and
    origins; a product the import lacks is left out of both."""
    (file, _), (imported, _) = _load("file", None), _load("import", args.database)
    by_key = {s.key: s for s in imported.series}
    ranked = sorted(file.series, key=lambda s: (-s.total(), s.key))
    ranked = [s for s in ranked if s.key in by_key][: 600 if args.quick else args.products]
    top500 = frozenset(s.key for s in ranked[:500])
    spec = BacktestSpec(14, 8, groups={"top 500": top500})
    forecaster = StatsForecaster(Engine("local", args.n_jobs), cap_bulk=not args.raw)
    for name, series in (("file", ranked), ("import", [by_key[s.key] for s in ranked])):
        cpu = _cpu()
        report = backtest(series, forecaster, spec)
        per_k = report.seconds / len(report.origins) / len(series) * 1000
        cpu_k = (_cpu() - cpu) / len(report.origins) / len(series) * 1000
        table = backtest_table(report, per_k, cpu_k)
        table.title = f"{name}: {table.title}"
        console.print(table)
        units = sum(s.total() for s in series if s.key in top500)
        console.print(f"{name}: top 500 hold {units:,.0f} units over {len(series[0].units)} days")
    console.print(f"load average {os.getloadavg()[0]:.1f}; commit {code_version()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--products", type=int, default=1500, help="products backtested")
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="fewer products and origins")
    parser.add_argument(
        "--source", choices=["import", "file"], default="import",
        help="import: oms's CSV import into SQLite, read by the planning service; "
        "file: bench/forecast_data.py reads the file",
    )  # fmt: skip
    parser.add_argument(
        "--database", type=Path, default=None,
        help="SQLite file for the import, kept (reused without importing when it exists); "
        "default: a temporary one",
    )  # fmt: skip
    parser.add_argument(
        "--raw", action="store_true",
        help="the forecaster as it was before bulk orders were capped (docs/planning.md)",
    )  # fmt: skip
    parser.add_argument(
        "--compare", action="store_true",
        help="only the backtest, of both sources on the same products and origins",
    )  # fmt: skip
    args = parser.parse_args()
    if not FILE.exists():
        console.print(f"[red]{FILE} is missing[/]")
        sys.exit(2)
    if args.compare:
        compare(args)
        return
    started = time.perf_counter()
    retail, loaded = _load(args.source, args.database)
    products = 600 if args.quick else args.products
    ranked = sorted(retail.series, key=lambda s: (-s.total(), s.key))[:products]
    top500 = frozenset(s.key for s in ranked[:500])
    spec = BacktestSpec(14, 8, groups={"top 500": top500})
    forecaster = StatsForecaster(Engine("local", args.n_jobs), cap_bulk=not args.raw)
    cpu = _cpu()
    report = backtest(ranked, forecaster, spec, lambda n: console.print("  origin done"))
    per_k = report.seconds / len(report.origins) / len(ranked) * 1000
    cpu_k = (_cpu() - cpu) / len(report.origins) / len(ranked) * 1000
    tables = [backtest_table(report, per_k, cpu_k)]
    console.print(tables[0])
    n = 2000 if args.quick else args.synthetic
    load_before = os.getloadavg()[0]
    seconds, cpu, full = time_synthetic(n, args.n_jobs, args.raw)
    speed = Table("products", "n_jobs", "five-model share", "wall s", "CPU s",
                  "wall per 1,000", "CPU per 1,000", "load average",
                  title="Forecast of synthetic products, 240 open days, 14 days ahead")  # fmt: skip
    speed.add_row(f"{n:,}", str(args.n_jobs), _pct(full), f"{seconds:.1f}", f"{cpu:.1f}",
                  f"{seconds / n * 1000:.2f}", f"{cpu / n * 1000:.2f}",
                  f"{load_before:.1f}")  # fmt: skip
    tables.append(speed)
    console.print(speed)
    results, decisions = run_simulation(
        retail.series, retail.revenue, args.n_jobs, args.quick, args.raw
    )
    sim = sim_table(results)
    sim.caption = f"{len(decisions)} weekly decisions from {decisions[0]} to {decisions[-1]}"
    tables.append(sim)
    console.print(sim)
    heading = (
        f"Source: {args.source}{'; raw (bulk orders not capped)' if args.raw else ''}; "
        f"machine: {machine()}; commit {code_version()}; "
        f"{date.today().isoformat()}; "
        f"total {time.perf_counter() - started:.0f} s\n\n{loaded}"
    )
    console.print(heading)
    RESULTS.mkdir(exist_ok=True)
    record = Console(record=True, width=140, file=open("/dev/null", "w"))  # noqa: SIM115
    for t in tables:
        record.print(t)
    (RESULTS / "forecast.md").write_text(heading + "\n\n```\n" + record.export_text() + "```\n")


if __name__ == "__main__":
    main()
