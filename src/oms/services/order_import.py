"""`oms import orders FILE --channel NAME` and the back office's upload: orders from CSV rows
placed through the one placing use case (stock reserved, backorders as usual), idempotent by
(channel, external id), the timeline's actor `channel:<name>`.

An order with any bad row is skipped whole and its rows reported (row number, column, what
is wrong); the others are placed as the rows arrive, 50 orders per transaction."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from decimal import Decimal

from oms.domain.access import Actor, Permission, Role
from oms.domain.catalogue.model import NewProduct
from oms.domain.channels.model import Channel
from oms.domain.channels.order_rows import (
    Layout,
    OrderFromRows,
    Row,
    RowError,
    RowOrder,
    group,
    read_order,
)
from oms.domain.errors import AlreadyExists, ConcurrentUpdate, DomainError, InvalidInput
from oms.domain.orders.draft import MAX_IMPORT_LINES, OrderDraft
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


BATCH = 50  # orders per transaction


@dataclass(frozen=True, slots=True)
class _Ready:
    """An order read without error, waiting for its batch."""

    found: RowOrder
    read: OrderFromRows
    draft: OrderDraft


def import_orders(  # noqa: PLR0913
    uow: UnitOfWork,
    actor: Actor,
    channel: str,
    rows: Iterable[Row],
    layout: Layout,
    options: ImportOptions = ImportOptions(),
    progress: Callable[[int], None] = lambda n: None,
    batch: int = BATCH,
    fresh: Callable[[], UnitOfWork] | None = None,
) -> ImportReport:
    """Place every good order of the rows, `batch` orders per transaction (each one in a
    savepoint of its own: all or nothing); `progress(n)` after each batch of n rows.
    `fresh`: a new unit of work for each batch (a unit of work remembers the orders it
    placed, so one for a whole large file would grow with it)."""
    actor.require(Permission.ORDER_CREATE)
    if options.create_products:
        actor.require(Permission.CATALOGUE_WRITE)
    settings = uow.run(lambda: channel_of(uow, channel), write=False)
    placer = channel_actor(channel)
    report = ImportReport()
    known: set[str] = set()
    waiting: list[_Ready] = []
    rows_read = 0
    started = time.perf_counter()
    for found in group(rows, layout):
        report.lines += len(found.rows)
        report.orders += 1
        rows_read += len(found.rows)
        ready = _prepare(uow, actor, settings, found, layout, options, report, known)
        if ready is not None:
            waiting.append(ready)
        if len(waiting) >= batch:
            _place(fresh() if fresh else uow, placer, waiting, layout, report)
            waiting = []
            progress(rows_read)
            rows_read = 0
    _place(fresh() if fresh else uow, placer, waiting, layout, report)
    progress(rows_read)
    report.errors.sort(key=lambda e: e.row)
    report.seconds = time.perf_counter() - started
    return report


def _prepare(  # noqa: PLR0913
    uow: UnitOfWork,
    actor: Actor,
    settings: Channel,
    found: RowOrder,
    layout: Layout,
    options: ImportOptions,
    report: ImportReport,
    known: set[str],
) -> _Ready | None:
    """The order read and ready to place, or None (skipped, refused: in the report)."""
    ref = found.external_id
    if options.skip_prefix and ref.startswith(options.skip_prefix):
        report.cancellations += 1
        return None
    if ref in options.scattered:
        report.refuse(
            [
                RowError(
                    found.rows[0].number,
                    layout.header_of("external_id"),
                    f"the rows of order {ref!r} are not together in the file (one order's"
                    " rows must follow each other); the order was not imported",
                )
            ]
        )
        return None
    read = read_order(found, layout, settings.name, options.zone)
    if isinstance(read, list):
        report.refuse(read)
        return None
    currency = read.currency or settings.currency
    if options.create_products:
        report.products_created += _create_products(uow, actor, read, currency, known)
    draft = OrderDraft(
        channel=settings.name,
        customer=read.customer,
        shipping_address=read.address,
        lines=read.lines,
        currency=currency,
        external_id=ref,
        priority=read.priority,
        shipping=read.shipping,
        discount=read.discount,
        prices_include_tax=settings.tax_inclusive,
        max_lines=MAX_IMPORT_LINES,
    )
    return _Ready(found, read, draft)


Outcome = tuple[_Ready, str, list[RowError]]


class _Refused(Exception):
    """An order of the batch was refused on the path without savepoints: the batch's
    transaction is rolled back whole and placed again, each order in a savepoint."""


def _place(
    uow: UnitOfWork, placer: Actor, waiting: list[_Ready], layout: Layout, report: ImportReport
) -> None:
    """One transaction for the batch. The orders already placed and the batch's products
    are read once for the batch; the orders are then placed one after another without a
    savepoint each, since most files have no order that is refused, their new rows written
    at the end of the batch, one statement per table (UnitOfWork.deferred_inserts). Should
    one be refused (a domain error, found before it writes anything), the transaction is
    rolled back and the batch placed again with a savepoint per order, so that the refused
    one is undone alone. The report is written after the commit (a retried transaction counts once).
    Should the batch fail whole (two imports of the same file racing), its orders are
    placed again one by one."""
    if not waiting:
        return

    def fast() -> list[Outcome]:
        with uow.deferred_inserts():
            return _batch(uow, placer, waiting, layout, safe=False)

    try:
        try:
            outcomes = uow.run(fast)
        except _Refused:
            outcomes = uow.run(lambda: _batch(uow, placer, waiting, layout, safe=True))
    except Exception:
        outcomes = [_alone(uow, placer, ready, layout) for ready in waiting]
    for _, what, found in outcomes:
        if what == "imported":
            report.imported += 1
        elif what == "already":
            report.already += 1
        else:
            report.refuse(found)


def _batch(
    uow: UnitOfWork, placer: Actor, waiting: list[_Ready], layout: Layout, *, safe: bool
) -> list[Outcome]:
    """Place the batch's orders inside the open transaction; with `safe`, each in a
    savepoint of its own (a refused one is undone alone), else _Refused at the first."""
    channel = waiting[0].draft.channel
    placed = uow.orders.placed_refs(channel, [r.found.external_id for r in waiting])
    skus = sorted({line.sku for r in waiting for line in r.draft.lines})
    products = uow.products.by_skus(skus)
    done: list[Outcome] = []
    for ready in waiting:
        if ready.found.external_id in placed:
            done.append((ready, "already", []))
            continue
        at = ready.read.placed_at
        if not safe:
            try:
                orders.place_order(uow, placer, ready.draft, placed_at=at, products=products)
            except ConcurrentUpdate:
                raise  # the whole batch is retried by the unit of work
            except DomainError as refused:
                raise _Refused from refused
            placed.add(ready.found.external_id)
            done.append((ready, "imported", []))
            continue
        try:
            with uow.savepoint():
                orders.place_order(uow, placer, ready.draft, placed_at=at, products=products)
            placed.add(ready.found.external_id)
            done.append((ready, "imported", []))
        except ConcurrentUpdate:
            raise
        except DomainError as refused:
            done.append((ready, "refused", _errors(refused, ready, layout)))
    return done


def _alone(uow: UnitOfWork, placer: Actor, ready: _Ready, layout: Layout) -> Outcome:
    try:
        placed = orders.place_order(uow, placer, ready.draft, placed_at=ready.read.placed_at)
    except DomainError as refused:
        return (ready, "refused", _errors(refused, ready, layout))
    return (ready, "imported" if placed.created else "already", [])


def _errors(refused: DomainError, ready: _Ready, layout: Layout) -> list[RowError]:
    if isinstance(refused, InvalidInput):
        return [_row_error(e.field, e.message, ready.read, ready.found, layout)
                for e in refused.errors]  # fmt: skip
    return [RowError(ready.found.rows[0].number, "", refused.detail)]


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
