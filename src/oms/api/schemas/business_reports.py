"""Answers of the service, returns, cash and loyalty reports (issue 12; docs/insight.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from oms.api.schemas.common import IsoDate, Strict
from oms.domain.insight.money_loyalty import Comparison, Loyalty, Proportion
from oms.domain.insight.quality import PerfectOrders, Rate, Returns
from oms.services.business_reports import Cash, pct, perfect_rows
from oms.services.reports import StageQuery


class WindowIn(Strict):
    """Orders placed on a day from `from` to `to` (inclusive; days read in `tz`)."""

    from_: IsoDate | None = Field(None, alias="from")
    to: IsoDate | None = None
    channel: Annotated[str, Field(max_length=64)] | None = None
    tz: Annotated[str, Field(max_length=64)] = "UTC"
    format: Literal["json", "csv"] = "json"

    def to_query(self) -> StageQuery:
        return StageQuery(self.from_, self.to, self.channel, None, self.tz)


class CashIn(WindowIn):
    days: int = Field(28, description="days of shipments that days of cover are read from")


class LoyaltyIn(WindowIn):
    months: int = Field(12, description="months of retention per cohort")
    horizon_days: int = Field(180, description="ordered again within so many days")


class ComponentOut(BaseModel):
    component: str
    orders: int
    rate: float | None


class PerfectOrderOut(BaseModel):
    delivered_orders: int
    perfect_order_rate: float | None
    components: list[ComponentOut]
    based_on: dict[str, str]

    @classmethod
    def of(cls, p: PerfectOrders) -> PerfectOrderOut:
        return cls(
            delivered_orders=p.delivered,
            perfect_order_rate=pct(p.rate(p.perfect)),
            components=[
                ComponentOut(component=c, orders=n, rate=r) for c, n, _, r in perfect_rows(p)
            ],
            based_on=BASED_ON,
        )


BASED_ON = {
    "complete": "every unit ordered delivered: none cancelled, none short (order lines)",
    "on_time": "not delivered on a later day than the promised delivery date (location's zone)",
    "undamaged": "no 'damaged' problem reported and no return line with reason 'damaged'",
    "no_sellers_fault_return": "no return (not rejected) with reason late, wrong_item, damaged "
    "or not_as_described",
    "split_into_parcels": "delivered in more than one shipment (shown, not in the definition)",
}


class RateOut(BaseModel):
    key: str
    returned: int
    of: int
    rate: float | None

    @classmethod
    def of_rate(cls, r: Rate) -> RateOut:
        return cls(key=r.key, returned=r.part, of=r.whole, rate=pct(r.rate))


class ReturnsOut(BaseModel):
    by_product: list[RateOut] = Field(description="units returned / units delivered, per SKU")
    by_reason: list[RateOut] = Field(description="units returned with it / all units returned")
    by_channel: list[RateOut] = Field(description="delivered orders with a return / delivered")
    cost_minor: dict[str, dict[str, int]] = Field(
        description="per kind (refunds, labels, written_off, total), per currency, minor units"
    )
    written_off_units: int
    based_on: dict[str, str]

    @classmethod
    def of(cls, r: Returns) -> ReturnsOut:
        from oms.services.business_reports import WRITE_OFF_BASED_ON

        return cls(
            by_product=[RateOut.of_rate(x) for x in r.by_product],
            by_reason=[RateOut.of_rate(x) for x in r.by_reason],
            by_channel=[RateOut.of_rate(x) for x in r.by_channel],
            cost_minor={
                "refunds": r.refunds,
                "labels": r.labels,
                "written_off": r.written_off,
                "total": r.total_cost,
            },
            written_off_units=r.written_off_units,
            based_on={
                "refunds": "refunds that succeeded for returns",
                "labels": "the price of the return labels bought",
                "written_off": WRITE_OFF_BASED_ON,
            },
        )


class CashLineOut(BaseModel):
    currency: str
    orders: int
    booked_minor: int
    paid_minor: int
    refunded_minor: int
    outstanding_minor: int


class StockOut(BaseModel):
    location: str
    currency: str
    units_on_hand: int
    value_at_price_minor: int
    shipped_units: int
    days_of_cover: float | None


class CashOut(BaseModel):
    cash: list[CashLineOut]
    stock: list[StockOut]
    days: int
    based_on: dict[str, str]

    @classmethod
    def of(cls, c: Cash) -> CashOut:
        return cls(
            cash=[
                CashLineOut(
                    currency=x.currency,
                    orders=x.orders,
                    booked_minor=x.booked,
                    paid_minor=x.paid,
                    refunded_minor=x.refunded,
                    outstanding_minor=x.outstanding,
                )
                for x in c.lines
            ],
            stock=[
                StockOut(
                    location=s.location,
                    currency=s.currency,
                    units_on_hand=s.units,
                    value_at_price_minor=s.value_minor,
                    shipped_units=s.shipped_units,
                    days_of_cover=None if s.days_of_cover is None else round(s.days_of_cover, 1),
                )
                for s in c.stock
            ],
            days=c.days,
            based_on=c.based_on,
        )


class GroupOut(BaseModel):
    ordered_again: int
    customers: int
    rate: float | None
    ci95: tuple[float, float] | None = Field(description="Wilson score interval")

    @classmethod
    def of(cls, p: Proportion) -> GroupOut:
        ci = p.interval
        return cls(
            ordered_again=p.ordered_again,
            customers=p.customers,
            rate=pct(p.rate),
            ci95=None if ci is None else (round(ci[0], 6), round(ci[1], 6)),
        )


class ComparisonOut(BaseModel):
    worse: GroupOut
    better: GroupOut
    difference: float | None
    p_value: float | None = Field(description="two-sided, pooled two-proportion z-test")

    @classmethod
    def of(cls, c: Comparison) -> ComparisonOut:
        return cls(
            worse=GroupOut.of(c.worse),
            better=GroupOut.of(c.better),
            difference=pct(c.difference),
            p_value=None if c.p_value is None else round(c.p_value, 6),
        )


class CohortOut(BaseModel):
    month: str
    customers: int
    retention: list[float | None]


class LoyaltyOut(BaseModel):
    customers: int
    repeat_customers: int
    repeat_purchase_rate: float | None
    horizon_days: int
    after_late_first_delivery: ComparisonOut = Field(description="worse: the first was late")
    after_return_of_first_order: ComparisonOut = Field(description="worse: it had a return")
    cohorts: list[CohortOut]

    @classmethod
    def of(cls, found: Loyalty) -> LoyaltyOut:
        return cls(
            customers=found.customers,
            repeat_customers=found.repeat_customers,
            repeat_purchase_rate=pct(found.repeat_rate),
            horizon_days=found.horizon_days,
            after_late_first_delivery=ComparisonOut.of(found.after_late),
            after_return_of_first_order=ComparisonOut.of(found.after_return),
            cohorts=[
                CohortOut(
                    month=c.month, customers=c.customers, retention=[pct(x) for x in c.retention]
                )
                for c in found.cohorts
            ],
        )
