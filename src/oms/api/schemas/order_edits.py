"""Request bodies of order edits (docs/order-edits.md); every edit answers with the order."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, StrictInt

from oms.api.schemas.address import Address
from oms.api.schemas.common import Amount, Strict
from oms.services.order_edits import NewLine, OrderEdit

Quantity = Annotated[StrictInt, Field(ge=1, le=1_000_000)]


class OrderPatchIn(Strict):
    """`PATCH /orders/{id}`: a new shipping address, a new priority, or both."""

    shipping_address: Address | None = None
    priority: Annotated[StrictInt, Field(ge=-100, le=100)] | None = None

    def to_edit(self) -> OrderEdit:
        address = self.shipping_address.to_domain() if self.shipping_address else None
        return OrderEdit(address=address, priority=self.priority)


class NewLineIn(Strict):
    """`POST /orders/{id}/lines`: a product the order does not have yet."""

    sku: Annotated[str, Field(max_length=64)]
    quantity: Quantity
    unit_price: Annotated[
        Amount | None,
        Field(description="In the order's currency; the catalogue's price when left out"),
    ] = None
    tax: Annotated[
        Amount, Field(description="The line's tax as the channel would charge it, all units")
    ] = Decimal(0)

    def to_edit(self) -> OrderEdit:
        return OrderEdit(add=[NewLine(self.sku, self.quantity, self.unit_price, self.tax)])


class LinePatchIn(Strict):
    """`PATCH /orders/{id}/lines/{line_id}`: what the customer now orders of the line."""

    quantity: Quantity

    def to_edit(self, line_id: int) -> OrderEdit:
        return OrderEdit(quantities={line_id: self.quantity})
