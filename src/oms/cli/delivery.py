"""`oms locations local-delivery CODE`: where a location's own drivers deliver, and at what
price and speed; `oms delivery runs`: a location's delivery runs."""

from __future__ import annotations

from datetime import time
from decimal import Decimal, InvalidOperation

import typer
from rich.markup import escape
from rich.table import Table

from oms.cli import _uow, app, console

locations_app = typer.Typer(help="Locations.", no_args_is_help=True)
delivery_app = typer.Typer(help="Local delivery runs.", no_args_is_help=True)
app.add_typer(locations_app, name="locations")
app.add_typer(delivery_app, name="delivery")


def _money(text: str, name: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"{name}: a decimal amount such as 4.90") from None


def _cut_off(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("cut-off: a time HH:MM") from None


@locations_app.command("local-delivery")
def local_delivery(  # noqa: PLR0913 - a Typer command: its options are its parameters
    code: str = typer.Argument(..., help="The location's code."),
    prefixes: str | None = typer.Option(
        None,
        "--prefixes",
        help="Postal prefixes its drivers serve, space- or comma-separated ('' turns it off);"
        " left out: show the settings.",
    ),
    base: str = typer.Option("0", help="Price of a parcel, first kilogram included."),
    per_kg: str = typer.Option("0", "--per-kg", help="Price of each started kilogram above."),
    currency: str = typer.Option("EUR", help="ISO 4217 currency of the prices."),
    transit_days: int = typer.Option(0, "--transit-days", help="Business days (0: same day)."),
    cut_off: str = typer.Option("11:00", "--cut-off", help="Local time the vans are loaded."),
    max_attempts: int = typer.Option(
        3, "--max-attempts", help="Failed attempts before a parcel comes back to stock."
    ),
) -> None:
    """Show or set where a location delivers with its own drivers (admin)."""
    from oms.domain.access import SYSTEM
    from oms.domain.fulfilment.local_delivery import LocalDeliverySettings
    from oms.services import local_delivery as svc

    with _uow() as uow:
        if prefixes is None:
            found = svc.get_local_delivery(uow, SYSTEM, code)
        else:
            settings = LocalDeliverySettings(
                tuple(p for p in prefixes.replace(",", " ").split() if p),
                _money(base, "base"),
                _money(per_kg, "per-kg"),
                currency.upper(),
                transit_days,
                _cut_off(cut_off),
                max_attempts,
            )
            found = svc.set_local_delivery(uow, SYSTEM, code, settings)
    if found is None:
        console.print(f"{escape(code)} does not deliver locally")
        return
    served = " ".join(sorted(found.postal_prefixes)) or "nowhere (off)"
    console.print(
        f"[bold]{escape(code)}[/] delivers to postal codes starting {escape(served)}: "
        f"{found.base.amount} {found.base.currency} + {found.per_kg.amount} per started kg "
        f"above the first, {found.transit_days} transit day(s), cut-off "
        f"{found.cut_off:%H:%M}, {found.max_attempts} attempt(s)"
    )


@delivery_app.command("runs")
def runs(
    location: str = typer.Argument(..., help="The location's code."),
    status: str | None = typer.Option(None, help="planned, started or finished."),
) -> None:
    """A location's delivery runs, newest first."""
    from oms.domain.access import SYSTEM
    from oms.services import delivery_runs
    from oms.services.ports.delivery import RunFilter

    with _uow() as uow:
        found = delivery_runs.list_runs(uow, SYSTEM, RunFilter(location=location, status=status))
    table = Table("run", "day", "status", "driver", "stops", "delivered", "not", title="Runs")
    for r in found:
        outcomes = [s.outcome.value if s.outcome else None for s in r.stops]
        table.add_row(
            str(r.id),
            r.day.isoformat(),
            r.status.value,
            escape(r.driver or "-"),
            str(len(r.stops)),
            str(outcomes.count("delivered")),
            str(outcomes.count("failed")),
        )
    console.print(table)
