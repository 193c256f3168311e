"""`oms returns policy show|set|delete`: the return policies of channels."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from oms.services.return_policies import ChannelPolicy
from oms.cli import _uow, app, console
from oms.domain.returns.policy import DEFAULT_COMPLETION_DAYS
from oms.domain.returns.reasons import ReturnReason

returns_app = typer.Typer(help="Returns (RMA).", no_args_is_help=True)
policy_app = typer.Typer(
    help="Return policies per channel; channel '*' (quote it in the shell) is the default "
    "of every channel without a policy of its own.",
    no_args_is_help=True,
)
app.add_typer(returns_app, name="returns")
returns_app.add_typer(policy_app, name="policy")
CHANNEL_HELP = "A sales channel as on its orders, e.g. web; '*' is the default."


def _show_policy(found: ChannelPolicy) -> None:
    p = found.policy
    console.print(
        f"[bold]{escape(found.channel)}[/]: {found.source.value} policy, "
        f"{p.window_days} days from delivery; orders complete {p.completion_days} days"
        " after their last delivery"
    )
    console.print(f"  non-returnable: {escape(' '.join(sorted(p.non_returnable)) or 'none')}")
    table = Table("reason", "pays the parcel back", title=None, box=None, padding=(0, 2))
    for reason in ReturnReason:
        table.add_row(reason.value, p.shipping_paid_by(reason).value)
    console.print(table)


@policy_app.command("show")
def policy_show(
    channel: str | None = typer.Argument(
        None, help="Show the policy that applies to this channel; none: list the stored ones."
    ),
) -> None:
    """The policy that applies to a channel and where it comes from, or every stored one."""
    from oms.domain.access import SYSTEM
    from oms.services import return_policies

    with _uow() as uow:
        if channel is not None:
            _show_policy(return_policies.get_policy(uow, SYSTEM, channel))
            return
        stored = return_policies.list_policies(uow, SYSTEM)
        default = return_policies.get_policy(uow, SYSTEM, "*")
    table = Table(
        "channel",
        "window",
        "completes after",
        "non-returnable",
        "customer pays for",
        title="Return policies",
    )
    for found in stored if default.own else [default, *stored]:
        p = found.policy
        table.add_row(
            escape(found.channel) + ("" if found.own else " (built-in)"),
            f"{p.window_days} days",
            f"{p.completion_days} days",
            escape(" ".join(sorted(p.non_returnable)) or "-"),
            ", ".join(r.value for r in ReturnReason if r in p.customer_pays) or "-",
        )
    console.print(table)


@policy_app.command("set")
def policy_set(
    channel: str = typer.Argument(..., help=CHANNEL_HELP),
    window_days: int = typer.Option(
        ..., "--window-days", help="Days from delivery the goods may be sent back (0: that day)."
    ),
    non_returnable: list[str] = typer.Option(
        [], "--non-returnable", help="A SKU that may not come back (repeat for more)."
    ),
    customer_pays: list[ReturnReason] = typer.Option(
        [],
        "--customer-pays",
        help="A reason for which the customer pays the parcel back (repeat for more); "
        "none given: the customer's choice (changed_mind, no_longer_needed, other).",
    ),
    seller_pays_all: bool = typer.Option(
        False, "--seller-pays-all", help="The seller pays the parcel back whatever the reason."
    ),
    completion_days: int = typer.Option(
        DEFAULT_COMPLETION_DAYS,
        "--completion-days",
        help="Days after the last delivery when an order with no open problem or return "
        "completes by itself (oms orders complete-due, and the worker).",
    ),
) -> None:
    """Give a channel (or '*', the default) a policy of its own, replacing any it had."""
    from oms.domain.access import SYSTEM
    from oms.services import return_policies
    from oms.services.return_policies import SetPolicy

    if seller_pays_all and customer_pays:
        console.print("[red]--seller-pays-all and --customer-pays exclude each other.[/]")
        raise typer.Exit(2)
    cmd = SetPolicy(window_days, non_returnable, completion_days=completion_days)
    if customer_pays or seller_pays_all:  # else the customer pays for their own choice
        cmd = SetPolicy(
            window_days, non_returnable, [r.value for r in customer_pays], completion_days
        )
    with _uow() as uow:
        found = return_policies.set_policy(uow, SYSTEM, channel, cmd)
    console.print("saved:")
    _show_policy(found)


@policy_app.command("delete")
def policy_delete(channel: str = typer.Argument(..., help=CHANNEL_HELP)) -> None:
    """Delete a channel's own policy: it falls back to the default ('*'), and the default
    to the built-in policy (30 days, the customer pays for their own choice)."""
    from oms.domain.access import SYSTEM
    from oms.services import return_policies

    with _uow() as uow:
        now = return_policies.delete_policy(uow, SYSTEM, channel)
    console.print(
        f"deleted the policy of {escape(channel)}; it now gets the {now.source.value} one"
    )


# -- webhooks and the outbox's deliveries -------------------------------------------------------
