"""Products and locations in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa

from oms.adapters.db import driver_sql
from oms.adapters.db.base import Repository, from_minor, to_minor, unique_violation
from oms.adapters.db.tables import kit_components, locations, products
from oms.domain.catalogue.kits import Component
from oms.domain.catalogue.model import Location, LocationKind, NewLocation, NewProduct, Product
from oms.domain.errors import AlreadyExists


def _product(m: Any) -> Product:
    """A product from a row's mapping (its columns by name)."""
    return Product(
        id=m["id"],
        sku=m["sku"],
        name=m["name"],
        price=from_minor(m["price_minor"], m["currency"]),
        currency=m["currency"],
        weight_grams=m["weight_grams"],
        barcode=m["barcode"],
        archived=bool(m["archived"]),
    )


def _location(row: Any) -> Location:
    m = row._mapping
    return Location(
        id=m["id"],
        code=m["code"],
        name=m["name"],
        kind=LocationKind(m["kind"]),
        country=m["country"],
        postal_code=m["postal_code"],
        ships=m["ships"],
        priority=m["priority"],
        time_zone=m["time_zone"],
        cut_off=time.fromisoformat(m["cut_off"]),
        working_days=frozenset(int(d) for d in m["working_days"]),
        default_bin=m["default_bin"],
    )


def _settings_values(location: Location) -> dict[str, Any]:
    return {
        "time_zone": location.time_zone,
        "cut_off": location.cut_off.strftime("%H:%M"),
        "working_days": "".join(str(d) for d in sorted(location.working_days)),
        "default_bin": location.default_bin,
    }


# What placing an order reads of its products, at the driver level (one statement text
# for any number of SKUs, by dialect): _product's fields, then the kit flag.
_PRODUCT_FIELDS = (
    products.c.id,
    products.c.sku,
    products.c.name,
    products.c.price_minor,
    products.c.currency,
    products.c.weight_grams,
    products.c.barcode,
    products.c.archived,
    products.c.kit,
)
_BY_SKUS = {
    dialect: sa.select(*_PRODUCT_FIELDS).where(skus_are)
    for dialect, skus_are in driver_sql.any_of(products.c.sku, "skus", sa.String()).items()
}
_PRODUCT_KEYS = tuple(_BY_SKUS["sqlite"].selected_columns.keys())
_COMPONENTS = (
    sa.select(
        kit_components.c.kit_id,
        kit_components.c.component_id,
        products.c.sku,
        kit_components.c.quantity,
    )
    .join(products, products.c.id == kit_components.c.component_id)
    .where(kit_components.c.kit_id.in_(sa.bindparam("kits", expanding=True)))
    .order_by(kit_components.c.kit_id, kit_components.c.component_id)
)


class SqlProducts(Repository):
    def add(self, product: NewProduct, now: datetime) -> Product:
        try:
            with self.conn.begin_nested():
                new_id = self.conn.execute(
                    products.insert().returning(products.c.id),
                    {
                        "sku": product.sku,
                        "name": product.name,
                        "price_minor": to_minor(product.price, product.currency),
                        "currency": product.currency,
                        "weight_grams": product.weight_grams,
                        "barcode": product.barcode,
                        "created_at": now,
                    },
                ).scalar_one()
        except sa.exc.IntegrityError as error:
            if unique_violation(error, "sku"):
                raise AlreadyExists(f"a product with SKU {product.sku!r} exists") from None
            raise
        return Product(
            new_id,
            product.sku,
            product.name,
            product.price,
            product.currency,
            product.weight_grams,
            product.barcode,
        )

    def add_kit(self, kit_id: int, components: Sequence[Component]) -> None:
        """Make the product a kit of these components (in the transaction that added it)."""
        self.conn.execute(products.update().where(products.c.id == kit_id).values(kit=True))
        self.conn.execute(
            kit_components.insert(),
            [
                {"kit_id": kit_id, "component_id": c.product_id, "quantity": c.quantity}
                for c in components
            ],
        )

    def _with_components(self, rows: Any) -> list[Product]:
        """Products from rows; kits (the flag says which) with their components, read in
        one query only when some product is a kit."""
        found = [(_product(row._mapping), bool(row._mapping["kit"])) for row in rows]
        return self._with_kits(found)

    def _with_kits(self, found: list[tuple[Product, bool]]) -> list[Product]:
        kits = [p.id for p, kit in found if kit]
        if not kits:
            return [p for p, _ in found]
        parts: dict[int, list[Component]] = {}
        for kit_id, component_id, sku, quantity in self.conn.execute(_COMPONENTS, {"kits": kits}):
            parts.setdefault(kit_id, []).append(Component(component_id, sku, quantity))
        return [replace(p, components=tuple(parts.get(p.id, ()))) if kit else p for p, kit in found]

    def kits_containing(self, product_ids: Sequence[int]) -> list[int]:
        """The kits that have any of these products as a component."""
        if not product_ids:
            return []
        query = (
            sa.select(kit_components.c.kit_id)
            .where(kit_components.c.component_id.in_(list(product_ids)))
            .distinct()
            .order_by(kit_components.c.kit_id)
        )
        return list(self.conn.execute(query).scalars())

    def get(self, sku: str) -> Product | None:
        rows = self.conn.execute(products.select().where(products.c.sku == sku))
        found = self._with_components(rows)
        return found[0] if found else None

    def by_skus(self, skus: Sequence[str]) -> dict[str, Product]:
        # Every placement: at the driver level (driver_sql.py).
        query = _BY_SKUS[self.conn.dialect.name]
        rows = driver_sql.fetch_all(self.conn, query, {"skus": list(skus)})
        named = [dict(zip(_PRODUCT_KEYS, r, strict=True)) for r in rows]
        found = [(_product(m), bool(m["kit"])) for m in named]
        return {p.sku: p for p in self._with_kits(found)}

    def by_ids(self, product_ids: Sequence[int]) -> dict[int, Product]:
        if not product_ids:
            return {}
        rows = self.conn.execute(products.select().where(products.c.id.in_(list(product_ids))))
        return {p.id: p for p in self._with_components(rows)}

    def page(
        self,
        after_sku: str | None,
        limit: int,
        text: str | None = None,
        archived: bool | None = False,
    ) -> list[Product]:
        query = products.select().order_by(products.c.sku).limit(limit)
        if after_sku is not None:
            query = query.where(products.c.sku > after_sku)
        if archived is not None:
            query = query.where(products.c.archived.is_(archived))
        if text:
            needle = text.lower()
            query = query.where(
                sa.or_(
                    sa.func.lower(products.c.sku).contains(needle, autoescape=True),
                    sa.func.lower(products.c.name).contains(needle, autoescape=True),
                )
            )
        return self._with_components(self.conn.execute(query))

    def save(self, product: Product) -> None:
        self.conn.execute(
            products.update()
            .where(products.c.id == product.id)
            .values(
                name=product.name,
                price_minor=to_minor(product.price, product.currency),
                weight_grams=product.weight_grams,
                barcode=product.barcode,
                archived=product.archived,
            )
        )


class SqlLocations(Repository):
    def add(self, location: NewLocation, now: datetime) -> Location:
        stored = Location.of(0, location)
        try:
            with self.conn.begin_nested():
                new_id = self.conn.execute(
                    locations.insert().returning(locations.c.id),
                    {
                        "code": location.code,
                        "name": location.name,
                        "kind": location.kind.value,
                        "country": location.country,
                        "postal_code": location.postal_code,
                        "ships": location.ships,
                        "priority": location.priority,
                        "created_at": now,
                        **_settings_values(stored),
                    },
                ).scalar_one()
        except sa.exc.IntegrityError as error:
            if unique_violation(error, "code"):
                raise AlreadyExists(f"a location with code {location.code!r} exists") from None
            raise
        return replace(stored, id=new_id)

    def get(self, code: str) -> Location | None:
        row = self.conn.execute(locations.select().where(locations.c.code == code)).first()
        return _location(row) if row else None

    def by_id(self, location_id: int) -> Location | None:
        row = self.conn.execute(locations.select().where(locations.c.id == location_id)).first()
        return _location(row) if row else None

    def save_settings(self, location: Location) -> None:
        self.conn.execute(
            locations.update()
            .where(locations.c.id == location.id)
            .values(
                name=location.name,
                kind=location.kind.value,
                ships=location.ships,
                priority=location.priority,
                **_settings_values(location),
            )
        )

    def all(self) -> list[Location]:
        rows = self.conn.execute(locations.select().order_by(locations.c.code))
        return [_location(row) for row in rows]
