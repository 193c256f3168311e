"""`oms channels create|list|show|set|rotate-secret`: channels as records (admin's work, so
the command line acts as `system`). A secret is printed once, when made."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from oms.cli import _uow, app, console
from oms.domain.channels.model import DEFAULT_HOLD_MINUTES, Channel, ChannelKind

if TYPE_CHECKING:
    from oms.services.channels import ChannelView

channels_app = typer.Typer(
    help="Sales channels as records: kind, currency, tax, stock buffer, holds, webhook secret.",
    no_args_is_help=True,
)
app.add_typer(channels_app, name="channels")


def _show(view: ChannelView) -> None:
    c = view.channel
    state = "" if view.stored else " (no record: the defaults)"
    console.print(f"[bold]{escape(c.name)}[/]{state}")
    table = Table(box=None, show_header=False, padding=(0, 2))
    table.add_row("kind", c.kind.value)
    table.add_row("currency", c.currency or "the shop's")
    table.add_row("prices include tax", "yes" if c.tax_inclusive else "no")
    table.add_row("buffer", f"{c.buffer_units} units or {c.buffer_percent} %, the larger")
    table.add_row("checkout holds", f"{c.hold_minutes} minutes")
    table.add_row("webhook secret", "set" if view.has_secret else "none")
    p = view.policy
    table.add_row("return policy", f"{p.source.value}: {p.policy.window_days} days")
    console.print(table)


@channels_app.command("create")
def create(  # noqa: PLR0913
    name: str = typer.Argument(..., help="The channel's name, as on its orders (a slug)."),
    kind: ChannelKind = typer.Option(ChannelKind.WEB, help="What sort of channel."),
    currency: str = typer.Option(None, help="ISO 4217; none: the shop's."),
    tax_inclusive: bool = typer.Option(False, help="Its prices include tax."),
    buffer_units: int = typer.Option(0, help="Units of each product kept back from it."),
    buffer_percent: int = typer.Option(0, help="Percent of each product kept back from it."),
    hold_minutes: int = typer.Option(DEFAULT_HOLD_MINUTES, help="How long its holds last."),
) -> None:
    """Create a channel record; prints its webhook secret, this once."""
    from oms.domain.access import SYSTEM
    from oms.services import channels

    channel = Channel(
        name, kind, currency, tax_inclusive, buffer_units, buffer_percent, hold_minutes
    )
    with _uow() as uow:
        made = channels.create_channel(uow, SYSTEM, channel)
    _show(made.view)
    console.print("webhook secret (shown once; paste it into the platform):")
    print(made.secret)


@channels_app.command("list")
def list_() -> None:
    """Every channel with a record."""
    from oms.domain.access import SYSTEM
    from oms.services import channels

    with _uow() as uow:
        found = channels.list_channels(uow, SYSTEM)
    table = Table("name", "kind", "currency", "tax incl.", "buffer", "holds", "secret")
    for v in found:
        c = v.channel
        table.add_row(
            escape(c.name),
            c.kind.value,
            c.currency or "-",
            "yes" if c.tax_inclusive else "no",
            f"{c.buffer_units} / {c.buffer_percent} %",
            f"{c.hold_minutes} min",
            "set" if v.has_secret else "none",
        )
    console.print(table)


@channels_app.command("show")
def show(name: str = typer.Argument(..., help="A channel name.")) -> None:
    """A channel's settings (the defaults for a name without a record)."""
    from oms.domain.access import SYSTEM
    from oms.services import channels

    with _uow() as uow:
        _show(channels.get_channel(uow, SYSTEM, name))


@channels_app.command("set")
def set_(  # noqa: PLR0913
    name: str = typer.Argument(..., help="A channel with a record."),
    kind: ChannelKind = typer.Option(None, help="What sort of channel."),
    currency: str = typer.Option(None, help="ISO 4217; 'shop': the shop's."),
    tax_inclusive: bool = typer.Option(None, help="Its prices include tax."),
    buffer_units: int = typer.Option(None, help="Units of each product kept back."),
    buffer_percent: int = typer.Option(None, help="Percent of each product kept back."),
    hold_minutes: int = typer.Option(None, help="How long its holds last."),
) -> None:
    """Change the settings given; the others stay."""
    from oms.domain.access import SYSTEM
    from oms.services import channels

    changes: dict[str, Any] = {
        k: v
        for k, v in {
            "kind": kind,
            "tax_inclusive": tax_inclusive,
            "buffer_units": buffer_units,
            "buffer_percent": buffer_percent,
            "hold_minutes": hold_minutes,
        }.items()
        if v is not None
    }
    if currency is not None:
        changes["currency"] = None if currency == "shop" else currency
    with _uow() as uow:
        _show(channels.update_channel(uow, SYSTEM, name, changes))


@channels_app.command("rotate-secret")
def rotate_secret(
    name: str = typer.Argument(..., help="A channel with a record."),
    secret: str = typer.Option(
        None, help="Use this secret (a platform's own signing key, such as Shopify's)."
    ),
) -> None:
    """A new webhook secret, printed this once; the old one stops verifying at once."""
    from oms.domain.access import SYSTEM
    from oms.services import channels

    with _uow() as uow:
        made = channels.rotate_secret(uow, SYSTEM, name, secret)
    console.print(f"new webhook secret of {escape(name)} (shown once):")
    print(made.secret)
