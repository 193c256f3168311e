"""Carrier rate tables as data: zones by route and postal prefix, priced per shipment and kg."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from oms.domain.countries import is_country
from oms.domain.fulfilment.errors import NoRate, ShipmentTooHeavy
from oms.domain.money import Money

EU_COUNTRIES: frozenset[str] = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
GRAMS_PER_KG = 1000


def normalise_postal_code(postal_code: str) -> str:
    """Postal codes compare without spaces or dashes, upper-cased ("20 090" -> "20090")."""
    return "".join(ch for ch in postal_code if ch not in " -").upper()


def charged_kilograms(weight_grams: int) -> int:
    """Started kilograms above the first one, which the base price includes."""
    if weight_grams < 0:
        raise ValueError(f"a weight cannot be negative, got {weight_grams} g")
    started = -(-weight_grams // GRAMS_PER_KG)
    return max(started - 1, 0)


@dataclass(frozen=True, slots=True)
class RateZone:
    """Where a price applies: from one country to some countries, optionally some postal areas.

    Cost = `base` (first kilogram included) + `per_kg` for each started kilogram above it.
    With no `postal_prefixes` the zone covers the whole of each destination country.
    """

    name: str
    origin: str
    destinations: frozenset[str]
    base: Money
    per_kg: Money
    transit_days: int
    postal_prefixes: frozenset[str] = frozenset()
    max_weight_grams: int = 30_000

    def __post_init__(self) -> None:
        problems = [
            f"unknown country {code!r}"
            for code in sorted({self.origin, *self.destinations})
            if not is_country(code)
        ]
        if not self.destinations:
            problems.append("needs at least one destination country")
        if self.base.currency != self.per_kg.currency:
            problems.append("base and per-kg prices must share a currency")
        if min(self.base.amount, self.per_kg.amount) < 0:
            problems.append("prices cannot be negative")
        if self.transit_days < 0 or self.max_weight_grams <= 0:
            problems.append("transit days must be >= 0 and the weight limit > 0")
        if any(p != normalise_postal_code(p) or not p for p in self.postal_prefixes):
            problems.append("postal prefixes must be non-empty, upper-case, without spaces")
        if problems:
            raise ValueError(f"rate zone {self.name!r}: " + "; ".join(problems))

    def prefix_matching(self, postal_code: str) -> str | None:
        """The longest prefix of this zone that starts the (normalised) postal code, if any."""
        if not self.postal_prefixes:
            return ""
        matching = [p for p in self.postal_prefixes if postal_code.startswith(p)]
        return max(matching, key=len) if matching else None

    def cost(self, weight_grams: int) -> Money:
        return self.base + self.per_kg * charged_kilograms(weight_grams)


@dataclass(frozen=True, slots=True)
class Quote:
    """The price and transit time of one shipment on one route."""

    zone: str
    cost: Money
    transit_days: int


@dataclass(frozen=True, slots=True)
class RateTable:
    """A carrier's zones. Each (origin, destination, postal prefix) belongs to one zone only,
    so a look-up never has to choose between equals: the longest matching prefix wins."""

    zones: tuple[RateZone, ...]

    def __post_init__(self) -> None:
        seen: dict[tuple[str, str, str], str] = {}
        for zone in self.zones:
            for key in _keys(zone):
                if key in seen:
                    origin, destination, prefix = key
                    raise ValueError(
                        f"zones {seen[key]!r} and {zone.name!r} both cover {origin} -> "
                        f"{destination}" + (f" postal prefix {prefix}" if prefix else "")
                    )
                seen[key] = zone.name

    def zone_for(self, origin: str, destination: str, postal_code: str) -> RateZone:
        """The zone of a route: among zones serving origin -> destination, the one whose
        postal prefix is the longest that starts the postal code. Raises NoRate."""
        code = normalise_postal_code(postal_code)
        best: tuple[int, RateZone] | None = None
        for zone in self.zones:
            if zone.origin != origin or destination not in zone.destinations:
                continue
            prefix = zone.prefix_matching(code)
            if prefix is not None and (best is None or len(prefix) > best[0]):
                best = (len(prefix), zone)
        if best is None:
            raise NoRate(f"no rate from {origin} to {destination} postal code {postal_code!r}")
        return best[1]

    def quote(self, origin: str, destination: str, postal_code: str, weight_grams: int) -> Quote:
        """Cost and transit business days of a shipment. Raises NoRate or ShipmentTooHeavy."""
        zone = self.zone_for(origin, destination, postal_code)
        if weight_grams > zone.max_weight_grams:
            raise ShipmentTooHeavy(
                f"{weight_grams} g is over the {zone.max_weight_grams} g limit "
                f"of zone {zone.name!r}"
            )
        return Quote(zone.name, zone.cost(weight_grams), zone.transit_days)


def _keys(zone: RateZone) -> Iterable[tuple[str, str, str]]:
    prefixes = zone.postal_prefixes or frozenset({""})
    return ((zone.origin, d, p) for d in zone.destinations for p in prefixes)


_FR_MC = frozenset({"FR", "MC"})  # La Poste and DHL price Monaco as France
_FR = frozenset({"FR"})
_DE = frozenset({"DE"})
_EU_REST = EU_COUNTRIES - {"FR", "DE"}
_WHOLE = frozenset[str]()
_CORSICA = frozenset({"20"})  # 20000-20999, both Corsican departments (2A and 2B)
_OVERSEAS = frozenset({"97", "98"})  # French overseas departments and collectivities

# The built-in carrier's table. Prices are made up but of the order of French and German
# parcel services' business rates (tracked parcel to the door, VAT excluded), as are the
# weight limits (La Poste takes up to 30 kg, DHL up to 31.5 kg); not any carrier's tariff.
# name, origin, destinations, postal prefixes, base EUR (first kg), EUR per extra kg,
# transit business days, weight limit in grams
_DEFAULT_ZONES: tuple[tuple[str, str, frozenset[str], frozenset[str], str, str, int, int], ...] = (
    ("FR domestic", "FR", _FR_MC, _WHOLE, "6.50", "0.90", 2, 30_000),
    ("FR Corsica", "FR", _FR, _CORSICA, "9.50", "1.30", 3, 30_000),
    ("FR overseas", "FR", _FR, _OVERSEAS, "24.00", "7.50", 6, 30_000),
    ("FR to Germany", "FR", _DE, _WHOLE, "12.90", "1.20", 3, 30_000),
    ("FR to EU", "FR", _EU_REST, _WHOLE, "15.90", "1.60", 5, 30_000),
    ("DE domestic", "DE", _DE, _WHOLE, "4.99", "0.45", 1, 31_500),
    ("DE to France", "DE", _FR_MC, _WHOLE, "12.49", "1.10", 3, 31_500),
    ("DE to Corsica", "DE", _FR, _CORSICA, "15.49", "1.40", 5, 31_500),
    ("DE to French overseas", "DE", _FR, _OVERSEAS, "29.90", "8.50", 8, 31_500),
    ("DE to EU", "DE", _EU_REST, _WHOLE, "14.49", "1.40", 4, 31_500),
)


@cache
def default_rate_table() -> RateTable:
    """The built-in carrier's table as a RateTable, built when first asked: its prices and
    countries are checked against the currency and country lists, which are not read when
    this module is imported."""
    return RateTable(
        tuple(
            RateZone(
                name,
                origin,
                destinations,
                Money(Decimal(base), "EUR"),
                Money(Decimal(per_kg), "EUR"),
                transit,
                postal_prefixes=prefixes,
                max_weight_grams=max_grams,
            )
            for name, origin, destinations, prefixes, base, per_kg, transit, max_grams in (
                _DEFAULT_ZONES
            )
        )
    )
