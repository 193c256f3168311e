"""Local delivery: a location's own drivers as a carrier service to the postal codes it lists.

It is priced and timed like any carrier service (a base price with the first kilogram, a
price per started kilogram above it, transit days, a cut-off), so sourcing, promises and
shipping treat it as one more way to ship. The rule that chooses it: a location whose
local delivery covers the address ships by it (see `docs/last-mile.md`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from oms.domain.errors import FieldErrors
from oms.domain.fulfilment.calendar import LocationSchedule
from oms.domain.fulfilment.rates import Quote, charged_kilograms, normalise_postal_code
from oms.domain.money import Money, fits_currency, is_currency

LOCAL_CARRIER = "local"  # the carrier row its shipments carry (migration 0013)
LOCAL_SERVICE = "local"
DEFAULT_MAX_ATTEMPTS = 3
MAX_ATTEMPTS_LIMIT = 10
MAX_TRANSIT_DAYS = 14
MAX_PREFIXES = 200


@dataclass(frozen=True, slots=True)
class LocalDelivery:
    """What a location delivers itself: to which postal prefixes, at what price and speed.

    No prefixes: it delivers nowhere (the settings are kept, the service is off).
    """

    location_id: int
    postal_prefixes: frozenset[str]
    base: Money
    per_kg: Money
    transit_days: int = 0
    cut_off: time = time(11, 0)
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    def covers(self, origin_country: str, country: str, postal_code: str) -> bool:
        """Its drivers go there: same country as the location, a listed postal prefix."""
        if country != origin_country or not self.postal_prefixes:
            return False
        code = normalise_postal_code(postal_code)
        return any(code.startswith(p) for p in self.postal_prefixes)

    def quote(self, weight_grams: int) -> Quote:
        cost = self.base + self.per_kg * charged_kilograms(max(weight_grams, 0))
        return Quote("local delivery", cost, self.transit_days)

    def schedule(self, location: LocationSchedule) -> LocationSchedule:
        """The location's calendar with the local cut-off: the vans leave on its working
        days, and a parcel ready after the local cut-off goes on the next one."""
        return LocationSchedule(
            location.country, location.time_zone, self.cut_off, location.working_days
        )


@dataclass(frozen=True, slots=True)
class LocalDeliverySettings:
    """What an admin sets for a location's local delivery (all of it, each time)."""

    postal_prefixes: tuple[str, ...]
    base: Decimal
    per_kg: Decimal
    currency: str
    transit_days: int = 0
    cut_off: time = time(11, 0)
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    def for_location(self, location_id: int) -> LocalDelivery:
        """The stored settings; FieldErrors name each field that breaks a rule."""
        errors = FieldErrors()
        prefixes = frozenset(normalise_postal_code(p) for p in self.postal_prefixes)
        if "" in prefixes:
            errors.add("postal_prefixes", "a prefix must not be empty")
        elif len(prefixes) > MAX_PREFIXES:
            errors.add("postal_prefixes", f"at most {MAX_PREFIXES} prefixes")
        elif any(len(p) > 10 or not p.isalnum() for p in prefixes):
            errors.add("postal_prefixes", "letters and digits, at most 10 of them each")
        if not is_currency(self.currency):
            errors.add("currency", f"unknown ISO 4217 currency {self.currency!r}")
        else:
            for name, amount in (("base", self.base), ("per_kg", self.per_kg)):
                if amount < 0:
                    errors.add(name, "must not be negative")
                elif not fits_currency(amount, self.currency):
                    errors.add(name, f"more decimals than {self.currency} allows")
        if not 0 <= self.transit_days <= MAX_TRANSIT_DAYS:
            errors.add("transit_days", f"between 0 (same day) and {MAX_TRANSIT_DAYS}")
        if not 1 <= self.max_attempts <= MAX_ATTEMPTS_LIMIT:
            errors.add("max_attempts", f"between 1 and {MAX_ATTEMPTS_LIMIT}")
        if self.cut_off.tzinfo is not None:
            errors.add("cut_off", "a wall-clock time in the location's time zone")
        errors.raise_if_any()
        return LocalDelivery(
            location_id,
            prefixes,
            Money(self.base, self.currency),
            Money(self.per_kg, self.currency),
            self.transit_days,
            self.cut_off,
            self.max_attempts,
        )
