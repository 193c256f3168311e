"""What the insight services need: a store for imported history, the timelines the reports
read, the files history comes from, and a chart renderer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from oms.domain.insight.aging import Aging, OpenOrder
from oms.domain.insight.flow import Flow
from oms.domain.insight.history import HistoryOrder, HistoryProduct
from oms.domain.insight.money_loyalty import CashLine, Loyalty, StockPosition
from oms.domain.insight.olist import OlistOrder, Row
from oms.domain.insight.quality import OrderFacts, PerfectOrders, ReturnCosts, ReturnedLine
from oms.domain.insight.stages import GroupBy, Hours, OrderTimes, Stage, StageReport


@dataclass(frozen=True, slots=True)
class HistoryLocation:
    code: str
    name: str
    country: str
    time_zone: str


class HistoryStore(Protocol):
    """Writes history as it was, beside live orders: no reservation, no ledger row, no
    outbox row; each order marked as imported (live jobs leave it alone)."""

    def known(self, channel: str, external_ids: Sequence[str]) -> set[str]:
        """The external ids of this channel already stored."""

    def missing_products(self, skus: Iterable[str]) -> set[str]: ...

    def add_products(self, products: Sequence[HistoryProduct], now: datetime) -> None:
        """Adds them archived: history's products are not for sale."""

    def location(self, wanted: HistoryLocation, now: datetime) -> int:
        """The id of the location with that code, made (shipping nothing) if missing."""

    def add_orders(
        self, found: Sequence[HistoryOrder], location_id: int, actor: str, now: datetime
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class TimesQuery:
    """Orders placed from `since` (inclusive) until `until` (exclusive), aware instants."""

    since: datetime | None = None
    until: datetime | None = None
    channel: str | None = None
    location: str | None = None
    delivered_only: bool = True  # False: every order, delivered or not


class Timelines(Protocol):
    def order_times(self, query: TimesQuery) -> list[OrderTimes]:
        """The orders placed in the window (the delivered ones only, unless asked), with
        the first event of each kind."""

    def stage_reports(
        self, query: TimesQuery, hours: Hours, by: GroupBy | None
    ) -> tuple[StageReport, list[tuple[str, StageReport]]] | None:
        """The stage table (and that of each group) computed where the orders are, as
        domain/insight/stages.py defines it; None when the store leaves it to the domain."""

    def flow(self, query: TimesQuery, first: date, last: date, zone: str) -> Flow | None:
        """Work in progress over days `first` to `last` read in `zone`, of the orders of
        `query` (every one placed before its `until`), counted where the orders are, as
        domain/insight/flow.py defines it; None when the store leaves it to the domain."""


class BusinessFacts(Protocol):
    """The reads of the service, returns, cash and loyalty reports (orders placed in the
    window of the query; its `location` is not used)."""

    def order_facts(self, q: TimesQuery) -> list[OrderFacts]: ...

    # Each figure counted where the orders are, as the domain defines it; None when the
    # store leaves it to the domain (which then reads `order_facts`).
    def perfect_orders(self, q: TimesQuery) -> PerfectOrders | None: ...

    def cash(self, q: TimesQuery) -> list[CashLine] | None: ...

    def channel_returns(self, q: TimesQuery) -> dict[str, tuple[int, int]] | None:
        """Per channel: (delivered orders with a return, delivered orders)."""

    def loyalty(self, q: TimesQuery, months: int, horizon_days: int) -> Loyalty | None: ...

    def delivered_units(self, q: TimesQuery) -> dict[str, int]:
        """Units delivered per SKU."""

    def returned_lines(self, q: TimesQuery) -> list[ReturnedLine]:
        """The lines of the returns not rejected."""

    def return_costs(self, q: TimesQuery) -> ReturnCosts: ...

    def stock_positions(self, today: date, days: int) -> list[StockPosition]:
        """Per location and currency: on hand, its value at price, units shipped in the
        `days` days before `today`."""


class OpenOrders(Protocol):
    def open_orders(self, channel: str | None, include_history: bool) -> list[OpenOrder]:
        """Orders not delivered, completed or cancelled, with their parcels' dates."""

    def aging(self, channel: str | None, include_history: bool, now: datetime) -> Aging | None:
        """The open orders by age bucket counted where they are, with the 50 oldest, as
        domain/insight/aging.py defines it; None when the store leaves it to the domain."""


class OlistFiles(Protocol):
    """The Olist files of a folder: orders streamed with their items, payments and customer."""

    total: int
    category_names: Mapping[str, str]

    def orders(self) -> Iterator[OlistOrder]: ...

    def product(self, sku: str) -> Row | None: ...


class ChartRenderer(Protocol):
    def stage_chart(self, report: StageReport, title: str) -> str:
        """The stage table as an SVG document (text), accessible: it has a title."""

    def wip_chart(self, found: Flow, title: str) -> str:
        """Orders waiting in each stage at the end of each day, as lines, in SVG."""

    def bar_chart(self, labels: list[str], values: list[float], title: str, unit: str) -> str:
        """Horizontal bars, one per label, with their values written beside them."""

    def trend_chart(
        self, weeks: list[str], medians: dict[Stage, list[float | None]], title: str
    ) -> str:
        """Each step's median hours week by week, a line per step, in SVG."""
