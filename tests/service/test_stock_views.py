"""The stock pages' read model on every database: filters, sorts and keyset paging of the
stock list, a row's ledger newest first, backorders per product, orders waiting for a SKU."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import NotFound, PermissionDenied
from oms.domain.inventory.model import LedgerKind
from oms.domain.orders.model import Order
from oms.services import catalogue, inventory, orders, stock_views, views
from oms.services.inventory import StockChange
from oms.services.ports.orders import OrderFilter
from oms.services.stock_views import StockQuery, StockSort
from oms.services.views import OrderQuery, OrderSort
from tests.builders import draft, new_location, new_product, stocked
from tests.conftest import FakeClock

ANALYST = Actor("ann", Role.ANALYST)


@pytest.fixture
def shop(container: Container, clock: FakeClock) -> Container:
    """PAR ships MUG (3), CAP (5), BAG (0); LYO ships MUG (1); a store room that does not
    ship holds CAP (7). Orders wait for 2 + 1 MUG and 4 BAG; one order got all it asked."""
    uow = container.uow()
    stocked(uow, "MUG", 3, name="Stoneware mug")
    stocked(uow, "CAP", 5, name="Cotton cap")
    stocked(uow, "BAG", 0, name="Canvas tote bag")
    catalogue.create_location(uow, SYSTEM, new_location("LYO", priority=-1))
    catalogue.create_location(uow, SYSTEM, new_location("STORE", ships=False))
    inventory.count_stock(uow, SYSTEM, StockChange("LYO", "MUG", "first", on_hand=1))
    inventory.count_stock(uow, SYSTEM, StockChange("STORE", "CAP", "first", on_hand=7))
    catalogue.create_product(uow, SYSTEM, new_product("HAT", name="Never counted hat"))
    for lines in ((("MUG", 6),), (("CAP", 1),), (("MUG", 1), ("BAG", 4))):
        clock.advance(minutes=5)
        orders.place_order(uow, SYSTEM, draft(*lines))
    return container


def all_orders(shop: Container) -> list[Order]:
    return orders.list_orders(shop.uow(), SYSTEM, OrderFilter(limit=50))


def find(shop: Container, **kw: object) -> list[tuple[str, str, int, int, int]]:
    uow = shop.uow()
    page = stock_views.find_stock(uow, shop.views(uow), ANALYST, StockQuery(**kw))  # type: ignore[arg-type]
    return [(r.sku, r.location, r.on_hand, r.reserved, r.waiting) for r in page.rows]


def test_the_stock_list_shows_each_row_with_what_orders_wait_for(shop: Container) -> None:
    assert find(shop) == [
        ("BAG", "PAR", 0, 0, 4),
        ("CAP", "PAR", 5, 1, 0),
        ("CAP", "STORE", 7, 0, 0),
        ("MUG", "LYO", 1, 1, 3),
        ("MUG", "PAR", 3, 3, 3),
    ]


def test_the_stock_list_filters_by_location_product_and_what_is_left(shop: Container) -> None:
    assert [r[:2] for r in find(shop, location="PAR")] == [
        ("BAG", "PAR"), ("CAP", "PAR"), ("MUG", "PAR"),
    ]  # fmt: skip
    assert [r[:2] for r in find(shop, q="mu")] == [("MUG", "LYO"), ("MUG", "PAR")]
    assert [r[:2] for r in find(shop, q="tote")] == [("BAG", "PAR")]
    assert [r[:2] for r in find(shop, q="100%")] == []  # a wildcard is only a character
    assert [r[:2] for r in find(shop, none_available=True)] == [
        ("BAG", "PAR"), ("MUG", "LYO"), ("MUG", "PAR"),
    ]  # fmt: skip
    assert {r[0] for r in find(shop, waiting=True)} == {"BAG", "MUG"}
    assert find(shop, location="PAR", q="cap", none_available=True) == []


@pytest.mark.parametrize("sort", list(StockSort))
def test_keyset_pages_give_every_row_once_in_the_sort(shop: Container, sort: StockSort) -> None:
    uow = shop.uow()
    v = shop.views(uow)
    for size in (1, 2, 3):
        for filters in ({}, {"none_available": True}, {"location": "PAR"}):
            whole = stock_views.find_stock(
                uow,
                v,
                ANALYST,
                StockQuery(sort=sort, limit=50, **filters),  # type: ignore[arg-type]
            ).rows
            seen = []
            query = StockQuery(sort=sort, limit=size, **filters)  # type: ignore[arg-type]
            while True:
                page = stock_views.find_stock(uow, v, ANALYST, query)
                assert len(page.rows) == size or not page.more
                seen.extend(page.rows)
                if not page.more:
                    break
                query = replace(query, after=page.rows[-1].cursor(sort))
            assert [r.stock_id for r in seen] == [r.stock_id for r in whole], (size, filters)
    whole = stock_views.find_stock(uow, v, ANALYST, StockQuery(sort=sort)).rows
    assert len(whole) == 5
    by_location = sort.value.lstrip("-") == "location"
    keys = [(r.location, r.sku) if by_location else (r.sku, r.location) for r in whole]
    assert keys == sorted(keys, reverse=sort.value.startswith("-"))


def test_a_row_shows_its_ledger_newest_first_with_the_orders_it_was_for(shop: Container) -> None:
    uow = shop.uow()
    v = shop.views(uow)
    inventory.adjust_stock(uow, SYSTEM, StockChange("PAR", "CAP", "found two", delta=2))
    detail = stock_views.stock_detail(uow, v, ANALYST, ("PAR", "CAP"))
    assert (detail.line.on_hand, detail.line.reserved, detail.line.available) == (7, 1, 6)
    kinds = [(e.kind, e.on_hand_delta, e.reserved_delta, e.reason) for e in detail.ledger.lines]
    assert kinds == [
        (LedgerKind.ADJUSTMENT, 2, 0, "found two"),
        (LedgerKind.RESERVATION, 0, 1, None),
        (LedgerKind.COUNT, 5, 0, "initial"),
    ]
    reservation = detail.ledger.lines[1]
    (order,) = [o for o in all_orders(shop) if o.id == reservation.order_id]
    assert reservation.order_number == order.number
    assert [e.id for e in detail.ledger.lines] == sorted(
        (e.id for e in detail.ledger.lines), reverse=True
    )
    first = stock_views.stock_detail(uow, v, ANALYST, ("PAR", "CAP"), limit=2)
    assert first.ledger.more and len(first.ledger.lines) == 2
    older = stock_views.stock_detail(
        uow, v, ANALYST, ("PAR", "CAP"), before_id=first.ledger.lines[-1].id, limit=2
    )
    assert [e.kind for e in older.ledger.lines] == [LedgerKind.COUNT]
    assert not older.ledger.more


def test_a_row_never_counted_is_zero_and_an_unknown_one_is_not_found(shop: Container) -> None:
    uow = shop.uow()
    v = shop.views(uow)
    hat = stock_views.stock_detail(uow, v, ANALYST, ("PAR", "HAT")).line
    assert (hat.stock_id, hat.on_hand, hat.reserved, hat.product_name) == (
        None, 0, 0, "Never counted hat",
    )  # fmt: skip
    for location, sku in (("NOWHERE", "CAP"), ("PAR", "NO-SUCH")):
        with pytest.raises(NotFound):
            stock_views.stock_detail(uow, v, ANALYST, (location, sku))


def test_backorders_per_product_longest_waiting_first_and_paged(shop: Container) -> None:
    uow = shop.uow()
    v = shop.views(uow)
    page = stock_views.find_backorders(uow, v, ANALYST)
    got = [(p.sku, p.name, p.quantity, p.orders, p.available) for p in page.products]
    assert got == [("MUG", "Stoneware mug", 3, 2, 0), ("BAG", "Canvas tote bag", 4, 1, 0)]
    assert page.products[0].oldest == datetime.fromisoformat("2026-03-02T09:05:00+00:00")
    first = stock_views.find_backorders(uow, v, ANALYST, limit=1)
    assert first.more and [p.sku for p in first.products] == ["MUG"]
    second = stock_views.find_backorders(uow, v, ANALYST, first.products[0].cursor(), 1)
    assert [p.sku for p in second.products] == ["BAG"] and not second.more


def test_stock_that_arrives_empties_the_backorders_it_fills(shop: Container) -> None:
    uow = shop.uow()
    inventory.adjust_stock(uow, SYSTEM, StockChange("PAR", "BAG", "delivery", delta=4))
    found = stock_views.find_backorders(uow, shop.views(uow), ANALYST).products
    assert [p.sku for p in found] == ["MUG"]


def test_the_orders_list_finds_the_open_orders_waiting_for_a_sku(shop: Container) -> None:
    uow = shop.uow()
    v = shop.views(uow)

    def waiting(sku: str) -> list[int]:
        query = OrderQuery(waiting_for=sku, sort=OrderSort.OLDEST)
        return [r.units for r in views.find_orders(uow, v, ANALYST, query).rows]

    assert waiting("MUG") == [6, 5]
    assert waiting("BAG") == [5]
    assert waiting("CAP") == [] and waiting("NO-SUCH") == []
    (mine,) = [o for o in all_orders(shop) if o.lines[0].quantity == 6]
    orders.cancel_order(uow, SYSTEM, mine.id, "customer changed their mind")
    assert waiting("MUG") == []  # its units went to the other order, which waits no more


def test_a_role_that_reads_no_stock_is_refused(shop: Container) -> None:
    uow = shop.uow()
    v = shop.views(uow)
    agent = Actor("cs", Role.CUSTOMER_SERVICE)
    with pytest.raises(PermissionDenied):
        stock_views.find_stock(uow, v, agent, StockQuery())
    with pytest.raises(PermissionDenied):
        stock_views.stock_detail(uow, v, agent, ("PAR", "CAP"))
    with pytest.raises(PermissionDenied):
        stock_views.find_backorders(uow, v, agent)
