"""CSV orders through the import use case, on memory, SQLite and PostgreSQL: orders placed
with stock reserved and backorders, the channel as the timeline's actor, an order with a bad
row skipped whole, a second import adding nothing, products made on request, references
skipped by prefix or because their rows are apart, and who may import."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from oms.adapters.channels import order_csv
from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.catalogue.model import NewProduct
from oms.domain.channels.model import Channel
from oms.domain.channels.order_rows import Layout, RowError
from oms.domain.errors import PermissionDenied
from oms.domain.orders.draft import MAX_LINES
from oms.services import channels, inventory, order_import, orders
from oms.services.order_import import ImportOptions, ImportReport, import_orders
from oms.services.ports import UnitOfWork
from oms.services.ports.orders import OrderFilter
from tests.builders import stocked

HEADER = ("external_id,sku,quantity,unit_price,customer_email,customer_name,ship_line1,"
          "ship_city,ship_postal_code,ship_country,placed_at\n")  # fmt: skip
ADDR = "ann@example.com,Ann,1 rue,Lyon,69001,FR"


def run(uow: UnitOfWork, text: str, actor: Actor = SYSTEM, **options: object) -> ImportReport:
    data = io.BytesIO(text.encode())
    with order_csv.opened(data) as f:
        names = order_csv.header(f)
        layout = Layout.make(names, str(options.pop("mapping", "")))
        found = order_csv.rows(f, names)
        return import_orders(uow, actor, "shop", found, layout, ImportOptions(**options))  # type: ignore[arg-type]


def test_orders_are_placed_with_stock_reserved_and_the_channel_as_actor(
    each_uow: UnitOfWork,
) -> None:
    uow = each_uow
    stocked(uow, "MUG", 3)
    stocked(uow, "TEE", 10)
    channels.create_channel(uow, SYSTEM, Channel("shop", currency="EUR", tax_inclusive=True))
    text = HEADER + (
        f"S-1,MUG,2,4.00,{ADDR},2026-01-05T10:00:00+01:00\n"
        f"S-1,TEE,1,,{ADDR},\n"
        f"S-2,MUG,4,4.00,{ADDR},\n"
    )
    report = run(uow, text)
    assert (report.lines, report.orders, report.imported, report.skipped) == (3, 2, 2, 0)
    placed = orders.list_orders(uow, SYSTEM, OrderFilter(channel="shop"))
    by_ref = {o.external_id: o for o in placed}
    first, second = by_ref["S-1"], by_ref["S-2"]
    assert [(ln.sku, ln.quantity, ln.allocated_quantity) for ln in first.lines] == [
        ("MUG", 2, 2),
        ("TEE", 1, 1),
    ]
    assert first.created_at == datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert first.prices_include_tax and first.currency == "EUR"
    assert first.totals.subtotal.amount == Decimal("18.00")  # TEE at its catalogue price
    assert (second.lines[0].allocated_quantity, second.lines[0].backordered_quantity) == (1, 3)
    events = orders.order_events(uow, SYSTEM, first.id)
    assert [(e.type, e.actor) for e in events] == [("order.placed", "channel:shop")]

    again = run(uow, text)
    assert (again.imported, again.already) == (0, 2)
    assert len(orders.list_orders(uow, SYSTEM, OrderFilter(channel="shop"))) == 2


def test_an_order_with_a_bad_row_is_skipped_whole_and_reported(each_uow: UnitOfWork) -> None:
    uow = each_uow
    stocked(uow, "MUG", 5)
    text = HEADER + (
        f"A,MUG,1,4.00,{ADDR},\n"
        f"B,MUG,1,4.00,{ADDR},\n"
        f"B,GHOST,1,4.00,{ADDR},\n"
        f"C,MUG,x,4.00,{ADDR},\n"
    )
    report = run(uow, text)
    assert (report.imported, report.skipped, report.error_count) == (1, 2, 2)
    assert report.errors == [
        RowError(4, "sku", "unknown SKU 'GHOST'"),
        RowError(5, "quantity", "'x' is not a whole number"),
    ]
    placed = orders.list_orders(uow, SYSTEM, OrderFilter(channel="shop"))
    assert [o.external_id for o in placed] == ["A"]


def test_a_refused_order_in_a_batch_leaves_the_others_placed_and_no_trace_of_itself(
    each_uow: UnitOfWork,
) -> None:
    """A batch is placed without a savepoint per order; a refusal rolls it back and places
    it again order by order: what the others reserved is written once, the refused one
    nothing, the one placed before counts as already there."""
    uow = each_uow
    stocked(uow, "MUG", 5)
    run(uow, HEADER + f"X,MUG,1,4.00,{ADDR},\n")
    text = HEADER + (
        f"A,MUG,1,4.00,{ADDR},\n"
        f"B,MUG,1,4.00,{ADDR},\n"
        f"B,GHOST,1,4.00,{ADDR},\n"
        f"X,MUG,1,4.00,{ADDR},\n"
        f"C,MUG,2,4.00,{ADDR},\n"
    )
    report = run(uow, text)
    assert (report.imported, report.already, report.skipped) == (2, 1, 1)
    (stock,) = inventory.list_stock(uow, SYSTEM, sku="MUG", location="PAR")
    assert (stock.on_hand, stock.reserved) == (5, 4)  # X 1, A 1, C 2
    placed = orders.list_orders(uow, SYSTEM, OrderFilter(channel="shop"))
    assert sorted(o.external_id or "" for o in placed) == ["A", "C", "X"]
    assert sum(ln.allocated_quantity for o in placed for ln in o.lines) == 4


def test_products_on_request_prefix_skipped_and_scattered_orders(each_uow: UnitOfWork) -> None:
    uow = each_uow
    text = (
        "ref,sku,quantity,unit_price,description,customer_email,customer_name,ship_line1,"
        "ship_city,ship_postal_code,ship_country\n"
        f"1,NEW-1,2,3.50,A new mug,{ADDR}\n"
        f"C2,NEW-1,1,3.50,A new mug,{ADDR}\n"
        f"3,NEW-2,1,1.00,,{ADDR}\n"
        f"4,NEW-1,1,3.50,,{ADDR}\n"
        f"3,NEW-1,1,3.50,,{ADDR}\n"
    )
    report = run(
        uow,
        text,
        mapping="external_id=ref",
        create_products=True,
        skip_prefix="C",
        scattered=frozenset({"3"}),
    )
    assert (report.imported, report.cancellations, report.skipped) == (2, 1, 2)
    assert report.products_created == 1  # NEW-2 only in a skipped order
    assert {e.row for e in report.errors} == {4, 6} and report.errors[0].column == "ref"
    product = uow.run(lambda: uow.products.get("NEW-1"), write=False)
    assert product is not None and (product.name, product.price) == ("A new mug", Decimal("3.50"))
    assert uow.run(lambda: uow.products.get("NEW-2"), write=False) is None


def test_a_wholesale_order_beyond_the_api_limit_and_a_price_break_are_imported(
    each_uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An order of 501 lines (more than a request may hold, MAX_LINES) is placed from a
    file; MUG at two prices is one line that costs what its rows cost; an order beyond the
    import's own bound (MAX_IMPORT_LINES, made 600 here to keep the test short) is refused
    with the reason at its first row."""
    uow = each_uow
    monkeypatch.setattr(order_import, "MAX_IMPORT_LINES", 600)
    stocked(uow, "MUG", 10)
    uow.run(lambda: [uow.products.add(NewProduct(f"P{i}", f"P{i}", Decimal(1), "EUR"), uow.now())
                     for i in range(601)])  # fmt: skip
    big = "".join(f"W,P{i},1,1.00,{ADDR},\n" for i in range(MAX_LINES + 1))
    huge = "".join(f"H,P{i},1,1.00,{ADDR},\n" for i in range(601))
    text = HEADER + big + f"B,MUG,2,3.00,{ADDR},\nB,MUG,5,2.50,{ADDR},\n" + huge
    report = run(uow, text)
    assert (report.imported, report.skipped) == (2, 1)
    first_huge = 2 + MAX_LINES + 1 + 2
    assert report.errors == [
        RowError(first_huge, "lines", "at most 600 lines"),
    ]
    placed = orders.list_orders(uow, SYSTEM, OrderFilter(channel="shop"))
    by_ref = {o.external_id: o for o in placed}
    assert len(by_ref["W"].lines) == MAX_LINES + 1
    (mug,) = by_ref["B"].lines
    assert mug.quantity == 7
    assert by_ref["B"].totals.subtotal.amount - by_ref["B"].totals.discount.amount == Decimal(
        "18.50"
    )


@pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.ANALYST])
def test_who_may_import(each_uow: UnitOfWork, role: Role) -> None:
    with pytest.raises(PermissionDenied):
        run(each_uow, HEADER, Actor("x", role))
    with pytest.raises(PermissionDenied):  # sales may import, not make products
        run(each_uow, HEADER, Actor("s", Role.SALES), create_products=True)
    assert run(each_uow, HEADER, Actor("s", Role.SALES)).orders == 0


def test_two_imports_of_one_file_racing_place_each_order_once(container: Container) -> None:
    """On SQLite and PostgreSQL (the in-memory store is not for threads): the batch that
    loses the race is placed again order by order, and each order exists once."""
    uow = container.uow()
    stocked(uow, "MUG", 40)
    text = HEADER + "".join(f"R-{i},MUG,1,4.00,{ADDR},\n" for i in range(30))
    reports: list[ImportReport] = []
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def one() -> None:
        try:
            start.wait()
            reports.append(run(container.uow(), text))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    assert sum(r.imported for r in reports) == 30
    assert sum(r.imported + r.already for r in reports) == 60
    placed = orders.list_orders(uow, SYSTEM, OrderFilter(channel="shop", limit=100))
    assert sorted(o.external_id or "" for o in placed) == sorted(f"R-{i}" for i in range(30))


def test_a_file_import_takes_a_fresh_unit_of_work_for_each_batch(each_uow: UnitOfWork) -> None:
    """A unit of work remembers the orders it placed: one per batch keeps memory flat."""
    uow = each_uow
    stocked(uow, "MUG", 500)
    text = HEADER + "".join(f"R-{i},MUG,1,4.00,{ADDR},\n" for i in range(120))
    taken: list[int] = []

    def fresh() -> UnitOfWork:
        taken.append(1)
        return uow

    source = io.BytesIO(text.encode())
    report = order_csv.import_file(
        uow, SYSTEM, "shop", source, order_csv.ImportRequest(), fresh=fresh
    )
    assert (report.imported, len(taken)) == (120, 3)  # batches of 50, 50 and 20
