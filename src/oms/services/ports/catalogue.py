"""What catalogue use cases need from storage: products and locations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from oms.domain.catalogue.kits import Component
from oms.domain.catalogue.model import Location, NewLocation, NewProduct, Product


class ProductRepository(Protocol):
    def add(self, product: NewProduct, now: datetime) -> Product: ...
    def get(self, sku: str) -> Product | None: ...
    def by_skus(self, skus: Sequence[str]) -> dict[str, Product]: ...
    def by_ids(self, product_ids: Sequence[int]) -> dict[int, Product]: ...
    def add_kit(self, kit_id: int, components: Sequence[Component]) -> None:
        """Make the product a kit of these components (decision 0008)."""

    def kits_containing(self, product_ids: Sequence[int]) -> list[int]:
        """The ids of the kits that have any of these products as a component."""

    def page(
        self,
        after_sku: str | None,
        limit: int,
        text: str | None = None,
        archived: bool | None = False,
    ) -> list[Product]:
        """Products by SKU after `after_sku`: those whose SKU or name contains `text` (any
        case), active ones only (archived=False), archived ones only (True) or all (None)."""

    def save(self, product: Product) -> None:
        """Store a product's name, price, weight, barcode and whether it is archived."""


class LocationRepository(Protocol):
    def add(self, location: NewLocation, now: datetime) -> Location: ...
    def get(self, code: str) -> Location | None: ...
    def by_id(self, location_id: int) -> Location | None: ...
    def save_settings(self, location: Location) -> None:
        """Store its name, kind, whether it ships, priority and calendar settings."""

    def all(self) -> list[Location]: ...
