"""The `oms` command line: serve, migrate, load demo data, verify stock."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from oms.config import get_settings

app = typer.Typer(
    help="oms: order management from checkout to the door and back.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
stock_app = typer.Typer(help="Stock checks.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(stock_app, name="stock")
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
    """Load a believable catalogue, stock and orders (skipped if products exist)."""
    from oms.bootstrap import bootstrap
    from oms.demo import load_demo

    container = bootstrap(get_settings())
    try:
        report = load_demo(container, orders=orders, seed=seed, console=console)
    finally:
        container.close()
    console.print(report)


@stock_app.command("verify")
def stock_verify(
    repair: bool = typer.Option(False, "--repair", help="Fix rows and write corrections."),
) -> None:
    """Recompute every stock row from the ledger and open reservations; exit 1 on a difference."""
    from oms.bootstrap import bootstrap
    from oms.domain.access import SYSTEM
    from oms.services.inventory import verify_stock

    container = bootstrap(get_settings())
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


def _safe(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
