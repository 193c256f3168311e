"""What the planning services need: a forecaster (statsforecast, behind this port so that
the domain and the services never import it) and the order lines demand is read from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from oms.domain.planning.demand import DemandSeries, OrderedLine
from oms.domain.planning.models import Model
from oms.domain.planning.purchase_orders import PurchaseOrder, Supplier


@dataclass(frozen=True, slots=True)
class ForecastJob:
    """Forecast each series `horizon` open days ahead with the median of its models."""

    series: Sequence[DemandSeries]
    horizon: int
    members: Mapping[str, tuple[Model, ...]]  # series key -> the models of its median


class Forecaster(Protocol):
    def forecast(self, job: ForecastJob) -> dict[str, tuple[float, ...]]:
        """Per series key, `horizon` daily forecasts (units, never negative)."""


class DemandLines(Protocol):
    def ordered_lines(self, since: datetime, until: datetime) -> list[OrderedLine]:
        """Order lines of orders placed in [since, until), with their order's cancellation."""


@dataclass(frozen=True, slots=True)
class Stamp:
    """Who did it and when."""

    actor: str
    now: datetime


@dataclass(frozen=True, slots=True)
class NewPurchaseLine:
    product_id: int
    sku: str
    quantity: int
    unit_cost_minor: int


@dataclass(frozen=True, slots=True)
class SupplierTerms:
    sku: str
    cost_minor: int
    pack_size: int


@dataclass(frozen=True, slots=True)
class PurchaseOrderQuery:
    status: str | None = None
    supplier_id: int | None = None
    before: int | None = None
    limit: int = 50


class PurchaseOrders(Protocol):
    """Suppliers and purchase orders, inside the unit of work's transactions."""

    def add_supplier(self, supplier: Supplier, now: datetime) -> Supplier: ...

    def supplier(self, code: str) -> Supplier | None: ...

    def supplier_by_id(self, supplier_id: int) -> Supplier | None: ...

    def set_terms(self, supplier_id: int, product_id: int, cost_minor: int, pack: int) -> None:
        """What the supplier charges for the product, and its pack size."""

    def suppliers(self) -> list[Supplier]:
        """Every supplier, by code."""

    def update_supplier(self, supplier: Supplier) -> None:
        """Its name, lead time and minimum order (the code and currency stay)."""

    def terms(self, supplier_id: int) -> list[SupplierTerms]:
        """What the supplier sells, by sku."""

    def list(self, query: PurchaseOrderQuery) -> list[PurchaseOrder]:
        """Purchase orders, the newest first, ids below `query.before` if given."""

    def add(
        self,
        supplier: Supplier,
        location_id: int,
        lines: Sequence[NewPurchaseLine],
        at: Stamp,
        expected_on: date | None = None,
    ) -> PurchaseOrder: ...

    def get(self, purchase_order_id: int, *, lock: bool = False) -> PurchaseOrder | None: ...

    def save(self, order: PurchaseOrder, now: datetime) -> None:
        """Its status, expected date and received quantities."""

    def on_order(
        self, product_ids: Sequence[int]
    ) -> dict[tuple[int, int], tuple[int, date | None]]:
        """(location id, product id) -> units still expected on open orders, the earliest
        expected date among them."""


class PlanningCharts(Protocol):
    def product_chart(self, plan: PlanChart, title: str) -> str:
        """Weekly demand history, the forecast with its interval, the reorder point and the
        units available, as an SVG document (text) with a title."""


@dataclass(frozen=True, slots=True)
class PlanChart:
    """What the per-product chart draws (weeks by their Monday)."""

    history: Sequence[tuple[date, float]]
    forecast: Sequence[tuple[date, float, float, float]]  # week, forecast, low, high
    reorder_point: float | None  # weekly terms: the reorder point of all locations
    available: float
