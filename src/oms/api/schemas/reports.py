"""Request and answer bodies of the reports (API.md, "Reports")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from oms.api.schemas.common import IsoDate, Strict
from oms.domain.insight.aging import Aging, Late
from oms.domain.insight.flow import Flow, Waiting
from oms.domain.insight.stages import (
    DetailStage,
    GroupBy,
    Hours,
    LateSplit,
    ReturnStage,
    Stage,
    StageReport,
    StageStats,
)
from oms.services.reports import FlowQuery, StageQuery, StageTimes, rounded


class StageTimesQuery(Strict):
    """`GET /reports/stage-times`: the delivered orders placed on a day from `from` to `to`
    (inclusive; days read in `tz`), on one channel, shipped from one location."""

    from_: IsoDate | None = Field(None, alias="from")
    to: IsoDate | None = None
    channel: Annotated[str, Field(max_length=64)] | None = None
    location: Annotated[str, Field(max_length=32)] | None = None
    tz: Annotated[str, Field(max_length=64, description="IANA time zone of the days")] = "UTC"
    hours: Hours = Field(
        Hours.CALENDAR,
        description="calendar, or only the hours of the location's working days less the"
        " public holidays of its country",
    )
    group_by: GroupBy | None = Field(None, description="also the table per channel, ...")
    format: Literal["json", "csv"] = Field("json", description="csv: the stage table as CSV")

    def to_query(self) -> StageQuery:
        return StageQuery(
            self.from_, self.to, self.channel, self.location, self.tz, self.hours, self.group_by
        )


class StageOut(BaseModel):
    stage: Stage
    count: int
    mean_hours: float | None
    p50_hours: float | None
    p90_hours: float | None
    p99_hours: float | None
    negative_count: int = Field(description="durations below zero (kept: history says so)")


class OtherStageOut(StageOut):
    stage: DetailStage | ReturnStage  # type: ignore[assignment]

    @classmethod
    def of(cls, s: StageStats) -> OtherStageOut:
        return cls(
            stage=s.stage,
            count=s.hours.count,
            mean_hours=rounded(s.hours.mean),
            p50_hours=rounded(s.hours.p50),
            p90_hours=rounded(s.hours.p90),
            p99_hours=rounded(s.hours.p99),
            negative_count=s.hours.negative,
        )


class LateSplitOut(BaseModel):
    stage: Stage
    late_orders: int = Field(description="late deliveries with this stage")
    late_mean_hours: float | None
    on_time_orders: int = Field(description="deliveries on time (by the promised day) with it")
    on_time_mean_hours: float | None
    extra_hours: float | None = Field(
        description="late_mean_hours - on_time_mean_hours: what late orders lost in the stage"
    )

    @classmethod
    def of(cls, x: LateSplit) -> LateSplitOut:
        return cls(
            stage=x.stage,
            late_orders=x.late_count,
            late_mean_hours=rounded(x.late_mean),
            on_time_orders=x.on_time_count,
            on_time_mean_hours=rounded(x.on_time_mean),
            extra_hours=rounded(x.extra),
        )


class StageTableOut(BaseModel):
    stages: list[StageOut]
    bottleneck: Stage | None
    late_split: list[LateSplitOut] = Field(
        description="each stage's mean hours over the late and the on-time deliveries"
    )
    late_bottleneck: Stage | None = Field(
        description="the step of the first three in which late orders lost the most hours"
    )
    detail_stages: list[OtherStageOut] = Field(
        description="confirmed → picked → packed → shipped (orders with those events only)"
    )
    detail_bottleneck: Stage | DetailStage | None = Field(
        description="largest median among placed → confirmed, the warehouse steps, shipped → "
        "delivered"
    )
    return_stages: list[OtherStageOut] = Field(
        description="requested → received → refunded (orders with a return only)"
    )
    late_delivery_rate: float | None
    on_time_ship_rate: float | None
    orders: int = Field(description="delivered orders measured")
    late_orders: int
    promised_orders: int = Field(description="measured orders with a promised date")
    shipped_on_time: int
    ship_by_orders: int = Field(description="measured orders with a ship-by day and ship time")

    @classmethod
    def of_report(cls, r: StageReport) -> dict[str, object]:
        return {
            "stages": [
                StageOut(
                    stage=s.stage,
                    count=s.hours.count,
                    mean_hours=rounded(s.hours.mean),
                    p50_hours=rounded(s.hours.p50),
                    p90_hours=rounded(s.hours.p90),
                    p99_hours=rounded(s.hours.p99),
                    negative_count=s.hours.negative,
                )
                for s in r.stages
            ],
            "bottleneck": r.bottleneck,
            "late_split": [LateSplitOut.of(x) for x in r.late_split],
            "late_bottleneck": r.late_bottleneck,
            "detail_stages": [OtherStageOut.of(s) for s in r.detail],
            "detail_bottleneck": r.detail_bottleneck,
            "return_stages": [OtherStageOut.of(s) for s in r.returns],
            "late_delivery_rate": r.late_delivery_rate,
            "on_time_ship_rate": r.on_time_ship_rate,
            "orders": r.orders,
            "late_orders": r.late,
            "promised_orders": r.promised,
            "shipped_on_time": r.shipped_on_time,
            "ship_by_orders": r.ship_by,
        }


class StageGroupOut(StageTableOut):
    key: str = Field(description='the channel, location code, carrier or ISO week; "" for none')


class StageTimesOut(StageTableOut):
    hours: Hours
    tz: str
    group_by: GroupBy | None
    groups: list[StageGroupOut]

    @classmethod
    def of(cls, found: StageTimes) -> StageTimesOut:
        q = found.query
        return cls(
            **cls.of_report(found.report),
            hours=q.hours,
            tz=q.time_zone,
            group_by=q.group_by,
            groups=[
                StageGroupOut(key=key, **StageTableOut.of_report(r)) for key, r in found.groups
            ],
        )


class FlowQueryIn(Strict):
    """`GET /reports/work-in-progress`: days `from` to `to` (both needed, inclusive) in `tz`."""

    from_: IsoDate = Field(alias="from")
    to: IsoDate
    channel: Annotated[str, Field(max_length=64)] | None = None
    location: Annotated[str, Field(max_length=32)] | None = None
    tz: Annotated[str, Field(max_length=64)] = "UTC"
    format: Literal["json", "csv"] = "json"

    def to_query(self) -> FlowQuery:
        return FlowQuery(self.from_, self.to, self.channel, self.location, self.tz)


class FlowDayOut(BaseModel):
    day: date
    wip: dict[Waiting, int] = Field(description="orders waiting at the end of the day")
    throughput: dict[Waiting, int] = Field(description="orders that left the stage that day")


class LittleOut(BaseModel):
    stage: Waiting
    average_wip: float = Field(description="L: time-average orders waiting in the window")
    departures: int
    throughput_per_day: float = Field(description="λ, departures (cancellations included)")
    mean_hours: float | None = Field(description="W: mean time in the stage of the departures")
    littles_law_wip: float | None = Field(description="λ·W, to compare with L")
    ratio: float | None = Field(description="L / (λ·W)")


class FlowOut(BaseModel):
    days: list[FlowDayOut]
    stages: list[LittleOut]

    @classmethod
    def of(cls, found: Flow) -> FlowOut:
        return cls(
            days=[FlowDayOut(day=d.day, wip=d.wip, throughput=d.throughput) for d in found.days],
            stages=[
                LittleOut(
                    stage=s.stage,
                    average_wip=round(s.average_wip, 3),
                    departures=s.departures,
                    throughput_per_day=round(s.throughput_per_day, 3),
                    mean_hours=rounded(s.mean_hours),
                    littles_law_wip=rounded(s.littles_wip),
                    ratio=None if s.ratio is None else round(s.ratio, 4),
                )
                for s in found.stages
            ],
        )


class AgingQueryIn(Strict):
    """`GET /reports/open-orders`."""

    channel: Annotated[str, Field(max_length=64)] | None = None
    include_history: bool = Field(False, description="also imported history's open orders")
    format: Literal["json", "csv"] = Field("json", description="csv: the buckets as CSV")


class BucketOut(BaseModel):
    bucket: str
    orders: int
    backorders: int = Field(description="open orders with units waiting for stock")
    late: int


class AgedOrderOut(BaseModel):
    order_id: int
    number: str
    channel: str
    status: str
    placed_at: datetime
    age_hours: float
    waiting_in: str
    backordered_units: int
    location: str | None
    late: Late | None
    days_late: int


class AgingOut(BaseModel):
    as_of: datetime
    open_orders: int
    late_to_ship: int
    late_to_deliver: int
    buckets: list[BucketOut]
    oldest: list[AgedOrderOut] = Field(description="the 50 oldest open orders, oldest first")

    @classmethod
    def of(cls, found: Aging) -> AgingOut:
        return cls(
            as_of=found.as_of,
            open_orders=found.open_orders,
            late_to_ship=found.late_to_ship,
            late_to_deliver=found.late_to_deliver,
            buckets=[
                BucketOut(bucket=b.label, orders=b.orders, backorders=b.backorders, late=b.late)
                for b in found.buckets
            ],
            oldest=[
                AgedOrderOut(
                    order_id=a.order.order_id,
                    number=a.order.number,
                    channel=a.order.channel,
                    status=a.order.status.value,
                    placed_at=a.order.placed,
                    age_hours=round(a.age_hours, 3),
                    waiting_in=a.waiting_in,
                    backordered_units=a.order.backordered_units,
                    location=a.order.location,
                    late=a.late,
                    days_late=a.days_late,
                )
                for a in found.oldest
            ],
        )
