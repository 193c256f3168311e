"""What `oms demo` prints once it has loaded: orders, backorders and stock at a glance."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table

from oms.demo.actions import Loader
from oms.demo.data import CHANNELS, LOCATIONS
from oms.demo.plan import Plan
from oms.domain.access import SYSTEM
from oms.domain.fulfilment.model import Shipment
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.inventory.model import StockRow
from oms.domain.orders.events import OrderEventType
from oms.domain.orders.model import Order
from oms.domain.orders.status import OrderStatus
from oms.domain.payments.model import PaymentStatus
from oms.services import catalogue, inventory, payments, tracking
from oms.services import orders as ordering
from oms.services.ports import UnitOfWork
from oms.services.ports.orders import OrderFilter
from oms.services.ports.shipments import ShipmentFilter


def all_orders(uow: UnitOfWork) -> list[Order]:
    """Every order, newest first, read page by page through the use case."""
    found: list[Order] = []
    while True:
        before = found[-1].id if found else None
        page = ordering.list_orders(uow, SYSTEM, OrderFilter(before_id=before, limit=200))
        found.extend(page)
        if len(page) < 200:
            return found


def _status_table(placed: Sequence[Order]) -> Table:
    statuses = [s for s in OrderStatus if any(o.status is s for o in placed)]
    table = Table("channel", *statuses, "orders", title="Orders by channel and status")
    for column in table.columns[1:]:
        column.justify = "right"
    for channel in [*CHANNELS, None]:
        mine = [o for o in placed if channel in (None, o.channel)]
        cells = [str(sum(1 for o in mine if o.status is s)) for s in statuses]
        if channel is None:
            table.add_section()
        style = "bold" if channel is None else None
        table.add_row(channel or "all", *cells, str(len(mine)), style=style)
    return table


def _stock_table(uow: UnitOfWork) -> Table:
    table = Table("location", "kind", "SKUs", "on hand", "reserved", "available",
                  title="Stock by location")  # fmt: skip
    for column in table.columns[2:]:
        column.justify = "right"
    rows: list[StockRow] = []
    while True:
        after = rows[-1].stock_id if rows else None
        page = inventory.list_stock(uow, SYSTEM, after_id=after, limit=200)
        rows.extend(page)
        if len(page) < 200:
            break
    for location in catalogue.list_locations(uow, SYSTEM):
        mine = [r for r in rows if r.location == location.code]
        figures = (len(mine), *(sum(getattr(r, f) for r in mine) for f in
                                ("on_hand", "reserved", "available")))  # fmt: skip
        kind = f"{location.kind.value.replace('_', ' ')} ({location.country})"
        table.add_row(location.code, kind, *map(str, figures))
    return table


def _backorder_lines(loader: Loader, placed: Sequence[Order]) -> str:
    waiting = [x for o in placed for x in o.lines if x.backordered_quantity]
    fills = sum(
        1
        for order_id in loader.placed_short
        for event in ordering.order_events(loader.uow, SYSTEM, order_id)
        if event.type == OrderEventType.BACKORDER_FILLED
    )
    return (
        f"Backorders: {_count(len(loader.placed_short), 'order')} placed short of stock; "
        f"{_count(loader.done['receipt'], 'receipt')} arrived\nand waiting lines were filled "
        f"{_count(fills, 'time')}; {_count(len(waiting), 'line')} "
        f"({_count(sum(x.backordered_quantity for x in waiting), 'unit')}) still wait."
    )


def _shipment_table(uow: UnitOfWork) -> Table:
    found: list[Shipment] = []
    while True:
        before = found[-1].id if found else None
        page = tracking.list_shipments(uow, SYSTEM, ShipmentFilter(before_id=before, limit=200))
        found.extend(page)
        if len(page) < 200:
            break
    today = uow.now().date()
    table = Table("location", *_STAGES, "late", "all", title="Shipments by location and stage")
    for column in table.columns[1:]:
        column.justify = "right"
    for code in [*(loc.code for loc in LOCATIONS), None]:
        mine = [x for x in found if code in (None, x.location)]
        if code is None:
            table.add_section()
        table.add_row(
            code or "all",
            *(str(sum(1 for x in mine if x.status in stage)) for stage in _STAGES.values()),
            str(sum(1 for x in mine if x.is_late(today))),
            str(len(mine)),
            style="bold" if code is None else None,
        )
    return table


S = ShipmentStatus
_STAGES = {
    "to pick": {S.OPEN},
    "picking": {S.PICKING},
    "picked/packed": {S.PICKED, S.PACKED},
    "on the way": {S.SHIPPED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY},
    "exception": {S.EXCEPTION},
    "lost": {S.LOST},
    "delivered": {S.DELIVERED},
    "cancelled": {S.CANCELLED},
    "sent again": {S.REPLACED},
}


def _money_lines(uow: UnitOfWork, placed: Sequence[Order], done: Counter[str]) -> str:
    statuses = Counter(o.payment_status for o in placed)
    made = [r for o in placed if o.refunded_total for r in payments.refunds_of_order(
        uow, SYSTEM, o.id)]  # fmt: skip
    return (
        f"Money: {_count(done['payment'], 'payment')} recorded; orders "
        + ", ".join(f"{statuses[s]} {s.value.replace('_', ' ')}" for s in PaymentStatus)
        + f";\n{_count(len(made), 'refund')} ({done['return:refunded']} of part of a return, "
        f"{done['return:refunded_in_full']} of a whole order with its shipping, the rest of "
        f"cancellations), {_count(done['return:exchanged'], 'exchange')}, "
        f"{done['return:closed']} return closed, {_count(done['line_cancelled'], 'line')} "
        "cancelled on a paid order."
    )


def _also(exchanges: int) -> str:
    return f" (and {_count(exchanges, 'exchange order')})" if exchanges else ""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def report(loader: Loader, plan: Plan, seconds: float) -> RenderableType:
    placed = all_orders(loader.uow)
    done = loader.done
    exchanges = sum(1 for o in placed if o.exchange_of is not None)
    first = min((o.created_at for o in placed), default=plan.end)
    last = max((o.created_at for o in placed), default=plan.end)
    return Group(
        f"[bold]Demo data loaded[/] in {seconds:.1f} s: {len(plan.shop.products)} products, "
        f"{len(LOCATIONS)} locations, {len(placed) - exchanges - done['van_order']} orders"
        f"{_also(exchanges)}\n"
        f"placed from {first:%a %d %b} to {last:%a %d %b %Y} (UTC).",
        _status_table(placed),
        f"Timeline: {done['confirm']} confirmations, {done['hold']} holds, "
        f"{done['release']} releases, {done['cancel']} cancellations.",
        _backorder_lines(loader, placed),
        f"Warehouse: {_count(done['pick_list'], 'pick list')}, "
        f"{_count(done['short_pick'], 'short pick')}, {done['packed']} packed, "
        f"{done['shipped']} shipped; carrier events: {done['event:in_transit']} in transit, "
        f"{done['event:delivered']} delivered, {done['event:exception']} exceptions, "
        f"{done['event:lost']} lost ({done['reship']} sent again).",
        f"Returns: {done['return:requested']} requested, {done['return:approved']} approved, "
        f"{done['return:rejected']} rejected, {done['return:received']} received, "
        f"{done['return:inspected'] + done['return:inspected_damaged']} inspected "
        f"({done['return:inspected_damaged']} with a unit written off).",
        _money_lines(loader.uow, placed, done),
        f"End: {done['completed:customer'] + done['completed:window']} orders completed "
        f"({done['completed:customer']} confirmed by the customer, "
        f"{done['completed:window']} after their channel's window); "
        f"{_count(done['problem'], 'problem')} reported by customers.",
        f"Local delivery from PAR (Paris): {_count(done['run'], 'run')} with "
        f"{done['van_order']} orders of its own, {done['stop:delivered']} stops delivered, "
        f"{done['stop:failed']} not, {done['returned']} parcel back on the shelf after its "
        "last attempt.",
        _shipment_table(loader.uow),
        _stock_table(loader.uow),
        "Next: [bold]oms stock verify[/], or [bold]oms serve[/] and open\n"
        "http://127.0.0.1:8000/docs" + _late_page(loader.uow),
    )


def _late_page(uow: UnitOfWork) -> str:
    """The tracking page of an order with a late parcel, to see what its customer sees."""
    late = tracking.list_shipments(uow, SYSTEM, ShipmentFilter(late_on=uow.now().date(), limit=1))
    if not late:
        return ""
    order = ordering.get_order(uow, SYSTEM, late[0].order_id)
    return (
        f"\nor, as the customer of {order.number} (a late parcel),\n"
        f"http://127.0.0.1:8000/track/{order.tracking_token}"
    )
