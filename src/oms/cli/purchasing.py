"""`oms purchase-orders list|show|send|receive|cancel|close` (docs/planning.md): the
command line acts as `system`, like every admin command."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from oms.cli import _wired, app, console
from oms.domain.planning.purchase_orders import PurchaseOrderStatus

if TYPE_CHECKING:
    from oms.services.purchasing import PurchaseOrderView

po_app = typer.Typer(
    help="Purchase orders to suppliers: list, show, send, receive, cancel, close.",
    no_args_is_help=True,
)
app.add_typer(po_app, name="purchase-orders")


def _show(view: PurchaseOrderView) -> None:
    o = view.order
    expected = o.expected_on.isoformat() if o.expected_on else "-"
    console.print(
        f"[bold]purchase order {o.id}[/] {o.status.value}: {escape(view.supplier)} to"
        f" {escape(view.location)}, expected {expected}"
    )
    table = Table(
        "line", "sku", "ordered", "received", "outstanding", f"unit cost (minor {o.currency})"
    )
    for x in o.lines:
        table.add_row(
            str(x.id), escape(x.sku), str(x.quantity), str(x.received_quantity),
            str(x.outstanding), str(x.unit_cost_minor),
        )  # fmt: skip
    console.print(table)


@po_app.command("list")
def list_command(
    status: PurchaseOrderStatus = typer.Option(None, help="Only those in this state."),
    supplier: str = typer.Option(None, help="Only this supplier's (its code)."),
    limit: int = typer.Option(50, min=1, max=1000, help="At most this many, newest first."),
) -> None:
    """Purchase orders, the newest first."""
    from oms.domain.access import SYSTEM
    from oms.services import purchasing
    from oms.services.ports.planning import PurchaseOrderQuery

    query = PurchaseOrderQuery(status.value if status else None, None, None, limit)
    with _wired() as container:
        uow = container.uow()
        found = purchasing.list_purchase_orders(
            uow, container.purchase_orders(uow), SYSTEM, query, supplier
        )
    table = Table("id", "status", "supplier", "location", "expected", "lines", "outstanding")
    for v in found:
        o = v.order
        table.add_row(
            str(o.id), o.status.value, escape(v.supplier), escape(v.location),
            o.expected_on.isoformat() if o.expected_on else "-", str(len(o.lines)),
            str(sum(x.outstanding for x in o.lines)),
        )  # fmt: skip
    console.print(table)


@po_app.command("show")
def show_command(purchase_order_id: int = typer.Argument(..., help="Its id.")) -> None:
    """One purchase order with its lines."""
    from oms.domain.access import SYSTEM
    from oms.services import purchasing

    with _wired() as container:
        uow = container.uow()
        _show(
            purchasing.get_purchase_order(
                uow, container.purchase_orders(uow), SYSTEM, purchase_order_id
            )
        )


@po_app.command("send")
def send_command(
    purchase_order_id: int = typer.Argument(..., help="Its id."),
    expected: str = typer.Option(None, help="Due date YYYY-MM-DD; default: today + lead time."),
) -> None:
    """Send a draft to its supplier: on order from now."""
    from oms.domain.access import SYSTEM
    from oms.services import purchasing

    due = date.fromisoformat(expected) if expected else None
    with _wired() as container:
        uow = container.uow()
        store = container.purchase_orders(uow)
        purchasing.send(uow, store, SYSTEM, purchase_order_id, due)
        _show(purchasing.get_purchase_order(uow, store, SYSTEM, purchase_order_id))


@po_app.command("receive")
def receive_command(
    purchase_order_id: int = typer.Argument(..., help="Its id."),
    lines: list[str] = typer.Argument(..., help="LINE_ID=UNITS, one per line that arrived."),
) -> None:
    """Units arrived at its location: ledger receipts, waiting orders filled."""
    from oms.domain.access import SYSTEM
    from oms.services import purchasing

    units: dict[int, int] = {}
    for item in lines:
        line, _, qty = item.partition("=")
        if not (line.isdigit() and qty.isdigit()):
            console.print(f"[red]{escape(item)}: write LINE_ID=UNITS, such as 12=6[/]")
            raise typer.Exit(2)
        units[int(line)] = units.get(int(line), 0) + int(qty)
    with _wired() as container:
        uow = container.uow()
        store = container.purchase_orders(uow)
        purchasing.receive(uow, store, SYSTEM, purchase_order_id, units)
        _show(purchasing.get_purchase_order(uow, store, SYSTEM, purchase_order_id))


@po_app.command("cancel")
def cancel_command(purchase_order_id: int = typer.Argument(..., help="Its id.")) -> None:
    """Nothing will come (refused once anything arrived)."""
    from oms.domain.access import SYSTEM
    from oms.services import purchasing

    with _wired() as container:
        uow = container.uow()
        store = container.purchase_orders(uow)
        purchasing.cancel(uow, store, SYSTEM, purchase_order_id)
        _show(purchasing.get_purchase_order(uow, store, SYSTEM, purchase_order_id))


@po_app.command("close")
def close_command(purchase_order_id: int = typer.Argument(..., help="Its id.")) -> None:
    """Settled with what arrived: the rest is no longer expected."""
    from oms.domain.access import SYSTEM
    from oms.services import purchasing

    with _wired() as container:
        uow = container.uow()
        store = container.purchase_orders(uow)
        purchasing.close(uow, store, SYSTEM, purchase_order_id)
        _show(purchasing.get_purchase_order(uow, store, SYSTEM, purchase_order_id))
