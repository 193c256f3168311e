"""Ship dates follow the location's clock and calendar; promised dates the destination's."""

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pycountry
import pytest

from oms.domain.countries import country_time_zones
from oms.domain.fulfilment.calendar import (
    MAIN_TIME_ZONES,
    MONDAY_TO_FRIDAY,
    MONDAY_TO_SATURDAY,
    LocationSchedule,
    default_time_zone,
    is_business_day,
    promise,
    promised_delivery_date,
    public_holidays,
)
from oms.domain.fulfilment.rates import EU_COUNTRIES

EVERY_DAY = frozenset(range(7))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def d(text: str) -> date:
    return date.fromisoformat(text)


def paris(
    working_days: frozenset[int] = MONDAY_TO_FRIDAY, cut_off: str = "16:00"
) -> LocationSchedule:
    return LocationSchedule("FR", "Europe/Paris", time.fromisoformat(cut_off), working_days)


def berlin(working_days: frozenset[int] = MONDAY_TO_FRIDAY) -> LocationSchedule:
    return LocationSchedule("DE", "Europe/Berlin", time(16, 0), working_days)


def new_york(working_days: frozenset[int] = MONDAY_TO_FRIDAY) -> LocationSchedule:
    return LocationSchedule("US", "America/New_York", time(15, 0), working_days)


PARIS, PARIS_SAT, PARIS_ALL_WEEK = paris(), paris(MONDAY_TO_SATURDAY), paris(EVERY_DAY)
PARIS_NIGHT = paris(EVERY_DAY, cut_off="02:30")  # a cut-off in the hours clocks skip or repeat
BERLIN, BERLIN_SAT = berlin(), berlin(MONDAY_TO_SATURDAY)
NEW_YORK = new_york()


@pytest.mark.parametrize(
    ("case", "schedule", "at", "ships"),
    [
        # 2026-06-09 is a Tuesday; Paris is UTC+2 in summer.
        ("before the cut-off", PARIS, "2026-06-09 13:59", "2026-06-09"),
        ("at the cut-off exactly is too late", PARIS, "2026-06-09 14:00", "2026-06-10"),
        ("after the cut-off", PARIS, "2026-06-09 15:30", "2026-06-10"),
        ("Friday after the cut-off ships Monday", PARIS, "2026-06-12 14:30", "2026-06-15"),
        ("a Saturday order ships Monday", PARIS, "2026-06-13 08:00", "2026-06-15"),
        ("Saturday order, Saturday worked", PARIS_SAT, "2026-06-13 08:00", "2026-06-13"),
        ("Friday late, Saturday worked", PARIS_SAT, "2026-06-12 14:30", "2026-06-13"),
        ("Sunday is never worked here", PARIS_SAT, "2026-06-13 14:30", "2026-06-15"),
        # "Today" is the location's day: 22:30 UTC on Tuesday is already Wednesday in Paris...
        ("after midnight local time", PARIS, "2026-06-09 22:30", "2026-06-10"),
        # ...and 18:00 UTC is past the Paris cut-off but before New York's (14:00 EDT).
        ("same moment, Paris", PARIS, "2026-06-09 18:00", "2026-06-10"),
        ("same moment, New York", NEW_YORK, "2026-06-09 18:00", "2026-06-09"),
        # Public holidays of the location's country: nobody collects parcels.
        ("Christmas Eve late, FR", PARIS, "2026-12-24 15:30", "2026-12-28"),
        ("Christmas Eve late, DE", BERLIN, "2026-12-24 15:30", "2026-12-28"),
        # Saturday 26 December is a holiday in Germany, not in France.
        ("Christmas Eve late, FR Saturday", PARIS_SAT, "2026-12-24 15:30", "2026-12-26"),
        ("Christmas Eve late, DE Saturday", BERLIN_SAT, "2026-12-24 15:30", "2026-12-28"),
        ("an order on Christmas Day", PARIS, "2026-12-25 09:00", "2026-12-28"),
        ("Labour Day is a Friday", PARIS, "2026-04-30 15:00", "2026-05-04"),
        ("Labour Day, in the morning", PARIS, "2026-05-01 07:00", "2026-05-04"),
        # German Unity Day, 3 October 2026, is a Saturday: it only matters if Saturday is worked.
        ("Unity Day, DE Mon-Fri", BERLIN, "2026-10-02 15:00", "2026-10-05"),
        ("Unity Day, DE Mon-Sat", BERLIN_SAT, "2026-10-02 15:00", "2026-10-05"),
        ("not a holiday in FR", PARIS_SAT, "2026-10-02 15:00", "2026-10-03"),
        ("New Year's Eve late", PARIS, "2026-12-31 16:00", "2027-01-04"),
        ("Thanksgiving, US", NEW_YORK, "2026-11-25 21:00", "2026-11-27"),
    ],
)
def test_ship_date(case: str, schedule: LocationSchedule, at: str, ships: str) -> None:
    assert schedule.ship_date(utc(at)) == d(ships), case


@pytest.mark.parametrize(
    ("case", "schedule", "at", "ships"),
    [
        # Europe changes clocks on Sunday 29 March 2026 (CET UTC+1 -> CEST UTC+2): the same
        # 14:30 UTC is before a 16:00 cut-off on Friday and after it on Monday.
        ("Friday before the change, CET", PARIS, "2026-03-27 14:30", "2026-03-27"),
        ("Monday after the change, CEST", PARIS, "2026-03-30 14:30", "2026-03-31"),
        ("Saturday, worked every day", PARIS_ALL_WEEK, "2026-03-28 14:30", "2026-03-28"),
        ("the change day itself", PARIS_ALL_WEEK, "2026-03-29 14:30", "2026-03-30"),
        # A cut-off inside the hour that does not exist that night (02:00-03:00).
        ("01:59 CET, before 02:30", PARIS_NIGHT, "2026-03-29 00:59", "2026-03-29"),
        ("03:00 CEST, after 02:30", PARIS_NIGHT, "2026-03-29 01:00", "2026-03-30"),
        # 25 October 2026 repeats 02:00-03:00: both 02:15 are before a 02:30 cut-off.
        ("first 02:15 (CEST)", PARIS_NIGHT, "2026-10-25 00:15", "2026-10-25"),
        ("second 02:15 (CET)", PARIS_NIGHT, "2026-10-25 01:15", "2026-10-25"),
        ("02:45 CEST", PARIS_NIGHT, "2026-10-25 00:45", "2026-10-26"),
        # The United States change on Sunday 8 March 2026 (EST UTC-5 -> EDT UTC-4).
        ("Friday before, EST", NEW_YORK, "2026-03-06 19:30", "2026-03-06"),
        ("Monday after, EDT", NEW_YORK, "2026-03-09 19:30", "2026-03-10"),
    ],
)
def test_ship_date_on_daylight_saving_changes(
    case: str, schedule: LocationSchedule, at: str, ships: str
) -> None:
    assert schedule.ship_date(utc(at)) == d(ships), case


def test_the_moment_may_come_in_any_offset() -> None:
    cest = timezone(timedelta(hours=2))
    assert PARIS.ship_date(datetime(2026, 6, 9, 15, 59, tzinfo=cest)) == d("2026-06-09")
    # 09:59 in New York is 15:59 in Paris, 10:00 is 16:00: the Paris cut-off decides.
    new_york_time = ZoneInfo("America/New_York")
    assert PARIS.ship_date(datetime(2026, 6, 9, 9, 59, tzinfo=new_york_time)) == d("2026-06-09")
    assert PARIS.ship_date(datetime(2026, 6, 9, 10, 0, tzinfo=new_york_time)) == d("2026-06-10")


@pytest.mark.parametrize(
    ("case", "ships", "transit", "destination", "delivered"),
    [
        ("same day", "2026-06-09", 0, "FR", "2026-06-09"),
        ("two days midweek", "2026-06-08", 2, "FR", "2026-06-10"),
        ("over a weekend", "2026-06-11", 2, "FR", "2026-06-15"),
        ("Friday plus one", "2026-06-12", 1, "DE", "2026-06-15"),
        ("a parcel shipped on Saturday", "2026-06-13", 1, "FR", "2026-06-15"),
        ("over Christmas, FR", "2026-12-24", 1, "FR", "2026-12-28"),
        ("over Christmas, DE", "2026-12-24", 1, "DE", "2026-12-28"),
        # In the United Kingdom Boxing Day falls on a Saturday and is observed on Monday.
        ("over Christmas, GB", "2026-12-24", 1, "GB", "2026-12-29"),
        ("over New Year", "2026-12-31", 1, "FR", "2027-01-04"),
        # The destination's holidays count, not the origin's: Bastille Day (Tue 14 July)...
        ("to FR over 14 July", "2026-07-13", 1, "FR", "2026-07-15"),
        ("to DE over 14 July", "2026-07-13", 1, "DE", "2026-07-14"),
        # ...Good Friday and Easter Monday are German holidays; only Easter Monday is French.
        ("to DE over Easter", "2026-04-02", 1, "DE", "2026-04-07"),
        ("to FR over Easter", "2026-04-02", 1, "FR", "2026-04-03"),
        ("to FR over Easter, 2 days", "2026-04-02", 2, "FR", "2026-04-07"),
        # Italy's Republic Day (Tue 2 June) is not a French holiday.
        ("to IT over 2 June", "2026-06-01", 1, "IT", "2026-06-03"),
        ("to FR over 2 June", "2026-06-01", 1, "FR", "2026-06-02"),
        ("Ascension, both", "2026-05-13", 1, "DE", "2026-05-15"),
        # Saudi Arabia rests on Friday and Saturday.
        ("to SA, Thursday", "2026-06-10", 1, "SA", "2026-06-11"),
        ("to SA, over its weekend", "2026-06-10", 2, "SA", "2026-06-14"),
    ],
)
def test_promised_delivery_date(
    case: str, ships: str, transit: int, destination: str, delivered: str
) -> None:
    assert promised_delivery_date(d(ships), transit, destination) == d(delivered), case


def test_a_promise_ships_by_the_location_and_arrives_by_the_destination() -> None:
    # Thursday 24 December 2026, 16:30 in Paris: past the cut-off; Friday is Christmas, so
    # it ships Monday 28; two German business days later is Wednesday 30.
    made = promise(PARIS, utc("2026-12-24 15:30"), 2, "DE")
    assert (made.ship_date, made.promised_delivery_date) == (d("2026-12-28"), d("2026-12-30"))


def test_business_days_are_neither_weekend_nor_public_holiday() -> None:
    assert is_business_day(d("2026-06-09"), "FR")
    assert not is_business_day(d("2026-06-13"), "FR")  # Saturday
    assert not is_business_day(d("2026-07-14"), "FR")
    assert is_business_day(d("2026-07-14"), "DE")
    assert not is_business_day(d("2026-06-12"), "SA")  # Friday
    assert is_business_day(d("2026-06-14"), "SA")  # Sunday


def test_public_holidays_are_national_ones() -> None:
    fr = public_holidays("FR", 2026)
    assert {d("2026-05-01"), d("2026-07-14"), d("2026-12-25")} <= fr
    assert d("2026-12-26") not in fr  # only in Alsace-Moselle, a regional holiday
    assert d("2026-10-03") in public_holidays("DE", 2026)


def test_a_country_without_known_holidays_rests_on_weekends_only() -> None:
    assert is_business_day(d("2026-12-25"), "XX")
    assert not is_business_day(d("2026-12-26"), "XX")


def test_negative_transit_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        promised_delivery_date(d("2026-06-09"), -1, "FR")


def test_default_time_zones_cover_the_eu_and_the_main_markets() -> None:
    assert default_time_zone("FR") == "Europe/Paris"
    assert default_time_zone("DE") == "Europe/Berlin"
    assert default_time_zone("GB") == "Europe/London"
    assert default_time_zone("US") == "America/New_York"
    for country in EU_COUNTRIES:
        assert default_time_zone(country) in country_time_zones(country)
    assert default_time_zone("AQ") == "UTC"


@pytest.mark.parametrize(("country", "zone"), sorted(MAIN_TIME_ZONES.items()))
def test_a_main_time_zone_is_picked_only_among_the_zones_of_its_country(
    country: str, zone: str
) -> None:
    assert len(country_time_zones(country)) > 1  # one zone needs no pick
    assert zone in country_time_zones(country)
    ZoneInfo(zone)


def test_a_country_in_one_time_zone_gets_it_and_one_in_several_without_a_pick_gets_utc() -> None:
    assert default_time_zone("TN") == "Africa/Tunis"
    assert default_time_zone("JP") == "Asia/Tokyo"
    assert len(country_time_zones("RU")) > 1
    assert default_time_zone("RU") == "UTC"
    assert default_time_zone("XX") == "UTC"


def test_the_default_time_zone_of_every_country_exists() -> None:
    for country in pycountry.countries:
        ZoneInfo(default_time_zone(country.alpha_2))


def test_a_location_known_only_by_its_country_gets_the_defaults() -> None:
    schedule = LocationSchedule.for_country("DE")
    assert schedule == LocationSchedule("DE", "Europe/Berlin", time(15, 0), MONDAY_TO_FRIDAY)
    assert LocationSchedule.for_country("FR", working_days={0, 1, 2, 3, 4, 5}).working_days == (
        MONDAY_TO_SATURDAY
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"country": "XX"}, "unknown ISO 3166-1 country"),
        ({"time_zone": "Europe/Atlantis"}, "unknown IANA time zone"),
        ({"time_zone": "../etc/passwd"}, "unknown IANA time zone"),
        ({"cut_off": time(16, 0, tzinfo=UTC)}, "wall-clock"),
        ({"working_days": frozenset()}, "non-empty set of weekdays"),
        ({"working_days": frozenset({0, 7})}, "non-empty set of weekdays"),
    ],
)
def test_a_schedule_refuses_what_it_cannot_follow(fields: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"country": "FR", "time_zone": "Europe/Paris", **fields}
    with pytest.raises(ValueError, match=message):
        LocationSchedule(**values)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        PARIS.ship_date(datetime(2026, 6, 9, 12, 0))
