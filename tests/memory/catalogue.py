"""Products and locations in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from oms.domain.catalogue.kits import Component
from oms.domain.catalogue.model import Location, NewLocation, NewProduct, Product
from oms.domain.errors import AlreadyExists
from oms.domain.money import minor_unit, quantum
from tests.memory.base import MemoryRepository


def stored_amount(amount: Decimal, currency: str) -> Decimal:
    """An amount as it comes back from integer minor units (the SQL columns)."""
    units = minor_unit(currency)
    return Decimal(int(amount.scaleb(units))).scaleb(-units).quantize(quantum(currency))


def _stored_settings(location: Location) -> Location:
    # The cut-off column holds HH:MM.
    return replace(location, cut_off=location.cut_off.replace(second=0, microsecond=0))


class MemoryProducts(MemoryRepository):
    def add(self, product: NewProduct, now: datetime) -> Product:
        if any(p.sku == product.sku for p in self.state.products.values()):
            raise AlreadyExists(f"a product with SKU {product.sku!r} exists")
        new = Product(
            self.state.next_id("products"),
            product.sku,
            product.name,
            product.price,
            product.currency,
            product.weight_grams,
            product.barcode,
        )
        self.state.products[new.id] = replace(new, price=stored_amount(new.price, new.currency))
        return new

    def add_kit(self, kit_id: int, components: Sequence[Component]) -> None:
        kit = self.state.products[kit_id]
        self.state.products[kit_id] = replace(kit, components=tuple(components))

    def kits_containing(self, product_ids: Sequence[int]) -> list[int]:
        wanted = set(product_ids)
        return sorted(
            p.id
            for p in self.state.products.values()
            if any(c.product_id in wanted for c in p.components)
        )

    def get(self, sku: str) -> Product | None:
        return next((p for p in self.state.products.values() if p.sku == sku), None)

    def by_skus(self, skus: Sequence[str]) -> dict[str, Product]:
        wanted = set(skus)
        return {p.sku: p for p in self.state.products.values() if p.sku in wanted}

    def by_ids(self, product_ids: Sequence[int]) -> dict[int, Product]:
        found = (self.state.products.get(i) for i in product_ids)
        return {p.id: p for p in found if p is not None}

    def page(
        self,
        after_sku: str | None,
        limit: int,
        text: str | None = None,
        archived: bool | None = False,
    ) -> list[Product]:
        needle = (text or "").lower()
        ordered = sorted(self.state.products.values(), key=lambda p: p.sku)
        return [
            p
            for p in ordered
            if (after_sku is None or p.sku > after_sku)
            and archived in (None, p.archived)
            and (needle in p.sku.lower() or needle in p.name.lower())
        ][:limit]

    def save(self, product: Product) -> None:
        stored = self.state.products.get(product.id)
        if stored is not None:
            self.state.products[product.id] = replace(
                stored,
                name=product.name,
                price=stored_amount(product.price, product.currency),
                weight_grams=product.weight_grams,
                barcode=product.barcode,
                archived=product.archived,
            )


class MemoryLocations(MemoryRepository):
    def add(self, location: NewLocation, now: datetime) -> Location:
        if any(loc.code == location.code for loc in self.state.locations.values()):
            raise AlreadyExists(f"a location with code {location.code!r} exists")
        stored = Location.of(self.state.next_id("locations"), location)
        self.state.locations[stored.id] = _stored_settings(stored)
        return stored

    def get(self, code: str) -> Location | None:
        return next((loc for loc in self.state.locations.values() if loc.code == code), None)

    def by_id(self, location_id: int) -> Location | None:
        return self.state.locations.get(location_id)

    def save_settings(self, location: Location) -> None:
        stored = self.state.locations.get(location.id)
        if stored is not None:
            self.state.locations[location.id] = _stored_settings(
                replace(
                    stored,
                    name=location.name,
                    kind=location.kind,
                    ships=location.ships,
                    priority=location.priority,
                    time_zone=location.time_zone,
                    cut_off=location.cut_off,
                    working_days=location.working_days,
                    default_bin=location.default_bin,
                )
            )

    def all(self) -> list[Location]:
        return sorted(self.state.locations.values(), key=lambda loc: loc.code)
