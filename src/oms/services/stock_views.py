"""Read models of the back office's stock pages: stock rows with what waits for them, one
row's ledger, and the backorders waiting per product. Reads only; permissions checked here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from oms.domain.access import Actor, Permission
from oms.domain.errors import NotFound
from oms.domain.inventory.model import LedgerKind
from oms.services.ports import UnitOfWork

MAX_PAGE = 200


class StockSort(StrEnum):
    """The stock list's sorts; a leading minus is descending."""

    SKU = "sku"
    SKU_DESC = "-sku"
    LOCATION = "location"
    LOCATION_DESC = "-location"


@dataclass(frozen=True, slots=True)
class StockQuery:
    """What the stock list asks for. `q` is the start of a SKU or part of a product's name;
    `after` is the cursor: the sort keys of the previous page's last row (StockLine.cursor)."""

    location: str | None = None
    q: str | None = None
    none_available: bool = False
    waiting: bool = False  # only products that backorders wait for
    sort: StockSort = StockSort.SKU
    after: tuple[str, str] | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class StockLine:
    """A stock row as the pages show it; `stock_id` is None where nothing was ever counted."""

    stock_id: int | None
    location: str
    location_name: str
    location_id: int
    sku: str
    product_name: str
    on_hand: int
    reserved: int
    waiting: int  # units of this product backordered by open orders, at any location
    ships: bool = True
    held: int = 0  # units kept by live checkout holds

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved - self.held

    def cursor(self, sort: StockSort) -> tuple[str, str]:
        """The sort's keys of this row: (SKU, location) or (location, SKU)."""
        if sort.value.lstrip("-") == "location":
            return self.location, self.sku
        return self.sku, self.location


@dataclass(frozen=True, slots=True)
class StockPage:
    rows: list[StockLine]
    more: bool


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One movement of a stock row, with the number of the order it was for, if any."""

    id: int
    kind: LedgerKind
    on_hand_delta: int
    reserved_delta: int
    actor: str
    at: datetime
    reason: str | None
    order_id: int | None
    order_number: str | None


@dataclass(frozen=True, slots=True)
class LedgerPage:
    lines: list[LedgerLine]  # newest first
    more: bool


@dataclass(frozen=True, slots=True)
class WaitingProduct:
    """A product that open orders wait for: how much, since when, how many orders."""

    product_id: int
    sku: str
    name: str
    quantity: int
    orders: int
    oldest: datetime
    available: int  # at shipping locations, now

    def cursor(self) -> tuple[str, int]:
        return self.oldest.isoformat(), self.product_id


@dataclass(frozen=True, slots=True)
class BackorderPage:
    products: list[WaitingProduct]
    more: bool


class StockViews(Protocol):
    """The stock pages' read queries (adapters/db/stock_views.py), run inside uow.run."""

    def stock_lines(self, query: StockQuery) -> list[StockLine]:
        """Up to query.limit rows, in the query's sort, after its cursor."""

    def stock_locations(self) -> list[tuple[str, str]]:
        """Every location's code and name, by code."""

    def stock_line(self, location: str, sku: str) -> StockLine | None:
        """The row, zero if never counted; None if the location or the product is unknown."""

    def ledger_lines(self, stock_id: int, before_id: int | None, limit: int) -> list[LedgerLine]:
        """The row's ledger newest first, older than before_id."""

    def waiting_products(self, after: tuple[str, int] | None, limit: int) -> list[WaitingProduct]:
        """Products open orders wait for, the longest-waiting first."""


def location_codes(uow: UnitOfWork, views: StockViews, actor: Actor) -> list[tuple[str, str]]:
    """The locations the list's filter offers: (code, name)."""
    actor.require(Permission.STOCK_READ)
    return uow.run(views.stock_locations, write=False)


def find_stock(uow: UnitOfWork, views: StockViews, actor: Actor, query: StockQuery) -> StockPage:
    actor.require(Permission.STOCK_READ)
    limit = max(1, min(query.limit, MAX_PAGE))
    probe = replace(query, limit=limit + 1)
    rows = uow.run(lambda: views.stock_lines(probe), write=False)
    return StockPage(rows[:limit], len(rows) > limit)


@dataclass(frozen=True, slots=True)
class StockDetail:
    line: StockLine
    ledger: LedgerPage


def stock_detail(
    uow: UnitOfWork,
    views: StockViews,
    actor: Actor,
    row: tuple[str, str],
    before_id: int | None = None,
    limit: int = 50,
) -> StockDetail:
    """One row (location code, SKU) and a page of its ledger, newest first."""
    actor.require(Permission.STOCK_READ)
    location, sku = row
    limit = max(1, min(limit, MAX_PAGE))

    def work() -> StockDetail:
        line = views.stock_line(location, sku)
        if line is None:
            raise NotFound(f"no stock row for {sku!r} at {location!r}: unknown location or SKU")
        if line.stock_id is None:
            return StockDetail(line, LedgerPage([], False))
        found = views.ledger_lines(line.stock_id, before_id, limit + 1)
        return StockDetail(line, LedgerPage(found[:limit], len(found) > limit))

    return uow.run(work, write=False)


def find_backorders(
    uow: UnitOfWork,
    views: StockViews,
    actor: Actor,
    after: tuple[str, int] | None = None,
    limit: int = 50,
) -> BackorderPage:
    actor.require(Permission.STOCK_READ)
    limit = max(1, min(limit, MAX_PAGE))
    found = uow.run(lambda: views.waiting_products(after, limit + 1), write=False)
    return BackorderPage(found[:limit], len(found) > limit)
