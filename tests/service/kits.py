"""Kits for tests: components stocked, a kit made of them."""

from __future__ import annotations

from decimal import Decimal

from oms.domain.access import SYSTEM
from oms.domain.catalogue.kits import ComponentRequest
from oms.domain.catalogue.model import NewProduct, Product
from oms.services import catalogue
from oms.services.ports import UnitOfWork


def make_kit(uow: UnitOfWork, sku: str, *parts: tuple[str, int], price: str = "30.00") -> Product:
    """A kit of these (SKU, quantity) components, which must exist."""
    new = NewProduct(
        sku,
        f"Kit {sku}",
        Decimal(price),
        "EUR",
        800,
        None,
        tuple(ComponentRequest(s, q) for s, q in parts),
    )
    return catalogue.create_product(uow, SYSTEM, new)
