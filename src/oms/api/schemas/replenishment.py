"""Forecasts, reorder levels and suggested purchase orders over HTTP (docs/planning.md).
Units are numbers (levels may be fractional); money a decimal string in the supplier's
currency."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from oms.api.schemas.common import amount
from oms.domain.money import minor_unit
from oms.domain.planning.lead_times import LeadTime
from oms.services.ports.replenishment import LevelRow
from oms.services.purchase_suggestions import Standing, SuggestedOrder, Suggestions
from oms.services.replenishment import ProductPlan, RefreshResult


def _money(minor: int, currency: str) -> str:
    return amount(Decimal(minor).scaleb(-minor_unit(currency)), currency)


def _r(value: float) -> float:
    return round(value, 3)


class WeekUnits(BaseModel):
    week: date = Field(description="The Monday of the week")
    units: float


class WeekForecastOut(WeekUnits):
    low: float = Field(description="The 80% interval's lower end")
    high: float = Field(description="The 80% interval's upper end")


class ReorderLevelOut(BaseModel):
    sku: str
    location: str
    supplier: str
    abc_class: str
    service_level: float
    share: float = Field(description="The location's share of the product's demand")
    lead_time_days: float
    lead_time_spread: float
    lead_time_source: str = Field(description="product, supplier (receipts) or stated")
    lead_time_demand: float
    cover_demand: float = Field(description="Forecast over lead time + review period")
    safety_stock: float
    safety_method: str = Field(description="empirical, normal or none")
    reorder_point: float
    order_up_to: float
    model: str
    pattern: str
    computed_at: datetime

    @classmethod
    def of(cls, r: LevelRow) -> ReorderLevelOut:
        return cls(
            sku=r.sku,
            location=r.location,
            supplier=r.supplier,
            abc_class=r.abc_class,
            service_level=r.service_level,
            share=_r(r.share),
            lead_time_days=_r(r.lead_time_days),
            lead_time_spread=_r(r.lead_time_spread),
            lead_time_source=r.lead_time_source,
            lead_time_demand=_r(r.lead_time_demand),
            cover_demand=_r(r.cover_demand),
            safety_stock=_r(r.safety_stock),
            safety_method=r.safety_method,
            reorder_point=_r(r.reorder_point),
            order_up_to=_r(r.order_up_to),
            model=r.model,
            pattern=r.pattern,
            computed_at=r.computed_at,
        )


class ForecastOut(BaseModel):
    sku: str
    model: str = Field(description="none: no demand in the history")
    pattern: str
    history: list[WeekUnits]
    forecast: list[WeekForecastOut]
    levels: list[ReorderLevelOut]
    available: dict[str, int] = Field(description="Units available per location now")

    @classmethod
    def of(cls, p: ProductPlan) -> ForecastOut:
        return cls(
            sku=p.sku,
            model=p.model,
            pattern=p.pattern,
            history=[WeekUnits(week=d, units=u) for d, u in p.history],
            forecast=[
                WeekForecastOut(
                    week=w.monday,
                    units=_r(w.units),
                    low=_r(w.interval.low),
                    high=_r(w.interval.high),
                )
                for w in p.forecast
            ],
            levels=[ReorderLevelOut.of(r) for r in p.levels],
            available=p.available,
        )


class RefreshOut(BaseModel):
    products: int
    rows: int = Field(description="Product and location pairs stored")
    origins: int = Field(description="Past origins whose errors calibrated the safety stock")
    seconds: float

    @classmethod
    def of(cls, r: RefreshResult) -> RefreshOut:
        return cls(products=r.products, rows=r.rows, origins=r.origins, seconds=round(r.seconds, 3))


class StandingOut(BaseModel):
    sku: str
    location: str
    available: int
    on_order: int
    drafted: int = Field(description="In draft purchase orders")
    backordered: float = Field(description="The location's share of units orders wait for")
    position: float = Field(description="available + on_order + drafted - backordered")
    reorder_point: float
    order_up_to: float

    @classmethod
    def of(cls, s: Standing) -> StandingOut:
        return cls(
            sku=s.level.sku,
            location=s.level.location,
            available=s.position.available,
            on_order=s.position.on_order,
            drafted=s.position.drafted,
            backordered=_r(s.backordered),
            position=_r(s.inventory_position),
            reorder_point=_r(s.level.reorder_point),
            order_up_to=_r(s.level.order_up_to),
        )


class SuggestedLineOut(BaseModel):
    sku: str
    units: int
    pack_size: int
    unit_cost: str
    standing: StandingOut


class SuggestedOrderOut(BaseModel):
    supplier: str
    supplier_name: str
    location: str
    currency: str
    minimum_units: int
    units: int
    total_cost: str
    lines: list[SuggestedLineOut]

    @classmethod
    def of(cls, o: SuggestedOrder) -> SuggestedOrderOut:
        return cls(
            supplier=o.supplier,
            supplier_name=o.supplier_name,
            location=o.location,
            currency=o.currency,
            minimum_units=o.minimum_units,
            units=o.units,
            total_cost=_money(o.cost_minor, o.currency),
            lines=[
                SuggestedLineOut(
                    sku=x.sku,
                    units=x.units,
                    pack_size=x.pack_size,
                    unit_cost=_money(x.unit_cost_minor, o.currency),
                    standing=StandingOut.of(x.standing),
                )
                for x in o.lines
            ],
        )


class SuggestionsOut(BaseModel):
    computed_at: datetime | None = Field(description="When the levels were refreshed")
    orders: list[SuggestedOrderOut]

    @classmethod
    def of(cls, s: Suggestions) -> SuggestionsOut:
        return cls(computed_at=s.computed_at, orders=[SuggestedOrderOut.of(o) for o in s.orders])


class UnderstockOut(BaseModel):
    computed_at: datetime | None
    items: list[StandingOut]


class LeadTimeOut(BaseModel):
    days: float = Field(description="Mean days from sending to receipt, or the stated one")
    spread: float = Field(description="Standard deviation of the observed days")
    p95: float = Field(description="95% of receipts came within this many days")
    receipts: int
    source: str = Field(description="product, supplier or stated")

    @classmethod
    def of(cls, lt: LeadTime) -> LeadTimeOut:
        return cls(
            days=_r(lt.days),
            spread=_r(lt.spread),
            p95=_r(lt.quantile(0.95)),
            receipts=lt.receipts,
            source=lt.source,
        )
