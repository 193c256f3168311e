"""Builders for test data: small functions with sensible defaults, overridable by keyword."""

from __future__ import annotations

from decimal import Decimal
from itertools import count
from typing import Any

from oms.domain.access import SYSTEM
from oms.domain.catalogue.model import LocationKind, NewLocation, NewProduct
from oms.domain.orders.model import Address, Customer, DraftLine, OrderDraft
from oms.services import catalogue, inventory
from oms.services.inventory import StockChange
from oms.services.ports import UnitOfWork

_ids = count(1)


def new_product(sku: str | None = None, price: str = "10.00", **kw: Any) -> NewProduct:
    return NewProduct(
        sku or f"SKU-{next(_ids)}",
        kw.pop("name", "Thing"),
        Decimal(price),
        kw.pop("currency", "EUR"),
        **kw,
    )


def new_location(code: str | None = None, **kw: Any) -> NewLocation:
    return NewLocation(
        code or f"LOC{next(_ids)}",
        kw.pop("name", "Warehouse"),
        kw.pop("kind", LocationKind.WAREHOUSE),
        kw.pop("country", "FR"),
        kw.pop("postal_code", "75011"),
        kw.pop("ships", True),
        kw.pop("priority", 0),
    )


def draft(*lines: tuple[str, int], **kw: Any) -> OrderDraft:
    return OrderDraft(
        channel=kw.pop("channel", "web"),
        customer=kw.pop("customer", Customer("ann@example.com", "Ann Smith")),
        shipping_address=kw.pop(
            "address", Address("Ann Smith", "1 rue de la Paix", "Paris", "75002", "FR")
        ),
        lines=[DraftLine(sku, qty) for sku, qty in lines],
        **kw,
    )


def stocked(uow: UnitOfWork, sku: str, on_hand: int, location: str = "PAR", **product: Any) -> None:
    """Make sure the product and location exist, then count `on_hand` units there."""
    if uow.run(lambda: uow.locations.get(location), write=False) is None:
        catalogue.create_location(uow, SYSTEM, new_location(location))
    if uow.run(lambda: uow.products.get(sku), write=False) is None:
        catalogue.create_product(uow, SYSTEM, new_product(sku, **product))
    inventory.count_stock(uow, SYSTEM, StockChange(location, sku, "initial", on_hand=on_hand))


def order_body(*lines: tuple[str, int], **kw: Any) -> dict[str, Any]:
    """An API order body."""
    return {
        "channel": kw.pop("channel", "web"),
        "customer": {"email": "ann@example.com", "name": "Ann Smith"},
        "shipping_address": {
            "name": "Ann Smith",
            "line1": "1 rue de la Paix",
            "city": "Paris",
            "postal_code": "75002",
            "country": "FR",
        },
        "lines": [{"sku": s, "quantity": q} for s, q in lines],
        **kw,
    }
