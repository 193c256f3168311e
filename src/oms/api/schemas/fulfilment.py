"""Request and answer bodies of fulfilment: shipments, pick lists, carrier events, availability."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StrictInt

from oms.api.schemas.common import PageQuery, Strict
from oms.domain.fulfilment.model import LateKind, Picked, PickList, Shipment
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.services.availability import Availability
from oms.services.lost_parcels import Reshipped
from oms.services.ports.shipments import ShipmentFilter, StoredCarrierEvent
from oms.services.tracking import EventOutcome

Code = Annotated[str, Field(max_length=64)]


class ShipmentFilters(Strict):
    order_id: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None
    location: Annotated[str, Field(max_length=64)] | None = None
    status: ShipmentStatus | None = None
    late: bool = False
    late_kind: LateKind | None = None
    carrier: Annotated[str, Field(max_length=32)] | None = None


class ShipmentQuery(PageQuery, ShipmentFilters):
    """`GET /shipments`. (PageQuery is named first so that its fields come last, where the
    documented query string always had them.)"""

    def to_filter(self, today: date, before_id: int | None) -> ShipmentFilter:
        return ShipmentFilter(
            order_id=self.order_id,
            location=self.location,
            status=self.status.value if self.status else None,
            late_on=today if self.late or self.late_kind else None,
            late_kind=self.late_kind,
            carrier=self.carrier,
            before_id=before_id,
            limit=self.limit,
        )


class ShipmentLineOut(BaseModel):
    sku: str
    quantity: int
    order_line_id: int
    picked_quantity: int | None


class ShipmentOut(BaseModel):
    id: int
    order_id: int
    location: str
    status: str
    lines: list[ShipmentLineOut]
    carrier: str | None
    service: str | None
    tracking_number: str | None
    ship_date: date | None
    promised_delivery_date: date | None
    weight_grams: int | None
    shipping_cost: str | None
    currency: str | None
    pick_list_id: int | None
    late: bool
    late_kind: LateKind | None = Field(
        description="to_ship: still in the warehouse after its ship_by day; to_deliver: on its"
        " way past the promised delivery date; null: not late"
    )
    ship_by: date | None = Field(description="The day it must leave its location by")
    replaces_id: int | None = Field(description="The lost shipment whose units it sends again")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, s: Shipment, today: date) -> ShipmentOut:
        return cls(
            id=s.id,
            order_id=s.order_id,
            location=s.location,
            status=s.status.value,
            lines=[
                ShipmentLineOut(
                    sku=ln.sku,
                    quantity=ln.quantity,
                    order_line_id=ln.order_line_id,
                    picked_quantity=ln.picked_quantity,
                )
                for ln in s.lines
            ],
            carrier=s.carrier,
            service=s.service,
            tracking_number=s.tracking_number,
            ship_date=s.ship_date,
            promised_delivery_date=s.promised_delivery_date,
            weight_grams=s.weight_grams,
            shipping_cost=str(s.shipping_cost.amount) if s.shipping_cost else None,
            currency=s.shipping_cost.currency if s.shipping_cost else None,
            pick_list_id=s.pick_list_id,
            late=s.is_late(today),
            late_kind=s.late_kind(today),
            ship_by=s.ship_by,
            replaces_id=s.replaces_id,
            created_at=s.created_at,
            updated_at=s.updated_at,
        )


class ReshipOut(BaseModel):
    replaced: ShipmentOut = Field(description="The lost shipment, now replaced")
    shipments: list[ShipmentOut] = Field(
        description="The new shipments of its units (each with replaces_id); empty when no"
        " location has them now"
    )
    backordered: dict[str, int] = Field(
        description="Units per SKU that no location has now: backordered, sent when stock"
        " comes (the backorder rule)"
    )

    @classmethod
    def of(cls, done: Reshipped, today: date) -> ReshipOut:
        return cls(
            replaced=ShipmentOut.of(done.replaced, today),
            shipments=[ShipmentOut.of(s, today) for s in done.shipments],
            backordered=done.backordered,
        )


class PickLineOut(BaseModel):
    sku: str
    bin: str
    quantity: int


class PickListOut(BaseModel):
    id: int
    location: str
    status: str
    shipments: list[int]
    lines: list[PickLineOut]
    created_by: str
    created_at: datetime
    completed_by: str | None
    completed_at: datetime | None

    @classmethod
    def of(cls, p: PickList) -> PickListOut:
        return cls(
            id=p.id,
            location=p.location,
            status=p.status.value,
            shipments=p.shipment_ids,
            lines=[PickLineOut(sku=ln.sku, bin=ln.bin, quantity=ln.quantity) for ln in p.lines],
            created_by=p.created_by,
            created_at=p.created_at,
            completed_by=p.completed_by,
            completed_at=p.completed_at,
        )


class PickListIn(Strict):
    location: Code
    max_orders: StrictInt | None = None


class PickedIn(Strict):
    shipment_id: StrictInt
    sku: Code
    quantity: StrictInt


class CompleteIn(Strict):
    picked: list[PickedIn]

    def to_domain(self) -> list[Picked]:
        return [Picked(p.shipment_id, p.sku, p.quantity) for p in self.picked]


class ScannedIn(Strict):
    sku: Code = Field(description="A SKU or a product barcode")
    quantity: Annotated[int, Field(ge=1, le=1_000_000)]


class PackIn(Strict):
    scanned: list[ScannedIn]
    weight_grams: StrictInt | None = None

    def counts(self) -> list[tuple[str, int]]:
        """(SKU or barcode, quantity) as scanned."""
        return [(s.sku, s.quantity) for s in self.scanned]


class ShipIn(Strict):
    carrier: Code | None = None
    service: Code | None = None


class CarrierEventIn(Strict):
    tracking_number: Annotated[str, Field(max_length=64)]
    status: str
    at: datetime
    location: Annotated[str, Field(max_length=200)] | None = None
    note: Annotated[str, Field(max_length=500)] | None = None


class CarrierEventOut(BaseModel):
    status: str
    at: datetime
    location: str | None
    note: str | None
    applied: bool
    actor: str
    received_at: datetime

    @classmethod
    def of(cls, e: StoredCarrierEvent) -> CarrierEventOut:
        return cls(
            status=e.event.status.value,
            at=e.event.at,
            location=e.event.location,
            note=e.event.note,
            applied=e.applied,
            actor=e.actor,
            received_at=e.received_at,
        )


class EventResultOut(BaseModel):
    recorded: bool = Field(description="False: the same event was received before")
    applied: bool = Field(description="False: older than the latest, or not a step forward")
    shipment: ShipmentOut

    @classmethod
    def of(cls, outcome: EventOutcome, today: date) -> EventResultOut:
        return cls(
            recorded=outcome.recorded,
            applied=outcome.applied,
            shipment=ShipmentOut.of(outcome.shipment, today),
        )


class LocationPromiseOut(BaseModel):
    location: str
    available: int
    ship_date: date | None
    promised_delivery_date: date | None
    cost: str | None
    currency: str | None
    note: str | None


class AvailabilityOut(BaseModel):
    sku: str
    country: str
    postal_code: str
    available: int
    earliest_promised_delivery_date: date | None
    locations: list[LocationPromiseOut]

    @classmethod
    def of(cls, a: Availability) -> AvailabilityOut:
        return cls(
            sku=a.sku,
            country=a.country,
            postal_code=a.postal_code,
            available=a.available,
            earliest_promised_delivery_date=a.earliest_promised_delivery_date,
            locations=[
                LocationPromiseOut(
                    location=p.location,
                    available=p.available,
                    ship_date=p.ship_date,
                    promised_delivery_date=p.promised_delivery_date,
                    cost=str(p.cost.amount) if p.cost else None,
                    currency=p.cost.currency if p.cost else None,
                    note=p.note,
                )
                for p in a.locations
            ],
        )
