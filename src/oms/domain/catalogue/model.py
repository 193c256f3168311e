"""Products and locations, and the rules their fields must keep."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from oms.domain.countries import is_country
from oms.domain.errors import FieldErrors
from oms.domain.money import fits_currency, is_currency

SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
MAX_WEIGHT_GRAMS = 1_000_000_000  # the columns are 32-bit integers
MAX_PRIORITY = 1_000_000


class LocationKind(StrEnum):
    WAREHOUSE = "warehouse"
    STORE = "store"
    DISTRIBUTION_CENTER = "distribution_center"


@dataclass(frozen=True, slots=True)
class NewProduct:
    """A product as a user asks to create it."""

    sku: str
    name: str
    price: Decimal
    currency: str
    weight_grams: int | None = None
    barcode: str | None = None

    def validate(self) -> None:
        errors = FieldErrors()
        if not SKU_PATTERN.match(self.sku):
            errors.add("sku", "1-64 letters, digits or . _ / - starting with a letter or digit")
        if not self.name.strip():
            errors.add("name", "must not be empty")
        if not is_currency(self.currency):
            errors.add("currency", f"unknown ISO 4217 currency {self.currency!r}")
        elif not fits_currency(self.price, self.currency):
            errors.add("price", f"more decimals than {self.currency} allows")
        if self.price < 0:
            errors.add("price", "must not be negative")
        if self.weight_grams is not None and not 0 <= self.weight_grams <= MAX_WEIGHT_GRAMS:
            errors.add("weight_grams", f"must be between 0 and {MAX_WEIGHT_GRAMS}")
        errors.raise_if_any()


@dataclass(frozen=True, slots=True)
class Product:
    id: int
    sku: str
    name: str
    price: Decimal
    currency: str
    weight_grams: int | None
    barcode: str | None


@dataclass(frozen=True, slots=True)
class NewLocation:
    """A stock location as a user asks to create it."""

    code: str
    name: str
    kind: LocationKind
    country: str
    postal_code: str
    ships: bool
    priority: int = 0

    def validate(self) -> None:
        errors = FieldErrors()
        if not CODE_PATTERN.match(self.code):
            errors.add("code", "1-32 letters, digits or . _ - starting with a letter or digit")
        if not self.name.strip():
            errors.add("name", "must not be empty")
        if not is_country(self.country):
            errors.add("country", f"unknown ISO 3166-1 alpha-2 country {self.country!r}")
        if not self.postal_code.strip():
            errors.add("postal_code", "must not be empty")
        if not -MAX_PRIORITY <= self.priority <= MAX_PRIORITY:
            errors.add("priority", f"must be between -{MAX_PRIORITY} and {MAX_PRIORITY}")
        errors.raise_if_any()


@dataclass(frozen=True, slots=True)
class Location:
    id: int
    code: str
    name: str
    kind: LocationKind
    country: str
    postal_code: str
    ships: bool
    priority: int
