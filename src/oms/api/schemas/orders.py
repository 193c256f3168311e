"""Request and answer bodies of orders: placing, listing, the order, its timeline."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, StrictInt

from oms.api.schemas.address import Address
from oms.api.schemas.common import Amount, PageQuery, Strict, Text, amount
from oms.domain.orders import model as domain
from oms.domain.orders.events import StoredEvent
from oms.domain.orders.model import DraftLine, Order, OrderDraft
from oms.domain.orders.status import OrderStatus
from oms.domain.payments.model import PaymentStatus
from oms.services.orders import OrderDetail
from oms.services.ports.orders import OrderFilter


class Customer(Strict):
    """Who ordered, as taken and as given back."""

    email: Annotated[str, Field(max_length=320)]
    name: Text
    phone: Annotated[
        str | None,
        Field(
            max_length=32,
            description="Optional: 6 to 15 digits, an optional leading +, spaces, dots,"
            " dashes and parentheses; given back normalised (digits and the leading +)",
        ),
    ] = None
    language: Annotated[
        str | None,
        Field(
            max_length=16,
            description="Optional BCP 47 tag (fr, en-GB): the language of the customer's"
            " e-mails; without it, the shop's",
        ),
    ] = None

    def to_domain(self) -> domain.Customer:
        return domain.Customer(self.email, self.name, self.phone, self.language)

    @classmethod
    def of(cls, c: domain.Customer) -> Customer:
        # Not validated again: given back as it was stored.
        return cls.model_construct(email=c.email, name=c.name, phone=c.phone, language=c.language)


class LineIn(Strict):
    sku: Annotated[str, Field(max_length=64)]
    quantity: StrictInt
    unit_price: Amount | None = None
    discount: Annotated[
        Amount, Field(description="The line's own discount, for all its units (money)")
    ] = Decimal(0)
    tax: Annotated[
        Amount,
        Field(description="The line's tax as the channel computed it, for all its units"),
    ] = Decimal(0)


class OrderIn(Strict):
    channel: Annotated[str, Field(max_length=64)]
    external_id: Annotated[str, Field(max_length=128)] | None = None
    customer: Customer
    shipping_address: Address
    lines: list[LineIn]
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    priority: StrictInt = 0
    shipping: Amount = Decimal(0)
    discount: Annotated[
        Amount,
        Field(description="An order discount (a voucher): spread over the lines by their value"),
    ] = Decimal(0)
    prices_include_tax: Annotated[
        bool,
        Field(description="Prices and shipping include tax (then `tax` is the part that is tax)"),
    ] = False
    hold_id: StrictInt | None = Field(
        None, description="A checkout hold (POST /holds) whose units the order takes first"
    )

    def to_domain(self) -> OrderDraft:
        return OrderDraft(
            channel=self.channel,
            external_id=self.external_id,
            customer=self.customer.to_domain(),
            shipping_address=self.shipping_address.to_domain(),
            lines=[
                DraftLine(line.sku, line.quantity, line.unit_price, line.discount, line.tax)
                for line in self.lines
            ],
            currency=self.currency.upper() if self.currency else None,
            priority=self.priority,
            shipping=self.shipping,
            discount=self.discount,
            prices_include_tax=self.prices_include_tax,
            hold_id=self.hold_id,
        )


class OrderFilters(Strict):
    status: OrderStatus | None = None
    channel: str | None = None
    customer_email: str | None = None
    q: Annotated[str, Field(max_length=200)] | None = None


class OrderQuery(PageQuery, OrderFilters):
    """`GET /orders`. (PageQuery is named first so that its fields come last, where the
    documented query string always had them.)"""

    def to_filter(self, before_id: int | None) -> OrderFilter:
        return OrderFilter(
            status=self.status.value if self.status else None,
            channel=self.channel,
            customer_email=self.customer_email,
            q=self.q,
            before_id=before_id,
            limit=self.limit,
        )


class LineOut(BaseModel):
    id: int
    sku: str
    quantity: int
    unit_price: str
    allocated_quantity: int
    backordered_quantity: int
    shipped_quantity: int
    delivered_quantity: int
    cancelled_quantity: int
    returned_quantity: int
    discount: str
    tax: str


class TotalsOut(BaseModel):
    subtotal: str
    discount: str
    shipping: str
    tax: str
    total: str


class OrderOut(BaseModel):
    id: int
    number: str
    channel: str
    external_id: str | None
    status: str
    priority: int
    customer: Customer
    shipping_address: Address
    currency: str
    lines: list[LineOut]
    totals: TotalsOut
    created_at: datetime
    updated_at: datetime
    tracking_url: str = Field(description="The customer's tracking page (no token needed)")
    prices_include_tax: bool
    payment_status: PaymentStatus
    paid_total: str
    refunded_total: str
    exchange_of: int | None = Field(description="The order whose goods this one replaces")
    exchanges: list[int] = Field(description="Orders that replace goods of this one")

    @classmethod
    def of(cls, o: Order) -> OrderOut:
        t = o.totals
        return cls(
            id=o.id,
            number=o.number,
            channel=o.channel,
            external_id=o.external_id,
            status=o.status.value,
            priority=o.priority,
            customer=Customer.of(o.customer),
            shipping_address=Address.of(o.shipping_address),
            currency=o.currency,
            lines=[
                LineOut(
                    id=line.id,
                    sku=line.sku,
                    quantity=line.quantity,
                    unit_price=amount(line.unit_price, o.currency),
                    allocated_quantity=line.allocated_quantity,
                    backordered_quantity=line.backordered_quantity,
                    shipped_quantity=line.shipped_quantity,
                    delivered_quantity=line.delivered_quantity,
                    cancelled_quantity=line.cancelled_quantity,
                    returned_quantity=line.returned_quantity,
                    discount=amount(line.discount, o.currency),
                    tax=amount(line.tax, o.currency),
                )
                for line in o.lines
            ],
            totals=TotalsOut(
                subtotal=str(t.subtotal.amount),
                discount=str(t.discount.amount),
                shipping=str(t.shipping.amount),
                tax=str(t.tax.amount),
                total=str(t.total.amount),
            ),
            created_at=o.created_at,
            updated_at=o.updated_at,
            tracking_url=f"/track/{o.tracking_token}",
            prices_include_tax=o.prices_include_tax,
            payment_status=o.payment_status,
            paid_total=amount(o.paid_total, o.currency),
            refunded_total=amount(o.refunded_total, o.currency),
            exchange_of=o.exchange_of,
            exchanges=list(o.exchanges),
        )


class ShipmentBriefOut(BaseModel):
    id: int
    location: str
    status: str
    carrier: str | None
    tracking_number: str | None
    promised_delivery_date: date | None
    lines: dict[str, int]


class OrderDetailOut(OrderOut):
    """The order's own answer (GET /orders/{id}): the order, its shipments, and why it
    ships from where it does."""

    shipments: list[ShipmentBriefOut]
    sourcing: dict[str, Any] | None = Field(
        description="The latest sourcing decision, explained; null before confirmation"
    )

    @classmethod
    def detail(cls, d: OrderDetail) -> OrderDetailOut:
        return cls(
            # The fields as they are (not dumped to dicts), so nothing is validated twice.
            **dict(OrderOut.of(d.order)),
            shipments=[
                ShipmentBriefOut(
                    id=s.id,
                    location=s.location,
                    status=s.status.value,
                    carrier=s.carrier,
                    tracking_number=s.tracking_number,
                    promised_delivery_date=s.promised_delivery_date,
                    lines={ln.sku: ln.quantity for ln in s.lines},
                )
                for s in d.shipments
            ],
            sourcing=d.sourcing,
        )


class CancelLineIn(Strict):
    """`POST /orders/{id}/lines/{line_id}/cancel`: units of the line not shipped yet."""

    quantity: Annotated[StrictInt, Field(ge=1, le=1_000_000)]
    reason: Annotated[str, Field(max_length=500)]


class NoteIn(Strict):
    """A note for the order's timeline: staff read it; the tracking page never shows it."""

    text: Annotated[str, Field(max_length=domain.MAX_NOTE)]


class EventOut(BaseModel):
    type: str
    at: datetime
    actor: str
    from_status: str | None
    to_status: str | None
    data: dict[str, Any]

    @classmethod
    def of(cls, e: StoredEvent) -> EventOut:
        return cls(
            type=e.type,
            at=e.at,
            actor=e.actor,
            from_status=e.from_status,
            to_status=e.to_status,
            data=e.data,
        )
