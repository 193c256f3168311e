"""Suppliers and purchase orders over HTTP (docs/planning.md). Money is a decimal string in
the supplier's currency (cost prices, line costs)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, StrictInt

from oms.api.schemas.common import Amount, IsoDate, Strict, amount
from oms.api.schemas.replenishment import LeadTimeOut
from oms.domain.errors import FieldErrors
from oms.domain.money import minor_unit
from oms.domain.planning.purchase_orders import PurchaseOrder, Supplier
from oms.services.ports.planning import SupplierTerms
from oms.services.purchasing import PurchaseOrderView, SupplierChange, SupplierDetail

Code = Annotated[str, Field(min_length=1, max_length=32)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Days = Annotated[StrictInt, Field(ge=0, le=365)]
Units = Annotated[StrictInt, Field(ge=0, le=1_000_000_000)]


def to_minor(value: Decimal, currency: str, field: str) -> int:
    """A decimal amount in whole minor units; 422 if negative or finer than the currency."""
    scaled = value.scaleb(minor_unit(currency))
    if value < 0 or scaled != scaled.to_integral_value():
        raise FieldErrors.single(field, f"an amount not negative, at most the cents of {currency}")
    return int(scaled)


def _money(minor: int, currency: str) -> str:
    return amount(Decimal(minor).scaleb(-minor_unit(currency)), currency)


class SupplierIn(Strict):
    code: Code
    name: Name
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    lead_time_days: Days
    minimum_units: Units = 0

    def to_domain(self) -> Supplier:
        return Supplier(
            0, self.code, self.name, self.currency, self.lead_time_days, self.minimum_units
        )


class SupplierPatchIn(Strict):
    name: Name | None = None
    lead_time_days: Days | None = None
    minimum_units: Units | None = None

    def to_domain(self) -> SupplierChange:
        return SupplierChange(self.name, self.lead_time_days, self.minimum_units)


class TermsIn(Strict):
    """What the supplier charges for one unit of the product, and how many come in a pack."""

    unit_cost: Amount
    pack_size: Annotated[StrictInt, Field(ge=1, le=1_000_000)] = 1


class TermsOut(BaseModel):
    sku: str
    unit_cost: str
    pack_size: int

    @classmethod
    def of(cls, terms: SupplierTerms, currency: str) -> TermsOut:
        return cls(
            sku=terms.sku, unit_cost=_money(terms.cost_minor, currency), pack_size=terms.pack_size
        )


class SupplierOut(BaseModel):
    code: str
    name: str
    currency: str
    lead_time_days: int
    minimum_units: int
    products: list[TermsOut] | None = Field(None, description="Only on GET /suppliers/{code}")
    observed_lead_time: LeadTimeOut | None = Field(
        None,
        description="Only on GET /suppliers/{code}: days from sending to receipt over its "
        "receipts (the stated lead time without any)",
    )
    product_lead_times: dict[str, LeadTimeOut] | None = Field(
        None, description="Only on GET /suppliers/{code}: per product with receipts"
    )

    @classmethod
    def of(cls, s: Supplier, detail: SupplierDetail | None = None) -> SupplierOut:
        return cls(
            code=s.code, name=s.name, currency=s.currency, lead_time_days=s.lead_time_days,
            minimum_units=s.minimum_units,
            products=[TermsOut.of(t, s.currency) for t in detail.terms] if detail else None,
        )  # fmt: skip


class PurchaseLineIn(Strict):
    sku: Annotated[str, Field(min_length=1, max_length=64)]
    quantity: Annotated[StrictInt, Field(ge=1, le=1_000_000_000)]
    unit_cost: Amount


class PurchaseOrderIn(Strict):
    supplier: Code
    location: Code
    lines: Annotated[list[PurchaseLineIn], Field(min_length=1, max_length=1000)]
    expected_on: IsoDate | None = Field(
        None, description="When the goods are due, if known now; sending may change it"
    )


class SendIn(Strict):
    expected_on: IsoDate | None = Field(
        None,
        description="When the goods are due; default: the draft's date, else today plus its"
        " lead time",
    )


class ReceiveLineIn(Strict):
    line_id: Annotated[StrictInt, Field(ge=1)]
    quantity: Annotated[StrictInt, Field(ge=1, le=1_000_000_000)]


class ReceiveIn(Strict):
    lines: Annotated[list[ReceiveLineIn], Field(min_length=1, max_length=1000)]

    def units(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for line in self.lines:
            out[line.line_id] = out.get(line.line_id, 0) + line.quantity
        return out


class PurchaseLineOut(BaseModel):
    id: int
    sku: str
    quantity: int
    received_quantity: int
    outstanding: int
    unit_cost: str


class PurchaseOrderOut(BaseModel):
    id: int
    supplier: str
    location: str
    currency: str
    status: str
    expected_on: date | None
    total_cost: str
    lines: list[PurchaseLineOut]

    @classmethod
    def of(cls, view: PurchaseOrderView) -> PurchaseOrderOut:
        o: PurchaseOrder = view.order
        return cls(
            id=o.id, supplier=view.supplier, location=view.location, currency=o.currency,
            status=o.status.value, expected_on=o.expected_on,
            total_cost=_money(sum(x.quantity * x.unit_cost_minor for x in o.lines), o.currency),
            lines=[
                PurchaseLineOut(
                    id=x.id, sku=x.sku, quantity=x.quantity,
                    received_quantity=x.received_quantity, outstanding=x.outstanding,
                    unit_cost=_money(x.unit_cost_minor, o.currency),
                )
                for x in o.lines
            ],
        )  # fmt: skip
