"""Rows for the contract tests, written through the repositories under test."""

from __future__ import annotations

import secrets
from typing import Any

from oms.domain.catalogue.model import Location, Product
from oms.domain.errors import FieldErrors
from oms.domain.inventory.model import StockRow
from oms.domain.orders.model import InitialAllocation, Order
from oms.services.ports import UnitOfWork
from tests.builders import draft, new_location, new_product


def product(uow: UnitOfWork, sku: str, **kw: Any) -> Product:
    return uow.run(lambda: uow.products.add(new_product(sku, **kw), uow.now()))


def location(uow: UnitOfWork, code: str, **kw: Any) -> Location:
    return uow.run(lambda: uow.locations.add(new_location(code, **kw), uow.now()))


def stock_row(uow: UnitOfWork, location_code: str, sku: str, on_hand: int = 0) -> StockRow:
    """The row of sku at the location (both made if missing), with on_hand units."""

    def work() -> StockRow:
        loc = uow.locations.get(location_code) or uow.locations.add(
            new_location(location_code), uow.now()
        )
        item = uow.products.get(sku) or uow.products.add(new_product(sku), uow.now())
        row = uow.stock.lock_row(loc.id, item.id, uow.now())
        assert uow.stock.set_on_hand(row.stock_id, on_hand)
        found = uow.stock.row_of(loc.id, item.id)
        assert found is not None
        return found

    return uow.run(work)


def order(
    uow: UnitOfWork,
    *lines: tuple[str, int],
    key: str | None = None,
    allocated: tuple[int, ...] | None = None,
    **kw: Any,
) -> Order:
    """A new order as placing makes it (nothing reserved unless `allocated` says so),
    added with the repository; the products must exist."""
    wanted = draft(*lines, **kw)

    def work() -> Order:
        products = uow.products.by_skus([sku for sku, _ in lines])
        priced = wanted.priced_lines(products, FieldErrors())
        identity = uow.orders.next_identity(len(lines))
        units = allocated or tuple(0 for _ in lines)
        placed = Order.place(
            identity,
            wanted,
            priced,
            InitialAllocation(units, ()),
            uow.now(),
            secrets.token_urlsafe(16),
        )
        uow.orders.add(placed, key, f"hash-{identity.id}", "tester")
        return placed

    return uow.run(work)
