"""Request and answer bodies of the catalogue: products and locations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from oms.api.schemas.common import Amount, Strict, Text, WallTime
from oms.domain.catalogue.kits import ComponentRequest
from oms.domain.catalogue.model import (
    LocationChange,
    LocationKind,
    LocationSettings,
    NewLocation,
    NewProduct,
    Product,
    ProductChange,
)
from oms.services.kits import ProductAvailability
from oms.services.ports.stock_planning import IncomingLine


class ComponentIn(Strict):
    sku: Annotated[str, Field(max_length=64)]
    quantity: StrictInt = Field(description="units of this product in one kit, at least 1")


class ProductIn(Strict):
    sku: Annotated[str, Field(max_length=64)]
    name: Text
    price: Amount
    currency: Annotated[str, Field(min_length=3, max_length=3)] = "EUR"
    weight_grams: StrictInt | None = None
    barcode: Annotated[str, Field(max_length=64)] | None = None
    components: list[ComponentIn] = Field(
        default_factory=list,
        description="a kit: the products it is made of; its stock is what they allow",
    )

    def to_domain(self) -> NewProduct:
        return NewProduct(
            self.sku,
            self.name,
            self.price,
            self.currency.upper(),
            self.weight_grams,
            self.barcode,
            tuple(ComponentRequest(c.sku, c.quantity) for c in self.components),
        )


class ProductPatch(Strict):
    """Any of these; what is left out stays as it is. `weight_grams` and `barcode` may be
    null to empty them. The SKU and the currency do not change."""

    name: Text | None = None
    price: Amount | None = None
    weight_grams: StrictInt | None = None
    barcode: Annotated[str, Field(max_length=64)] | None = None
    archived: StrictBool | None = Field(
        None, description="true: no longer sold (orders refuse it); false: sold again"
    )

    def to_domain(self) -> ProductChange:
        nulls = {name for name in self.model_fields_set if getattr(self, name) is None}
        return ProductChange(
            self.name, self.price, self.weight_grams, self.barcode, self.archived, frozenset(nulls)
        )


class ComponentOut(BaseModel):
    sku: str
    quantity: int


class ProductOut(BaseModel):
    sku: str
    name: str
    price: str
    currency: str
    weight_grams: int | None
    barcode: str | None
    archived: bool
    kit: bool = False
    components: list[ComponentOut] = Field(default_factory=list)

    @classmethod
    def of(cls, p: Product) -> ProductOut:
        return cls(
            sku=p.sku,
            name=p.name,
            price=str(p.price),
            currency=p.currency,
            weight_grams=p.weight_grams,
            barcode=p.barcode,
            archived=p.archived,
            kit=p.is_kit,
            components=[ComponentOut(sku=c.sku, quantity=c.quantity) for c in p.components],
        )


class LocationAvailableOut(BaseModel):
    location: str
    available: int
    incoming: int = Field(0, description="units on open purchase orders: not available yet")


class IncomingOut(BaseModel):
    """Units of a purchase-order line still expected at a location."""

    location: str
    units: int
    expected_on: date | None
    purchase_order: int

    @classmethod
    def of(cls, x: IncomingLine) -> IncomingOut:
        return cls(
            location=x.location,
            units=x.units,
            expected_on=x.expected_on,
            purchase_order=x.purchase_order_id,
        )


class ProductAvailabilityOut(BaseModel):
    sku: str
    kit: bool
    components: list[ComponentOut]
    available: int
    incoming: int = Field(
        0, description="units on sent or partly received purchase orders: never available"
    )
    locations: list[LocationAvailableOut]
    incoming_lines: list[IncomingOut] = Field(default_factory=list)

    @classmethod
    def of(
        cls, a: ProductAvailability, coming: Sequence[IncomingLine] = ()
    ) -> ProductAvailabilityOut:
        held = {x.location for x in a.locations}
        return cls(
            sku=a.product.sku,
            kit=a.product.is_kit,
            components=[ComponentOut(sku=c.sku, quantity=c.quantity) for c in a.product.components],
            available=a.total,
            incoming=sum(x.units for x in coming),
            locations=[
                LocationAvailableOut(
                    location=x.location,
                    available=x.available,
                    incoming=sum(y.units for y in coming if y.location == x.location),
                )
                for x in a.locations
            ]
            + [
                LocationAvailableOut(
                    location=loc,
                    available=0,
                    incoming=sum(y.units for y in coming if y.location == loc),
                )
                for loc in sorted({y.location for y in coming} - held)
            ],
            incoming_lines=[IncomingOut.of(x) for x in coming],
        )


class LocationSettingsFields(Strict):
    """How a location works; a field left out takes the default (or, when changing a
    location, stays as it is)."""

    time_zone: Annotated[str, Field(max_length=64)] | None = Field(
        None, description="IANA zone; default: the country's"
    )
    cut_off: WallTime | None = Field(None, description="Local time parcels must be ready by; 15:00")
    working_days: list[Annotated[int, Field(ge=0, le=6)]] | None = Field(
        None, description="Weekdays the carrier collects, Monday=0; default Monday-Friday"
    )
    default_bin: Annotated[str, Field(max_length=32)] | None = Field(
        None, description="Where stock without a bin of its own sits; default A-01-01"
    )

    def settings(self) -> LocationSettings:
        return LocationSettings(
            self.time_zone,
            self.cut_off.replace(tzinfo=None) if self.cut_off else None,
            frozenset(self.working_days) if self.working_days is not None else None,
            self.default_bin,
        )


class LocationIn(LocationSettingsFields):
    code: Annotated[str, Field(max_length=32)]
    name: Text
    kind: LocationKind
    country: Annotated[str, Field(min_length=2, max_length=2)]
    postal_code: Annotated[str, Field(max_length=16)]
    ships: StrictBool
    priority: StrictInt = 0

    def to_domain(self) -> NewLocation:
        return NewLocation(
            self.code,
            self.name,
            self.kind,
            self.country.upper(),
            self.postal_code,
            self.ships,
            self.priority,
            self.settings(),
        )


class LocationSettingsIn(LocationSettingsFields):
    """Any of these; what is left out stays as it is."""

    priority: StrictInt | None = None
    ships: bool | None = None
    name: Text | None = None
    kind: LocationKind | None = None

    def to_domain(self) -> LocationChange:
        return LocationChange(self.settings(), self.priority, self.ships, self.name, self.kind)


class LocationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    kind: LocationKind
    country: str
    postal_code: str
    ships: bool
    priority: int
    time_zone: str
    cut_off: time
    working_days: list[int]
    default_bin: str
