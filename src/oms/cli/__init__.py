"""The `oms` command line: serve, migrate, load demo data, verify stock, re-plan the
backlog, manage users and tokens. Return policies are in returns.py; the notification
worker, webhooks and the outbox in notifications.py (registered on `app` at the end)."""

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
from oms.domain.access import Role
from oms.domain.errors import DomainError
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
    workers: int | None = typer.Option(
        None,
        min=1,
        help="Server processes (default: one per CPU core this process may use, at most 4).",
    ),
) -> None:
    """Serve the API (and /docs) with uvicorn."""
    import uvicorn

    from oms.cli.ops import default_workers, serve_environment

    workers = workers or default_workers()
    log_config = serve_environment(workers)
    uvicorn.run(
        "oms.api.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        log_config=log_config,
        access_log=False,
        http="oms.api.http_protocol:HttpProtocol",  # each answer in one write
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


@orders_app.command("complete-due")
def orders_complete_due() -> None:
    """Complete delivered orders whose channel's completion window has passed (see `oms
    returns policy`) and that have no open problem or return. `oms worker` does this once
    a minute; run this from cron where no worker runs."""
    from oms.domain.access import SYSTEM
    from oms.services.completion import complete_due

    with _wired() as container:
        numbers = complete_due(container.uow(), SYSTEM)
    console.print(f"completed {len(numbers)} delivered order(s)")
    for number in numbers:
        console.print(f"  {number}")


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


# The command groups kept in their own modules add themselves to `app` when imported.
from oms.cli import channels as _channels  # noqa: E402, F401
from oms.cli import delivery as _delivery  # noqa: E402, F401
from oms.cli import insight as _insight  # noqa: E402, F401
from oms.cli import insight_business as _insight_business  # noqa: E402, F401
from oms.cli import notifications as _notifications  # noqa: E402, F401
from oms.cli import ops as _ops  # noqa: E402, F401
from oms.cli import plan as _plan  # noqa: E402, F401
from oms.cli import planning as _planning  # noqa: E402, F401
from oms.cli import purchasing as _purchasing  # noqa: E402, F401
from oms.cli import returns as _returns  # noqa: E402, F401
from oms.cli import stock_reports as _stock_reports  # noqa: E402, F401
