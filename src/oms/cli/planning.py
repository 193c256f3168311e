"""`oms forecast backtest`: does the forecast deserve trust? A rolling-origin backtest on
the order history (docs/planning.md)."""

from __future__ import annotations

from datetime import date, timedelta

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from oms.cli import _wired, app, console
from oms.domain.access import SYSTEM
from oms.domain.planning.models import ENSEMBLE

forecast_app = typer.Typer(help="Demand forecasts and how good they are.", no_args_is_help=True)
app.add_typer(forecast_app, name="forecast")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


@forecast_app.command("backtest")
def backtest_command(  # noqa: PLR0913 - a Typer command: its options are its parameters
    since: str = typer.Option(None, "--from", help="First day of history (YYYY-MM-DD)."),
    until: str = typer.Option(None, "--to", help="Last day of history; default today."),
    lead_days: int = typer.Option(14, min=7, help="Calendar days each forecast covers."),
    origins: int = typer.Option(8, min=1, help="Weekly origins (Mondays), the latest last."),
    model: str = typer.Option(
        ENSEMBLE, help="ensemble, moving_mean, imapa, tsb, adida or autotheta."
    ),
    top: int = typer.Option(500, min=1, help="Also score the top N products by units."),
    n_jobs: int = typer.Option(1, "--n-jobs", help="Processes (local engine); -1: all."),
    engine: str = typer.Option("local", help="local, or dask (needs the oms\\[dask] extra)."),
    scheduler: str = typer.Option(None, help="Dask scheduler address, e.g. tcp://host:8786."),
) -> None:
    """Forecast from each origin with the history before it and compare with what
    customers asked for: per group, WAPE and bias of the lead-time totals and weekly MASE
    against the naive forecast and the 4-week mean (below 1: better than it)."""
    from oms.services.forecast_backtest import BacktestSpec, backtest
    from oms.services.planning import HistoryQuery, demand_history

    if engine not in ("local", "dask") or (engine == "dask" and not scheduler):
        console.print("[red]--engine is local, or dask with --scheduler ADDRESS[/]")
        raise typer.Exit(2)
    last = date.fromisoformat(until) if until else date.today()
    first = date.fromisoformat(since) if since else last - timedelta(days=365)
    with _wired() as container:
        uow = container.uow()
        series = demand_history(uow, container.demand_lines(uow), SYSTEM, HistoryQuery(first, last))
        forecaster = container.forecaster(engine, n_jobs, scheduler)
    by_units = sorted(series, key=lambda s: (-s.total(), s.key))[:top]
    spec = BacktestSpec(
        lead_days, origins, model, 0, {f"top {top}": frozenset(s.key for s in by_units)}
    )
    columns = (TextColumn("origins"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("backtest", total=origins)
        report = backtest(series, forecaster, spec, lambda n: progress.advance(task, n))
    table = Table(
        "group", "products", f"WAPE {lead_days} d", "bias", "MASE vs naive", "MASE vs 4-week",
        title=f"Backtest of {model}, {len(series)} products, {report.seconds:.1f} s",
    )  # fmt: skip
    for s in report.scores:
        table.add_row(
            s.name, str(s.products), _pct(s.wape), _pct(s.bias),
            _ratio(s.mase_naive), _ratio(s.mase_mean4),
        )  # fmt: skip
    console.print(table)
    console.print("origins: " + ", ".join(d.isoformat() for d in report.origins))
