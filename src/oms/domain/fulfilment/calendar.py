"""Ship dates and promised delivery dates: cut-off times, working days and public holidays."""

from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from oms.domain.countries import country_time_zones, is_country

MONDAY_TO_FRIDAY: frozenset[int] = frozenset(range(5))
MONDAY_TO_SATURDAY: frozenset[int] = frozenset(range(6))
SATURDAY_AND_SUNDAY: frozenset[int] = frozenset({5, 6})
DEFAULT_CUT_OFF = time(15, 0)
FALLBACK_TIME_ZONE = "UTC"
# A year holds at most ~120 days off; past this many days without a business day the
# calendar itself is wrong (e.g. a location with no working days).
_SEARCH_LIMIT = 366

# A location created with only a country gets that country's time zone. Where the country
# spans several, oms picks the one where most of its people (and warehouses) are; the
# others among them fall back to UTC until someone picks for them.
MAIN_TIME_ZONES: dict[str, str] = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CN": "Asia/Shanghai",
    "CY": "Asia/Nicosia",
    "DE": "Europe/Berlin",
    "ES": "Europe/Madrid",
    "MX": "America/Mexico_City",
    "NZ": "Pacific/Auckland",
    "PT": "Europe/Lisbon",
    "UA": "Europe/Kyiv",
    "US": "America/New_York",
}


def default_time_zone(country: str) -> str:
    """The IANA time zone for a location known only by its country: the country's own zone,
    oms's pick where it has several, UTC for a country with several and no pick."""
    if country in MAIN_TIME_ZONES:
        return MAIN_TIME_ZONES[country]
    zones = country_time_zones(country)
    return next(iter(zones)) if len(zones) == 1 else FALLBACK_TIME_ZONE


@lru_cache(maxsize=1024)
def public_holidays(country: str, year: int) -> frozenset[date]:
    """National public holidays (with observed substitutes) of a country in one year.

    Regional holidays (a German Land, Alsace-Moselle) are left out: a destination is known
    by its country, and a day off in one region is a business day for the carrier network.
    A country the `holidays` package does not know has none.
    """
    if not _known(country):
        return frozenset()
    return frozenset(holidays.country_holidays(country, years=year))


@lru_cache(maxsize=512)
def weekend(country: str) -> frozenset[int]:
    """The weekdays (Monday=0) a country rests on: Saturday and Sunday unless it differs."""
    if not _known(country):
        return SATURDAY_AND_SUNDAY
    return frozenset(holidays.country_holidays(country).weekend)


@lru_cache(maxsize=1)
def _supported() -> frozenset[str]:
    """The countries the `holidays` package has calendars for (read once, when first needed)."""
    return frozenset(holidays.list_supported_countries())


def _known(country: str) -> bool:
    return country in _supported()


def is_business_day(day: date, country: str) -> bool:
    """Neither a weekend nor a public holiday in `country`."""
    return day.weekday() not in weekend(country) and day not in public_holidays(country, day.year)


@dataclass(frozen=True, slots=True)
class LocationSchedule:
    """When a location hands parcels to the carrier: working days, daily cut-off, time zone.

    A working day is one of `working_days` that is not a public holiday of the location's
    country (the carrier does not collect then). `cut_off` is wall-clock time in `time_zone`.
    """

    country: str
    time_zone: str
    cut_off: time = DEFAULT_CUT_OFF
    working_days: frozenset[int] = MONDAY_TO_FRIDAY

    def __post_init__(self) -> None:
        if not is_country(self.country):
            raise ValueError(f"unknown ISO 3166-1 country {self.country!r}")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {self.time_zone!r}") from None
        if self.cut_off.tzinfo is not None:
            raise ValueError("the cut-off is a wall-clock time in the location's time zone")
        if not self.working_days or not set(self.working_days) <= set(range(7)):
            raise ValueError("working days are a non-empty set of weekdays, Monday=0 to Sunday=6")
        object.__setattr__(self, "working_days", frozenset(self.working_days))

    @classmethod
    def for_country(
        cls,
        country: str,
        cut_off: time = DEFAULT_CUT_OFF,
        working_days: Set[int] = MONDAY_TO_FRIDAY,
    ) -> LocationSchedule:
        """The defaults for a location created with only a country."""
        return cls(country, default_time_zone(country), cut_off, frozenset(working_days))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and day not in public_holidays(
            self.country, day.year
        )

    def local_time(self, at: datetime) -> datetime:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("the moment must be timezone-aware (oms keeps times in UTC)")
        return at.astimezone(ZoneInfo(self.time_zone))

    def ship_date(self, at: datetime) -> date:
        """The day a parcel ready at `at` leaves: today before the cut-off on a working day,
        otherwise the next working day. At the cut-off exactly is too late."""
        local = self.local_time(at)
        today = local.date()
        if self.is_working_day(today) and local.time() < self.cut_off:
            return today
        return _next_day(today, self.is_working_day)


def promised_delivery_date(ship_date: date, transit_days: int, destination: str) -> date:
    """The ship date plus `transit_days` business days of the destination country.

    Transit 0 means delivered the day it ships. The ship date itself never counts as a day
    of transit, so transit 1 from a Friday is the next business day, usually Monday.
    """
    if transit_days < 0:
        raise ValueError(f"transit days cannot be negative, got {transit_days}")
    day = ship_date
    for _ in range(transit_days):
        day = _next_day(day, lambda d: is_business_day(d, destination))
    return day


@dataclass(frozen=True, slots=True)
class DeliveryPromise:
    """What the customer is told when a shipment is made: when it leaves, when it arrives."""

    ship_date: date
    promised_delivery_date: date


def promise(
    schedule: LocationSchedule, at: datetime, transit_days: int, destination: str
) -> DeliveryPromise:
    """Ship date from the location's calendar, then transit over the destination's calendar."""
    ships = schedule.ship_date(at)
    return DeliveryPromise(ships, promised_delivery_date(ships, transit_days, destination))


def _next_day(after: date, is_open: Callable[[date], bool]) -> date:
    day = after
    for _ in range(_SEARCH_LIMIT):
        day += timedelta(days=1)
        if is_open(day):
            return day
    raise ValueError(f"no open day within {_SEARCH_LIMIT} days after {after.isoformat()}")
