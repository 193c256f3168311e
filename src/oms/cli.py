"""The `oms` command line: serve, migrate, load demo data, verify stock, manage users,
return policies and webhooks, run the notification worker, retry dead deliveries."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from oms.config import get_settings

if TYPE_CHECKING:
    from oms.bootstrap import Container
    from oms.services.return_policies import ChannelPolicy
from oms.domain.access import Role
from oms.domain.errors import DomainError
from oms.domain.notifications.delivery import DeliveryStatus
from oms.domain.notifications.topics import WEBHOOK_TOPICS
from oms.domain.returns.reasons import ReturnReason
from oms.services.ports import UnitOfWork

app = typer.Typer(
    help="oms: order management from checkout to the door and back.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
stock_app = typer.Typer(help="Stock checks.", no_args_is_help=True)
orders_app = typer.Typer(help="Order housekeeping.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(stock_app, name="stock")
app.add_typer(orders_app, name="orders")
console = Console()


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
) -> None:
    """Serve the API (and /docs) with uvicorn."""
    import uvicorn

    uvicorn.run(
        "oms.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply Alembic migrations to OMS_DATABASE_URL."""
    from oms.adapters.db.migrate import upgrade

    url = get_settings().database_url
    upgrade(url, revision)
    console.print(f"database at [bold]{_safe(url)}[/] is at revision {revision}")


@app.command()
def demo(
    orders: int = typer.Option(300, min=0, help="How many orders to place."),
    seed: int = typer.Option(7, help="Random seed: the same seed gives the same data."),
) -> None:
    """Load a believable catalogue, stock and orders (once), and one user per role.

    The demo users' passwords are `<name>-demo`; every run gives each a fresh API token
    (revoking the one before). The admin's token is the last line of the output.
    """
    from oms.demo import load_demo
    from oms.services.users import create_demo_users

    container = _container()
    try:
        report = load_demo(container, orders=orders, seed=seed, console=console)
        console.print(report)
        users = create_demo_users(container.uow())
    finally:
        container.close()
    # Plain prints: a token must never be cut or wrapped to fit the terminal.
    print("\nDemo users (log in at http://127.0.0.1:8000/login) and their API tokens:")
    for name, role, password, token in users:
        print(f"  {name:<17} role {role:<17} password {password:<24} token {token}")
    admin_token = next(token for _, role, _, token in users if role == "admin")
    print("The admin's API token:")
    print(admin_token)


@stock_app.command("verify")
def stock_verify(
    repair: bool = typer.Option(False, "--repair", help="Fix rows and write corrections."),
) -> None:
    """Recompute every stock row from the ledger and open reservations; exit 1 on a difference."""
    from oms.domain.access import SYSTEM
    from oms.services.inventory import verify_stock

    container = _container()
    try:
        found = verify_stock(container.uow(), SYSTEM, repair=repair)
    finally:
        container.close()
    if not found:
        console.print("every stock row agrees with its ledger and open reservations")
        return
    table = Table(
        "location",
        "sku",
        "on hand",
        "ledger on hand",
        "reserved",
        "ledger reserved",
        "open reservations",
        title="Stock rows that disagree",
    )
    for d in found:
        table.add_row(
            d.location,
            d.sku,
            str(d.on_hand),
            str(d.ledger_on_hand),
            str(d.reserved),
            str(d.ledger_reserved),
            str(d.open_reservations),
        )
    console.print(table)
    if repair:
        console.print(f"repaired {len(found)} row(s); corrections are in the ledger")
        return
    sys.exit(1)


@orders_app.command("complete")
def orders_complete(
    days: int = typer.Option(
        30, min=0, help="Days after delivery when nothing more is expected (the return window)."
    ),
) -> None:
    """Complete delivered orders untouched for DAYS days: they leave the lists of work."""
    from datetime import timedelta

    from oms.domain.access import SYSTEM
    from oms.services.orders import complete_delivered

    with _wired() as container:
        cutoff = container.clock() - timedelta(days=days)
        numbers = complete_delivered(container.uow(), SYSTEM, cutoff)
    console.print(f"completed {len(numbers)} delivered order(s) untouched for {days} days")
    for number in numbers:
        console.print(f"  {number}")


@app.command()
def worker(
    once: bool = typer.Option(
        False, "--once", help="Deliver what is due now, then exit (for cron or tests)."
    ),
) -> None:
    """Send e-mails and webhooks from the outbox, until stopped.

    Each pass fans new events out to their recipients, sends what is due (retrying failures
    with back-off) and, once a minute, tells late shipments. Ctrl-C or SIGTERM stops it
    after the batch in hand. Run several at once on PostgreSQL to share the work (SKIP
    LOCKED); on SQLite run one."""
    import signal
    import time

    from oms.services import late_shipments, notifications

    stop = False
    late_every = 60.0  # seconds: late shipments are a daily matter, a query a minute is plenty
    late_checked = -late_every  # the first pass looks for them

    def halt(*_: object) -> None:
        nonlocal stop
        stop = True

    with _wired() as container:
        transport, settings = container.transport(), container.worker_settings()
        signal.signal(signal.SIGTERM, halt)
        signal.signal(signal.SIGINT, halt)
        if not once:
            console.print(f"Worker on {_safe(container.settings.database_url)}; Ctrl-C stops it.")
        while True:
            tell = time.monotonic() - late_checked >= late_every
            late_checked = time.monotonic() if tell else late_checked
            done = notifications.run_once(
                container.uow(),
                transport,
                settings,
                tell_late=late_shipments.tell_late_shipments if tell else None,
            )
            if done.busy:
                console.print(
                    f"fanned out {done.fanned_out}, delivered {done.delivered},"
                    f" told late {done.late}"
                )
            if once or stop:
                break
            if not done.busy:
                time.sleep(container.settings.worker_poll_seconds)
            if stop:
                break


@app.command()
def allocate(
    dry_run: bool = typer.Option(False, "--dry-run", help="Report both plans; change nothing."),
    time_limit: float = typer.Option(
        50.0, min=1.0, help="Seconds the exact optimiser may take before greedy is used."
    ),
    greedy_only: bool = typer.Option(False, "--greedy", help="Skip the optimiser."),
) -> None:
    """Re-plan every waiting order's unpicked demand to ship the most orders complete.

    Pools what waiting orders hold (not yet on a pick list) with free stock, plans it with
    the greedy rule and with the exact optimiser (SciPy HiGHS), prints both plans' quality
    and applies the better one: most orders complete (weighted by priority, then age),
    then fewest shipments, then lowest cost.
    """
    from decimal import Decimal

    from oms.domain.access import SYSTEM
    from oms.domain.money import minor_unit
    from oms.services.backlog import allocate_backlog

    with _wired() as container:
        solver = None if greedy_only else container.backlog_solver(time_limit)
        report = allocate_backlog(container.uow(), SYSTEM, solver, apply=not dry_run)
    table = Table(
        "plan", "orders complete", "weighted", "units", "shipments", f"cost ({report.currency})",
        title=f"Backlog: {report.orders} waiting orders, {report.units_wanted} units wanted",
    )  # fmt: skip
    for name, q in (("greedy", report.greedy), ("optimiser", report.optimal)):
        if q is None:
            continue
        table.add_row(
            name + (" (chosen)" if report.chosen == name else ""),
            str(q.orders_complete),
            str(q.weighted_complete),
            str(q.units_allocated),
            str(q.shipments),
            str(Decimal(q.cost_minor).scaleb(-minor_unit(report.currency))),
        )
    console.print(table)
    if report.solver_status is not None:
        console.print(f"optimiser: {report.solver_status} in {report.solver_seconds:.1f} s")
    if report.applied:
        console.print(f"applied the {report.chosen} plan: {report.orders_changed} orders changed")
    else:
        console.print("dry run: nothing changed")


def _container() -> Container:
    """The composition root for a command, refusing a database that is not migrated."""
    from oms.adapters.db.migrate import current_head, schema_revision
    from oms.bootstrap import bootstrap

    settings = get_settings()
    container = bootstrap(settings)
    at, head = schema_revision(container.engine), current_head()
    if at != head:
        container.close()
        state = "has no oms schema" if at is None else f"is at schema revision {at}, not {head}"
        console.print(
            f"[red]The database at {_safe(settings.database_url)} {state}.[/] "
            "Run [bold]oms db upgrade[/] first."
        )
        raise typer.Exit(2)
    return container


def _safe(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# -- users and API tokens ----------------------------------------------------------------------
# The command line runs with the database's own credentials, so it acts as `system`.

users_app = typer.Typer(help="Staff users and their roles.", no_args_is_help=True)
tokens_app = typer.Typer(
    help="API tokens (shown once, stored only as a hash).", no_args_is_help=True
)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")


@contextmanager
def _uow() -> Iterator[UnitOfWork]:
    """A unit of work on OMS_DATABASE_URL; a refused request ends the command with code 1."""
    with _wired() as container:
        yield container.uow()


@contextmanager
def _wired() -> Iterator[Container]:
    """The container on OMS_DATABASE_URL; a refused request ends the command with code 1."""
    container = _container()
    try:
        yield container
    except DomainError as error:
        console.print(f"[red]{escape(error.title)}:[/] {escape(error.detail)}")
        raise typer.Exit(1) from None
    finally:
        container.close()


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "-"


@users_app.command("create")
def users_create(
    name: str = typer.Argument(..., help="Login name."),
    role: Role = typer.Option(..., "--role", help="What the user may do."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read a password (for the web login) from stdin."
    ),
    carrier: str | None = typer.Option(None, "--carrier", help="Carrier code (carrier role)."),
    label: str = typer.Option("initial", "--label", help="Label of the first API token."),
    location: str | None = typer.Option(
        None,
        "--location",
        help="Code of an existing location the user works at (the warehouse station's).",
    ),
) -> None:
    """Create a user; prints their first API token as the last line (shown once)."""
    from oms.domain.access import SYSTEM
    from oms.domain.users import NewUser
    from oms.services.users import create_user

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with _uow() as uow:
        new = NewUser(name, role, carrier, location)
        created = create_user(uow, SYSTEM, new, password, label)
    console.print(
        f"created user [bold]{escape(name)}[/] with role {role.value}"
        + (f" for carrier {escape(carrier)}" if carrier else "")
        + (f" at location {escape(location)}" if location else "")
        + f"; API token id {created.token.info.id} (shown once, keep it now):"
    )
    typer.echo(created.token.token)


@users_app.command("list")
def users_list() -> None:
    """Every user, their role and whether they are active (no secrets)."""
    from oms.domain.access import SYSTEM
    from oms.services.users import list_users

    with _uow() as uow:
        found = list_users(uow, SYSTEM)
    table = Table(
        "name", "role", "carrier", "location", "password", "status", "created", title="Users"
    )
    for u in found:
        table.add_row(
            escape(u.name),
            u.role.value,
            escape(u.carrier or "-"),
            escape(u.location or "-"),
            "set" if u.has_password else "-",
            "disabled" if u.disabled else "active",
            _when(u.created_at),
        )
    console.print(table)


@users_app.command("disable")
def users_disable(name: str = typer.Argument(..., help="Login name.")) -> None:
    """Disable a user: their tokens and sessions stop working at once."""
    from oms.domain.access import SYSTEM
    from oms.services.users import disable_user

    with _uow() as uow:
        disable_user(uow, SYSTEM, name)
    console.print(f"user [bold]{escape(name)}[/] is disabled")


@tokens_app.command("create")
def tokens_create(
    name: str = typer.Argument(..., help="The user the token acts as."),
    label: str = typer.Option("", "--label", help="What the token is for."),
) -> None:
    """Issue an API token; prints it as the last line (shown once)."""
    from oms.domain.access import SYSTEM
    from oms.services.users import create_token

    with _uow() as uow:
        issued = create_token(uow, SYSTEM, name, label)
    console.print(f"API token id {issued.info.id} for {escape(name)} (shown once, keep it now):")
    typer.echo(issued.token)


@tokens_app.command("list")
def tokens_list(
    name: str | None = typer.Argument(None, help="Only this user's tokens."),
) -> None:
    """API tokens: id, user, label and when last used (never the token)."""
    from oms.domain.access import SYSTEM
    from oms.services.users import list_tokens

    with _uow() as uow:
        found = list_tokens(uow, SYSTEM, name)
    table = Table("id", "user", "label", "created", "last used", "revoked", title="API tokens")
    for t in found:
        table.add_row(
            str(t.id),
            escape(t.user),
            escape(t.label),
            _when(t.created_at),
            _when(t.last_used_at),
            _when(t.revoked_at),
        )
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(token_id: int = typer.Argument(..., help="Id of the token.")) -> None:
    """Revoke an API token; the next request that carries it is refused."""
    from oms.domain.access import SYSTEM
    from oms.services.users import revoke_token

    with _uow() as uow:
        info = revoke_token(uow, SYSTEM, token_id)
    console.print(f"API token {info.id} of {escape(info.user)} is revoked")


# -- return policies ---------------------------------------------------------------------------

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
        f"{p.window_days} days from delivery"
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
        "channel", "window", "non-returnable", "customer pays for", title="Return policies"
    )
    for found in stored if default.own else [default, *stored]:
        p = found.policy
        table.add_row(
            escape(found.channel) + ("" if found.own else " (built-in)"),
            f"{p.window_days} days",
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
) -> None:
    """Give a channel (or '*', the default) a policy of its own, replacing any it had."""
    from oms.domain.access import SYSTEM
    from oms.services import return_policies
    from oms.services.return_policies import SetPolicy

    if seller_pays_all and customer_pays:
        console.print("[red]--seller-pays-all and --customer-pays exclude each other.[/]")
        raise typer.Exit(2)
    cmd = SetPolicy(window_days, non_returnable)  # the customer pays for their choice
    if customer_pays or seller_pays_all:
        cmd = SetPolicy(window_days, non_returnable, [r.value for r in customer_pays])
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

webhooks_app = typer.Typer(
    help="Webhook subscriptions: URLs told about events, signed with a secret.",
    no_args_is_help=True,
)
outbox_app = typer.Typer(
    help="Deliveries of notifications (webhooks, e-mails): list them, retry dead ones.",
    no_args_is_help=True,
)
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(outbox_app, name="outbox")


@webhooks_app.command("add")
def webhooks_add(
    url: str = typer.Argument(..., help="Where to POST events (http:// or https://)."),
    event: list[str] = typer.Option(
        ...,
        "--event",
        help="An event type to send (repeat for more): " + ", ".join(sorted(WEBHOOK_TOPICS)),
    ),
    secret: str | None = typer.Option(
        None, "--secret", help="The signing secret; none: one is generated."
    ),
) -> None:
    """Subscribe a URL to event types; prints the signing secret as the last line.

    The secret is shown this once: the receiver checks Webhook-Signature with it. A URL
    on a loopback, link-local or private address is refused unless
    OMS_WEBHOOKS_ALLOW_PRIVATE=true (development only)."""
    from oms.domain.access import SYSTEM
    from oms.services.webhooks import create_webhook

    with _wired() as container:
        hook = create_webhook(
            container.uow(), SYSTEM, url, event, secret, container.webhook_guard()
        )
    console.print(
        f"webhook {hook.id} sends {escape(', '.join(hook.events))} to {escape(hook.url)};"
        " its signing secret (shown once, keep it now):"
    )
    typer.echo(hook.secret)


@webhooks_app.command("list")
def webhooks_list() -> None:
    """Live subscriptions: id, URL, event types, who made them and when (no secrets)."""
    from oms.domain.access import SYSTEM
    from oms.services.webhooks import list_webhooks

    with _uow() as uow:
        found = list_webhooks(uow, SYSTEM)
    table = Table("id", "url", "events", "created by", "created", title="Webhooks")
    for h in found:
        table.add_row(
            str(h.id), escape(h.url), " ".join(h.events), escape(h.created_by), _when(h.created_at)
        )
    console.print(table)


@webhooks_app.command("delete")
def webhooks_delete(webhook_id: int = typer.Argument(..., help="Id of the subscription.")) -> None:
    """Delete a subscription: nothing more is sent to its URL."""
    from oms.domain.access import SYSTEM
    from oms.services.webhooks import delete_webhook

    with _uow() as uow:
        delete_webhook(uow, SYSTEM, webhook_id)
    console.print(f"webhook {webhook_id} is deleted")


@outbox_app.command("list")
def outbox_list(
    status: DeliveryStatus | None = typer.Option(
        None, "--status", help="Only deliveries in this state (dead: gave up, to retry)."
    ),
    limit: int = typer.Option(50, "--limit", min=1, max=200, help="How many, newest first."),
) -> None:
    """Deliveries newest first: event, recipient, state, attempts and the last error."""
    from oms.domain.access import SYSTEM
    from oms.domain.notifications.signing import event_key
    from oms.services.notifications import list_deliveries

    with _uow() as uow:
        found = list_deliveries(uow, SYSTEM, status, None, limit)
    table = Table(
        "id", "event", "type", "to", "status", "attempts", "last error", title="Deliveries"
    )
    for d in found:
        table.add_row(
            str(d.id),
            event_key(d.event.id),
            d.event.topic,
            escape(d.recipient),
            d.status.value,
            str(d.attempts),
            escape(d.last_error or "-"),
        )
    console.print(table)


@outbox_app.command("retry")
def outbox_retry(delivery_id: int = typer.Argument(..., help="Id of a dead delivery.")) -> None:
    """Try a dead delivery again at the worker's next pass, with the same event id."""
    from oms.domain.access import SYSTEM
    from oms.services.notifications import retry_delivery

    with _uow() as uow:
        again = retry_delivery(uow, SYSTEM, delivery_id)
    console.print(
        f"delivery {again.id} to {escape(again.recipient)} is pending again; "
        "the worker (oms worker) sends it at its next pass"
    )
