"""`oms plan` (docs/planning.md): refresh the reorder levels, print the suggested purchase
orders per supplier and location, and make them drafts if asked. Acts as `system`."""

from __future__ import annotations

from decimal import Decimal

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from oms.cli import _wired, app, console


def _n(value: float) -> str:
    return f"{value:,.1f}"


@app.command("plan")
def plan_command(
    refresh: bool = typer.Option(
        True, "--refresh/--no-refresh", help="Recompute the reorder levels first (default)."
    ),
    create_drafts: bool = typer.Option(
        False, "--create-drafts", help="Make a draft purchase order of each suggestion."
    ),
    n_jobs: int = typer.Option(1, "--n-jobs", help="Forecast on this many processes; -1: all."),
) -> None:
    """Refresh the reorder levels (forecast, safety stock calibrated on past errors, lead
    times from receipts, per shipping location) and print what to order now, per supplier
    and location, in whole packs and above each supplier's minimum."""
    from oms.domain.access import SYSTEM
    from oms.domain.money import minor_unit
    from oms.services import purchase_suggestions, replenishment

    with _wired() as container:
        uow = container.uow()
        store = container.replenishment(uow)
        if refresh:
            settings = container.planning_settings()
            columns = (
                TextColumn("forecasts"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=console, transient=True) as progress:
                task = progress.add_task("refresh", total=settings.error_origins + 1)
                done = replenishment.refresh_levels(
                    uow,
                    container.demand_lines(uow),
                    store,
                    container.forecaster("local", n_jobs),
                    SYSTEM,
                    settings,
                    lambda d, t: progress.update(task, completed=d, total=t),
                )
            console.print(
                f"reorder levels: {done.products} products, {done.rows} product-locations,"
                f" safety stock from {done.origins} past origins, {done.seconds:.1f} s"
            )
        found = purchase_suggestions.suggestions(uow, store, SYSTEM)
        if found.computed_at is None:
            console.print("no reorder levels yet: run `oms plan` without --no-refresh")
            return
        if not found.orders:
            console.print("nothing to order now")
        for order in found.orders:
            cost = Decimal(order.cost_minor).scaleb(-minor_unit(order.currency))
            table = Table(
                "sku",
                "units",
                "pack",
                "available",
                "on order",
                "in drafts",
                "backordered",
                "reorder point",
                "order-up-to",
                title=f"{escape(order.supplier)} ({escape(order.supplier_name)}) to"
                f" {escape(order.location)}: {order.units} units, {cost} {order.currency}"
                f" (minimum {order.minimum_units})",
            )
            for x in order.lines:
                s = x.standing
                table.add_row(
                    escape(x.sku),
                    str(x.units),
                    str(x.pack_size),
                    str(s.position.available),
                    str(s.position.on_order),
                    str(s.position.drafted),
                    _n(s.backordered),
                    _n(s.level.reorder_point),
                    _n(s.level.order_up_to),
                )
            console.print(table)
        if create_drafts:
            made, _ = purchase_suggestions.create_drafts(
                uow, store, container.purchase_orders(uow), SYSTEM
            )
            ids = ", ".join(str(v.order.id) for v in made) or "none"
            console.print(f"draft purchase orders made: {ids}")
