"""Answers of the stock reports (docs/planning.md, "Stock reports"): money as decimal
strings in the cost's currency, a product without a cost price with `unit_cost: null`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from oms.api.schemas.common import Strict, amount
from oms.domain.money import minor_unit
from oms.services.ports.stock_planning import UnitCost
from oms.services.stock_reports import (
    DeadStockReport,
    OverstockReport,
    Rated,
    StockOutReport,
    StockValueReport,
)


def money(minor: int | None, currency: str | None) -> str | None:
    if minor is None or currency is None:
        return None
    return amount(Decimal(minor).scaleb(-minor_unit(currency)), currency)


def _totals(totals: dict[str, int]) -> dict[str, str]:
    return {c: money(v, c) or "" for c, v in totals.items()}


class StockOutIn(Strict):
    days: int = Field(28, description="days of demand the rate is the mean of (1-366)")
    horizon_days: int = Field(90, description="how far ahead to project (1-730)")
    format: Literal["json", "csv"] = "json"


class OverstockIn(Strict):
    threshold_days: int = Field(60, description="more days of cover than this is overstock")
    days: int = Field(28, description="days of demand the rate is the mean of (1-366)")
    format: Literal["json", "csv"] = "json"


class DeadStockIn(Strict):
    idle_days: int = Field(90, description="no demand in so many days is dead stock")
    format: Literal["json", "csv"] = "json"


class CsvIn(Strict):
    format: Literal["json", "csv"] = "json"


class _RowOut(BaseModel):
    location: str
    sku: str
    name: str
    on_hand: int
    reserved: int
    available: int
    incoming: int
    next_expected_on: date | None
    daily_demand: float

    @staticmethod
    def fields(r: Rated) -> dict[str, object]:
        h = r.holding
        return {
            "location": h.location,
            "sku": h.sku,
            "name": h.name,
            "on_hand": h.on_hand,
            "reserved": h.reserved,
            "available": h.available,
            "incoming": r.incoming_units,
            "next_expected_on": r.next_expected,
            "daily_demand": round(r.daily, 4),
        }


class StockOutRowOut(_RowOut):
    days_of_cover: float | None
    stock_out_on: date | None = Field(description="null: not within the horizon")


class StockOutOut(BaseModel):
    today: date
    days: int
    horizon_days: int
    without_demand: int
    based_on: str
    rows: list[StockOutRowOut]

    @classmethod
    def of(cls, r: StockOutReport) -> StockOutOut:
        return cls(
            today=r.today,
            days=r.days,
            horizon_days=r.horizon_days,
            without_demand=r.without_demand,
            based_on=r.based_on,
            rows=[
                StockOutRowOut(
                    **_RowOut.fields(x.rated),
                    days_of_cover=_round(x.days_of_cover),
                    stock_out_on=x.stock_out,
                )
                for x in r.rows
            ],
        )


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def _cost(cost: UnitCost | None) -> tuple[str | None, str | None, str | None]:
    if cost is None:
        return None, None, None
    return cost.supplier, cost.currency, money(cost.cost_minor, cost.currency)


class OverstockRowOut(_RowOut):
    days_of_cover: float | None = Field(description="null: nobody asked in the window")
    excess_units: int
    supplier: str | None
    currency: str | None
    unit_cost: str | None = Field(description="null: no supplier sells it (no cost price)")
    excess_value: str | None


class OverstockOut(BaseModel):
    today: date
    days: int
    threshold_days: int
    totals: dict[str, str]
    without_cost: int
    based_on: str
    rows: list[OverstockRowOut]

    @classmethod
    def of(cls, r: OverstockReport) -> OverstockOut:
        rows = []
        for x in r.rows:
            supplier, currency, unit = _cost(x.cost)
            rows.append(
                OverstockRowOut(
                    **_RowOut.fields(x.rated),
                    days_of_cover=_round(x.days_of_cover),
                    excess_units=x.excess_units,
                    supplier=supplier,
                    currency=currency,
                    unit_cost=unit,
                    excess_value=money(x.excess_value_minor, currency),
                )
            )
        return cls(
            today=r.today,
            days=r.days,
            threshold_days=r.threshold_days,
            totals=_totals(r.totals),
            without_cost=r.without_cost,
            based_on=r.based_on,
            rows=rows,
        )


class DeadStockRowOut(BaseModel):
    location: str
    sku: str
    name: str
    on_hand: int
    last_demand_on: date | None = Field(description="null: never asked for")
    supplier: str | None
    currency: str | None
    unit_cost: str | None = Field(description="null: no supplier sells it (no cost price)")
    value: str | None


class DeadStockOut(BaseModel):
    today: date
    idle_days: int
    totals: dict[str, str]
    without_cost: int
    based_on: str
    rows: list[DeadStockRowOut]

    @classmethod
    def of(cls, r: DeadStockReport) -> DeadStockOut:
        rows = []
        for x in r.rows:
            supplier, currency, unit = _cost(x.cost)
            h = x.holding
            rows.append(
                DeadStockRowOut(
                    location=h.location,
                    sku=h.sku,
                    name=h.name,
                    on_hand=h.on_hand,
                    last_demand_on=x.last_demand,
                    supplier=supplier,
                    currency=currency,
                    unit_cost=unit,
                    value=money(x.value_minor, currency),
                )
            )
        return cls(
            today=r.today,
            idle_days=r.idle_days,
            totals=_totals(r.totals),
            without_cost=r.without_cost,
            based_on=r.based_on,
            rows=rows,
        )


class StockValueRowOut(BaseModel):
    location: str
    currency: str | None = Field(description="null: products without a cost price")
    products: int
    units: int
    value: str | None


class StockValueOut(BaseModel):
    totals: dict[str, str]
    based_on: str
    rows: list[StockValueRowOut]

    @classmethod
    def of(cls, r: StockValueReport) -> StockValueOut:
        return cls(
            totals=_totals(r.totals),
            based_on=r.based_on,
            rows=[
                StockValueRowOut(
                    location=x.location,
                    currency=x.currency,
                    products=x.products,
                    units=x.units,
                    value=money(x.value_minor, x.currency),
                )
                for x in r.rows
            ],
        )
