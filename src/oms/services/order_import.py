"""`oms import orders FILE --channel NAME` and the back office's upload: orders from CSV rows
placed through the one placing use case (stock reserved, backorders as usual), idempotent by
(channel, external id), the timeline's actor `channel:<name>`.

An order with any bad row is skipped whole and its rows reported (row number, column, what
is wrong); the others are placed, each in its own transaction, as the rows arrive."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from decimal import Decimal

from oms.domain.access import Actor, Permission, Role
from oms.domain.catalogue.model import NewProduct
from oms.domain.channels.order_rows import (
    Layout,
    OrderFromRows,
    Row,
    RowError,
    RowOrder,
    group,
    read_order,
)
from oms.domain.errors import AlreadyExists, DomainError, InvalidInput
from oms.domain.orders.draft import OrderDraft
from oms.services import orders
from oms.services.channels import channel_of
from oms.services.ports import UnitOfWork

MAX_ERRORS = 1000  # errors kept for the report; all are counted


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """`create_products`: an unknown SKU becomes a product (name from the row's description,
    price from its unit price) instead of a row error. `skip_prefix`: orders whose reference
    starts with it are not orders (UCI's cancellations, "C"): counted, not placed.
    `scattered`: references whose rows are not together (found by a first pass): skipped
    whole and reported. `zone`: the time zone of placed-at values without an offset."""

    create_products: bool = False
    skip_prefix: str | None = None
    scattered: frozenset[str] = frozenset()
    zone: tzinfo = UTC


@dataclass
class ImportReport:
    lines: int = 0  # rows read
    orders: int = 0  # orders read (groups of rows)
    imported: int = 0
    already: int = 0  # placed by an earlier import: nothing done
    skipped: int = 0  # refused orders (their rows are in errors)
    cancellations: int = 0  # skipped by skip_prefix
    products_created: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Order lines read per second."""
        return self.lines / self.seconds if self.seconds else 0.0

    def refuse(self, found: list[RowError]) -> None:
        self.skipped += 1
        self.error_count += len(found)
        self.errors.extend(found[: max(MAX_ERRORS - len(self.errors), 0)])


def channel_actor(channel: str) -> Actor:
    """Who the timeline says placed an imported order: the channel itself."""
    return Actor(f"channel:{channel}", Role.SALES)


def import_orders(  # noqa: PLR0913
    uow: UnitOfWork,
    actor: Actor,
    channel: str,
    rows: Iterable[Row],
    layout: Layout,
    options: ImportOptions = ImportOptions(),
    progress: Callable[[int], None] = lambda n: None,
) -> ImportReport:
    """Place every good order of the rows; `progress(n)` after each order of n rows."""
    actor.require(Permission.ORDER_CREATE)
    if options.create_products:
        actor.require(Permission.CATALOGUE_WRITE)
    settings = uow.run(lambda: channel_of(uow, channel), write=False)
    placer = channel_actor(channel)
    report = ImportReport()
    known: set[str] = set()
    started = time.perf_counter()
    for found in group(rows, layout):
        report.lines += len(found.rows)
        report.orders += 1
        _one(uow, actor, placer, settings.currency, settings.tax_inclusive, found, layout,
             options, report, known)  # fmt: skip
        progress(len(found.rows))
    report.seconds = time.perf_counter() - started
    return report


def _one(  # noqa: PLR0913
    uow: UnitOfWork,
    actor: Actor,
    placer: Actor,
    currency: str | None,
    tax_inclusive: bool,
    found: RowOrder,
    layout: Layout,
    options: ImportOptions,
    report: ImportReport,
    known: set[str],
) -> None:
    ref = found.external_id
    if options.skip_prefix and ref.startswith(options.skip_prefix):
        report.cancellations += 1
        return
    if ref in options.scattered:
        first = found.rows[0].number
        report.refuse(
            [
                RowError(
                    first,
                    layout.header_of("external_id"),
                    f"the rows of order {ref!r} are not together in the file (one order's"
                    " rows must follow each other); the order was not imported",
                )
            ]
        )
        return
    read = read_order(found, layout, placer.name.removeprefix("channel:"), options.zone)
    if isinstance(read, list):
        report.refuse(read)
        return
    order_currency = read.currency or currency
    if options.create_products:
        report.products_created += _create_products(uow, actor, read, order_currency, known)
    draft = OrderDraft(
        channel=placer.name.removeprefix("channel:"),
        customer=read.customer,
        shipping_address=read.address,
        lines=read.lines,
        currency=order_currency,
        external_id=ref,
        priority=read.priority,
        shipping=read.shipping,
        discount=read.discount,
        prices_include_tax=tax_inclusive,
    )
    try:
        placed = orders.place_order(uow, placer, draft, placed_at=read.placed_at)
    except InvalidInput as refused:
        report.refuse([_row_error(e.field, e.message, read, found, layout) for e in refused.errors])
        return
    except DomainError as refused:
        report.refuse([RowError(found.rows[0].number, "", refused.detail)])
        return
    if placed.created:
        report.imported += 1
    else:
        report.already += 1


def _row_error(
    name: str, message: str, read: OrderFromRows, found: RowOrder, layout: Layout
) -> RowError:
    """An error of the placing use case as a row and a column of the file: `lines[i].x` is
    the row that made line i; order fields are the order's first row."""
    if name.startswith("lines[") and "]" in name:
        index = int(name[6 : name.index("]")])
        column = name.partition("].")[2] or "sku"
        row = read.line_rows[index] if index < len(read.line_rows) else found.rows[0].number
        return RowError(row, layout.header_of(column), message)
    ours = {
        "customer.email": "customer_email",
        "customer.name": "customer_name",
        "customer.phone": "customer_phone",
        "discount": "order_discount",
    }.get(name) or name.replace("shipping_address.", "ship_")
    return RowError(found.rows[0].number, layout.header_of(ours), message)


def _create_products(
    uow: UnitOfWork, actor: Actor, read: OrderFromRows, currency: str | None, known: set[str]
) -> int:
    """Make the order's unknown SKUs products (description, unit price); how many were made.
    A product that cannot be made (a bad SKU) is left for the placing to refuse."""
    wanted = [line.sku for line in read.lines if line.sku not in known]
    if not wanted:
        return 0
    found = uow.run(lambda: uow.products.by_skus(wanted), write=False)
    made = 0
    for line, description in zip(read.lines, read.descriptions, strict=True):
        if line.sku in known or line.sku in found:
            known.add(line.sku)
            continue
        new = NewProduct(
            line.sku, description or line.sku, line.unit_price or Decimal(0), currency or "EUR"
        )
        try:
            new.validate()
            _add_product(uow, new)
            made += 1
        except AlreadyExists:
            pass
        except InvalidInput:
            continue
        known.add(line.sku)
    return made


def _add_product(uow: UnitOfWork, new: NewProduct) -> None:
    uow.run(lambda: uow.products.add(new, uow.now()))


def errors_csv(report: ImportReport) -> str:
    """The report's row errors as CSV: row, column, message."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "message"])
    writer.writerows((e.row, e.column, e.message) for e in report.errors)
    return out.getvalue()
