"""Countries: the ISO 3166-1 alpha-2 codes oms accepts, their names and their time zones.

The lists are not ours: codes and names come from pycountry (ISO 3166-1, as Debian's
iso-codes keep it), a country's time zones from Babel (Unicode CLDR, which follows the IANA
time zone database). oms decides only the spelling it accepts: upper-case alpha-2, nothing
else. Both packages are imported when first asked, never when this module is imported, and
each table is read once per process.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache


def is_country(code: str) -> bool:
    """An ISO 3166-1 alpha-2 code as oms spells it: "FR", never "fr", "FRA" or "250"."""
    return code in _names()


def country_name(code: str) -> str:
    """The country's English short name ("France", "South Korea"). Raises ValueError."""
    try:
        return _names()[code]
    except KeyError:
        raise ValueError(f"unknown ISO 3166-1 country {code!r}") from None


def country_code(text: str) -> str | None:
    """The alpha-2 code of a country written as its code or its English name ("FR",
    "France", "United Kingdom", "USA"), or None when pycountry does not know it."""
    if is_country(text):
        return text
    import pycountry

    try:
        code: str = pycountry.countries.lookup(text.strip()).alpha_2
    except LookupError:
        return None
    return code


def country_time_zones(code: str) -> frozenset[str]:
    """The IANA time zones in use in a country (several for the US, none for an unknown)."""
    return _zones().get(code, frozenset())


@cache
def _names() -> Mapping[str, str]:
    import pycountry

    # ISO's own short name reads like an index entry for a few countries ("Korea, Republic
    # of"); pycountry's common name, where it has one, is the name people write.
    return {
        country.alpha_2: getattr(country, "common_name", None) or country.name
        for country in pycountry.countries
    }


@cache
def _zones() -> Mapping[str, frozenset[str]]:
    from babel.core import get_global

    territory_zones: Mapping[str, list[str]] = get_global("territory_zones")
    return {code: frozenset(territory_zones.get(code, ())) for code in _names()}
