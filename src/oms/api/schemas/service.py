"""Answer bodies of customer service: the queue and the customer view."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from oms.services.customer_service import (
    Customer,
    CustomerOrder,
    CustomerReturn,
    QueueItem,
    Where,
)


class QueueItemOut(BaseModel):
    order_id: int
    number: str
    why: str = Field(
        description="late, on_hold, exception, return_to_inspect, refund_failed (the provider"
        " refused a refund: retry it), backordered_long, or problem (an open problem: a lost"
        " parcel, one back undelivered, what the customer reported)"
    )
    since: datetime
    detail: str | None = Field(
        default=None,
        description="late: to_ship or to_deliver (the shipment due first); problem: its"
        " reason (lost, undeliverable, damaged, ...); otherwise null",
    )

    @classmethod
    def of(cls, item: QueueItem) -> QueueItemOut:
        return cls(
            order_id=item.order_id,
            number=item.number,
            why=item.why.value,
            since=item.since,
            detail=item.detail,
        )


class WhereOut(BaseModel):
    """Where an order is."""

    status: str
    shipment_status: str | None = Field(description="Its latest shipment's status")
    promised_delivery_date: date | None = Field(description="The latest promised date")
    late: bool

    @classmethod
    def of(cls, w: Where) -> WhereOut:
        return cls(
            status=w.status.value,
            shipment_status=w.shipment_status.value if w.shipment_status else None,
            promised_delivery_date=w.promised,
            late=w.late,
        )


class CustomerOrderOut(BaseModel):
    id: int
    number: str
    channel: str
    currency: str
    total: str
    created_at: datetime
    where: WhereOut

    @classmethod
    def of(cls, o: CustomerOrder) -> CustomerOrderOut:
        return cls(
            id=o.id,
            number=o.number,
            channel=o.channel,
            currency=o.total.currency,
            total=str(o.total.amount),
            created_at=o.created_at,
            where=WhereOut.of(o.where),
        )


class CustomerReturnOut(BaseModel):
    id: int
    number: str
    order_id: int
    order_number: str
    status: str
    units: int
    created_at: datetime

    @classmethod
    def of(cls, r: CustomerReturn) -> CustomerReturnOut:
        return cls(
            id=r.id,
            number=r.number,
            order_id=r.order_id,
            order_number=r.order_number,
            status=r.status.value,
            units=r.units,
            created_at=r.created_at,
        )


class CustomerTotalsOut(BaseModel):
    orders: int = Field(description="Every order placed with this email")
    spent: dict[str, str] = Field(description="Per currency: the orders' totals, not cancelled")
    returned_units: int = Field(description="Units received back in returns")
    return_rate: float | None = Field(
        description="returned_units per delivered unit; null before anything was delivered"
    )


class CustomerOut(BaseModel):
    email: str
    name: str = Field(description="As on the newest order")
    phone: str | None = Field(description="The newest order's that has one")
    orders: list[CustomerOrderOut] = Field(description="Newest first, at most 100")
    returns: list[CustomerReturnOut] = Field(description="Newest first")
    totals: CustomerTotalsOut

    @classmethod
    def of(cls, c: Customer) -> CustomerOut:
        t = c.totals
        return cls(
            email=c.email,
            name=c.name,
            phone=c.phone,
            orders=[CustomerOrderOut.of(o) for o in c.orders],
            returns=[CustomerReturnOut.of(r) for r in c.returns],
            totals=CustomerTotalsOut(
                orders=t.orders,
                spent={cur: str(amount) for cur, amount in t.spent.items()},
                returned_units=t.returned_units,
                return_rate=t.return_rate,
            ),
        )
