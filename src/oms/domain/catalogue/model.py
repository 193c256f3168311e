"""Products and locations, and the rules their fields must keep."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import time
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oms.domain.catalogue.kits import Component, ComponentRequest
from oms.domain.countries import is_country
from oms.domain.errors import FieldErrors
from oms.domain.fulfilment.calendar import (
    DEFAULT_CUT_OFF,
    MONDAY_TO_FRIDAY,
    LocationSchedule,
    default_time_zone,
)
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
    # A kit's components (decision 0008); none: a plain product.
    components: tuple[ComponentRequest, ...] = ()

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
    # Archived: no longer sold (new orders refuse it, lists leave it out); its orders keep it.
    archived: bool = False
    # A kit's components, by product id (decision 0008); a plain product has none.
    components: tuple[Component, ...] = ()

    @property
    def is_kit(self) -> bool:
        return bool(self.components)


CLEARABLE = frozenset({"weight_grams", "barcode"})


@dataclass(frozen=True, slots=True)
class ProductChange:
    """What a user asks to change in a product; None keeps a field as it is, and a name in
    `clear` (weight_grams, barcode) empties it. The SKU and currency never change: orders
    and stock refer to the one and are priced in the other."""

    name: str | None = None
    price: Decimal | None = None
    weight_grams: int | None = None
    barcode: str | None = None
    archived: bool | None = None
    clear: frozenset[str] = frozenset()

    def applied_to(self, product: Product) -> Product:
        """The product as it will be stored; FieldErrors if a changed field breaks a rule."""
        errors = FieldErrors()
        if self.name is not None and not self.name.strip():
            errors.add("name", "must not be empty")
        if self.price is not None:
            if self.price < 0:
                errors.add("price", "must not be negative")
            elif not fits_currency(self.price, product.currency):
                errors.add("price", f"more decimals than {product.currency} allows")
        if self.weight_grams is not None and not 0 <= self.weight_grams <= MAX_WEIGHT_GRAMS:
            errors.add("weight_grams", f"must be between 0 and {MAX_WEIGHT_GRAMS}")
        for name in sorted(self.clear - CLEARABLE):
            errors.add(name, "cannot be emptied")
        errors.raise_if_any()
        return replace(
            product,
            name=product.name if self.name is None else self.name.strip(),
            price=product.price if self.price is None else self.price,
            weight_grams=None
            if "weight_grams" in self.clear
            else (product.weight_grams if self.weight_grams is None else self.weight_grams),
            barcode=None
            if "barcode" in self.clear
            else (product.barcode if self.barcode is None else self.barcode),
            archived=product.archived if self.archived is None else self.archived,
        )


BIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$")
DEFAULT_BIN = "A-01-01"


@dataclass(frozen=True, slots=True)
class LocationSettings:
    """How a location works: when parcels leave and where unplaced stock sits.

    Left out (None), a setting takes the default: the country's time zone, a 15:00 cut-off,
    Monday to Friday, bin A-01-01.
    """

    time_zone: str | None = None
    cut_off: time | None = None
    working_days: frozenset[int] | None = None
    default_bin: str | None = None

    def applied_to(self, base: Location) -> Location:
        """The location with these settings in place of its own (None keeps what it has)."""
        return replace(
            base,
            time_zone=self.time_zone or base.time_zone,
            cut_off=self.cut_off or base.cut_off,
            working_days=self.working_days or base.working_days,
            default_bin=self.default_bin or base.default_bin,
        )

    def check(self, errors: FieldErrors) -> None:
        if self.time_zone is not None:
            try:
                ZoneInfo(self.time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                errors.add("time_zone", f"unknown IANA time zone {self.time_zone!r}")
        if self.working_days is not None and (
            not self.working_days or not self.working_days <= set(range(7))
        ):
            errors.add("working_days", "a non-empty set of weekdays, Monday=0 to Sunday=6")
        if self.default_bin is not None and not BIN_PATTERN.match(self.default_bin):
            errors.add(
                "default_bin", "1-32 letters, digits or . _ / - starting with a letter or digit"
            )


@dataclass(frozen=True, slots=True)
class LocationChange:
    """What a user asks to change in a location; None keeps it. The code, country and
    postal code stay: stock, shipments and rates depend on them."""

    settings: LocationSettings = LocationSettings()
    priority: int | None = None
    ships: bool | None = None
    name: str | None = None
    kind: LocationKind | None = None

    def validate(self) -> None:
        errors = FieldErrors()
        self.settings.check(errors)
        if self.priority is not None and not -MAX_PRIORITY <= self.priority <= MAX_PRIORITY:
            errors.add("priority", f"must be between -{MAX_PRIORITY} and {MAX_PRIORITY}")
        if self.name is not None and not self.name.strip():
            errors.add("name", "must not be empty")
        errors.raise_if_any()

    def applied_to(self, location: Location) -> Location:
        """The location as it will be stored (validate first)."""
        return replace(
            self.settings.applied_to(location),
            priority=location.priority if self.priority is None else self.priority,
            ships=location.ships if self.ships is None else self.ships,
            name=location.name if self.name is None else self.name.strip(),
            kind=self.kind or location.kind,
        )


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
    settings: LocationSettings = LocationSettings()

    def validate(self) -> None:
        errors = FieldErrors()
        self.settings.check(errors)
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
    time_zone: str = "UTC"
    cut_off: time = DEFAULT_CUT_OFF
    working_days: frozenset[int] = MONDAY_TO_FRIDAY
    default_bin: str = DEFAULT_BIN

    @classmethod
    def of(cls, location_id: int, new: NewLocation) -> Location:
        """A new location as stored: settings left out take the defaults of its country."""
        base = cls(
            location_id,
            new.code,
            new.name,
            new.kind,
            new.country,
            new.postal_code,
            new.ships,
            new.priority,
            time_zone=default_time_zone(new.country),
        )
        return new.settings.applied_to(base)

    def schedule(self) -> LocationSchedule:
        """The calendar that decides this location's ship dates."""
        return LocationSchedule(self.country, self.time_zone, self.cut_off, self.working_days)
