"""`oms import olist DIR` (order history), `oms import orders FILE` (a channel's CSV of orders)
and `oms report stage-times` (the stage table)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from oms.cli import _wired, app, console
from oms.domain.access import SYSTEM
from oms.domain.insight.stages import GroupBy, Hours

if TYPE_CHECKING:
    from oms.services.history_import import ImportReport
    from oms.services.reports import StageTimes

import_app = typer.Typer(
    help="Bring orders in: a CSV of order lines as live orders (orders), Olist files as history.",
    no_args_is_help=True,
)
report_app = typer.Typer(help="Reports on the order timeline.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(report_app, name="report")


@import_app.command("olist")
def import_olist(
    folder: Path = typer.Argument(..., help="Folder with the Olist CSV files (.csv or .csv.gz)."),
    batch: int = typer.Option(1000, min=1, help="Orders per transaction."),
) -> None:
    """Load Olist orders as history: orders, lines, shipments and timeline events at their
    original times (actor import:olist). No stock moves, nobody is notified; a second run
    adds nothing."""
    from oms.adapters.history.olist_files import MissingFile
    from oms.services.history_import import import_olist as run

    with _wired() as container:
        try:
            files = container.olist_files(folder)
        except (MissingFile, FileNotFoundError) as error:
            console.print(f"[red]{escape(str(error))}[/]")
            raise typer.Exit(2) from None
        columns = (
            TextColumn("olist orders"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("import", total=files.total)
            uow = container.uow()
            report = run(
                uow,
                container.history(uow),
                files,
                lambda n: progress.advance(task, n),
                batch=batch,
            )
    _print_import(report)


def _print_import(r: ImportReport) -> None:
    console.print(
        f"read {r.read} orders in {r.seconds:.1f} s ({r.rate:,.0f} orders/s): "
        f"{r.imported} imported, {r.already} already there, "
        f"{sum(r.skipped.values())} skipped; {r.products_created} products created (archived)"
    )
    table = Table("kind", "orders", "examples (Olist order ids)", box=None, padding=(0, 2))
    for kind, n in sorted(r.skipped.items()):
        table.add_row(f"skipped: {kind}", str(n), ", ".join(r.skipped_examples.get(kind, [])))
    for kind, n in sorted(r.odd.counts.items()):
        table.add_row(f"kept, odd: {kind}", str(n), ", ".join(r.odd.examples.get(kind, [])))
    if table.rows:
        console.print(table)


def _day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        console.print(f"[red]--{name}: a date, YYYY-MM-DD[/]")
        raise typer.Exit(2) from None


@report_app.command("stage-times")
def stage_times(  # noqa: PLR0913
    since: str = typer.Option(None, "--from", help="First day placed (YYYY-MM-DD)."),
    until: str = typer.Option(None, "--to", help="Last day placed (YYYY-MM-DD), inclusive."),
    channel: str = typer.Option(None, help="Only this channel."),
    location: str = typer.Option(None, help="Only orders shipped from this location (code)."),
    tz: str = typer.Option("UTC", help="Time zone the --from/--to days are read in."),
    hours: Hours = typer.Option(
        Hours.CALENDAR,
        help="Calendar or working hours (the location's working days less its country's"
        " public holidays).",
    ),
    by: GroupBy = typer.Option(None, help="Also per channel, location, carrier or week."),
    csv_file: Path = typer.Option(None, "--csv", help="Also write the table to this CSV file."),
) -> None:
    """How long delivered orders took in each stage: count, mean, p50, p90, p99 in hours;
    the bottleneck; the late-delivery and on-time ship rates, and the stage in which late
    orders lost the most hours beside on-time ones. `--by week` is the bottleneck's trend."""
    from oms.services.reports import StageQuery, stage_csv
    from oms.services.reports import stage_times as run

    q = StageQuery(_day(since, "from"), _day(until, "to"), channel, location, tz, hours, by)
    with _wired() as container:
        uow = container.uow()
        found = run(uow, container.timelines(uow), SYSTEM, q)
    _print_stages(found)
    if csv_file is not None:
        csv_file.write_text(stage_csv(found), encoding="utf-8")
        console.print(f"wrote {escape(str(csv_file))}")


def _print_stages(found: StageTimes) -> None:
    from oms.services.reports import stage_rows

    by = found.query.group_by
    table = Table(
        *(([by.value] if by else []) + ["stage", "count", "mean h", "p50 h", "p90 h", "p99 h"]),
        title=f"stage times ({found.query.hours.value} hours)",
    )
    for row in stage_rows(found):
        if row[0] and not by:
            continue
        cells = [
            ("" if v is None else f"{v:,.1f}" if isinstance(v, float) else str(v)) for v in row[:7]
        ]
        table.add_row(*(cells if by else cells[1:]))
    console.print(table)
    r = found.report
    console.print(f"delivered orders measured: {r.orders}")
    console.print(f"bottleneck: {r.bottleneck.value if r.bottleneck else 'none'}")
    console.print(f"late-delivery rate: {_pct(r.late_delivery_rate)} ({r.late} of {r.promised})")
    lost = [f"{x.stage.value} {x.extra:+,.1f} h" for x in r.late_split if x.extra is not None]
    if lost:
        most = r.late_bottleneck.value if r.late_bottleneck else "none"
        console.print(f"late orders lost most in: {most} (mean beside on time: {', '.join(lost)})")
    console.print(
        f"on-time ship rate: {_pct(r.on_time_ship_rate)} ({r.shipped_on_time} of {r.ship_by})"
    )
    if by is GroupBy.WEEK:
        _print_trend(found)


def _print_trend(found: StageTimes) -> None:
    """The bottleneck week by week (services.reports.trend)."""
    from oms.services.reports import trend

    table = Table(
        "week", "orders", "p50 h: confirm", "ship", "deliver", "bottleneck", "late",
        "late orders lost most in", title="the bottleneck week by week",
    )  # fmt: skip
    for w in trend(found):
        table.add_row(
            w.week, str(w.orders),
            *("" if v is None else f"{v:,.1f}" for v in w.medians.values()),
            w.bottleneck.value if w.bottleneck else "none", _pct(w.late_rate),
            w.late_bottleneck.value if w.late_bottleneck else "",
        )  # fmt: skip
    console.print(table)


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.2%}"


@report_app.command("wip")
def wip(
    since: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD)."),
    until: str = typer.Option(..., "--to", help="Last day (YYYY-MM-DD), inclusive."),
    channel: str = typer.Option(None, help="Only this channel."),
    location: str = typer.Option(None, help="Only orders shipped from this location (code)."),
    tz: str = typer.Option("UTC", help="Time zone the days are read in."),
    csv_file: Path = typer.Option(None, "--csv", help="Also write the days to this CSV file."),
) -> None:
    """Orders waiting in each stage at the end of each day and those leaving it; Little's
    law over the days (L, the average waiting, against λ·W)."""
    from oms.services.reports import FlowQuery, flow_csv, work_in_progress

    first, last = _day(since, "from"), _day(until, "to")
    assert first is not None and last is not None
    with _wired() as container:
        uow = container.uow()
        found = work_in_progress(
            uow, container.timelines(uow), SYSTEM, FlowQuery(first, last, channel, location, tz)
        )
    table = Table("stage", "L avg waiting", "left", "λ per day", "W mean h", "λ·W", "L/(λ·W)",
                  title=f"work in progress, {first} .. {last} ({tz})")  # fmt: skip
    for s in found.stages:
        table.add_row(
            s.stage.value,
            f"{s.average_wip:,.1f}",
            str(s.departures),
            f"{s.throughput_per_day:,.1f}",
            "" if s.mean_hours is None else f"{s.mean_hours:,.1f}",
            "" if s.littles_wip is None else f"{s.littles_wip:,.1f}",
            "" if s.ratio is None else f"{s.ratio:.3f}",
        )
    console.print(table)
    if csv_file is not None:
        csv_file.write_text(flow_csv(found), encoding="utf-8")
        console.print(f"wrote {escape(str(csv_file))} ({len(found.days)} days)")


@report_app.command("aging")
def aging(
    channel: str = typer.Option(None, help="Only this channel."),
    include_history: bool = typer.Option(False, help="Also imported history's open orders."),
    oldest: int = typer.Option(10, min=0, help="How many of the oldest to list."),
    csv_file: Path = typer.Option(None, "--csv", help="Also write the buckets to this CSV file."),
) -> None:
    """Open orders and backorders by age, the oldest first; the orders late now."""
    from oms.services.reports import aging_csv, open_orders_aging

    with _wired() as container:
        uow = container.uow()
        found = open_orders_aging(uow, container.open_orders(uow), SYSTEM, channel, include_history)
    table = Table("age", "open orders", "backorders", "late", title="open orders by age")
    for b in found.buckets:
        table.add_row(b.label, str(b.orders), str(b.backorders), str(b.late))
    console.print(table)
    console.print(
        f"{found.open_orders} open; late now: {found.late_to_ship} to ship, "
        f"{found.late_to_deliver} to deliver"
    )
    listed = Table("order", "channel", "placed", "age (days)", "waits in", "late", box=None)
    for a in found.oldest[:oldest]:
        late = f"{a.late.value}, {a.days_late} d" if a.late else ""
        listed.add_row(a.order.number, escape(a.order.channel), a.order.placed.date().isoformat(),
                       f"{a.age_hours / 24:,.1f}", a.waiting_in, late)  # fmt: skip
    if oldest and found.oldest:
        console.print(listed)
    if csv_file is not None:
        csv_file.write_text(aging_csv(found), encoding="utf-8")
        console.print(f"wrote {escape(str(csv_file))}")


@import_app.command("orders")
def import_orders(  # noqa: PLR0913
    file: Path = typer.Argument(..., help="A CSV file of order lines (.csv or .csv.gz)."),
    channel: str = typer.Option(..., help="The channel the orders came from."),
    mapping: str = typer.Option(
        "", "--map", help="Other headers for our columns: our=theirs,... (docs/channels.md)."
    ),
    defaults: str = typer.Option(
        "", "--set", help="Values for columns the file lacks or leaves empty: our=value,..."
    ),
    create_products: bool = typer.Option(
        False, help="Make unknown SKUs products (description, unit price) instead of errors."
    ),
    skip_prefix: str = typer.Option(
        None, help="Order references starting with this are not orders (UCI: C, cancellations)."
    ),
    tz: str = typer.Option("UTC", help="Time zone of placed_at values without an offset."),
    errors_csv: Path = typer.Option(None, "--errors", help="Write every row error to this CSV."),
) -> None:
    """Place the orders of a CSV file (one row per order line, the rows of one order
    together), idempotent by (channel, external id); an order with a bad row is skipped whole
    and its rows reported. The timeline's actor is channel:<name>."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from oms.adapters.channels import order_csv
    from oms.domain.channels.order_rows import MappingError

    try:
        asked = order_csv.ImportRequest(
            mapping, defaults, create_products, skip_prefix or None, ZoneInfo(tz)
        )
        order_csv.layout_of(file, asked)
    except (MappingError, OSError, ZoneInfoNotFoundError, ValueError) as error:
        console.print(f"[red]{escape(str(error))}[/]")
        raise typer.Exit(2) from None
    columns = (TextColumn("order lines"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with _wired() as container, Progress(*columns, console=console) as progress:
        task = progress.add_task("import", total=None)
        report = order_csv.import_file(
            container.uow(),
            SYSTEM,
            channel,
            file,
            asked,
            lambda n: progress.advance(task, n),
            lambda total: progress.update(task, total=total),
            fresh=container.uow,
        )
    console.print(
        f"read {report.lines:,} lines, {report.orders:,} orders in {report.seconds:.1f} s "
        f"({report.rate:,.0f} lines/s): {report.imported:,} imported, {report.already:,} "
        f"already there, {report.skipped:,} skipped with errors, {report.cancellations:,} "
        f"cancellations skipped; {report.products_created:,} products created"
    )
    if report.errors:
        table = Table("row", "column", "what is wrong", title="row errors")
        for e in report.errors[:20]:
            table.add_row(str(e.row), escape(e.column), escape(e.message))
        console.print(table)
        if report.error_count > 20:
            console.print(f"... {report.error_count - 20:,} more (--errors FILE writes them all)")
    if errors_csv is not None:
        from oms.services.order_import import errors_csv as write

        errors_csv.write_text(write(report), encoding="utf-8")
        console.print(f"wrote {escape(str(errors_csv))}")
