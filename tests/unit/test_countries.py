"""Countries are ISO 3166-1 alpha-2 codes, upper-case; names and time zones come with them."""

import pytest

from oms.domain.countries import country_name, country_time_zones, is_country


@pytest.mark.parametrize("code", ["FR", "DE", "US", "JP", "AQ", "SS", "BQ"])
def test_iso_3166_alpha_2_codes_are_countries(code: str) -> None:
    assert is_country(code)


@pytest.mark.parametrize("code", ["fr", "Fr", "FRA", "250", "", "XX", "EU", "UK", "XK", "ZZ"])
def test_other_spellings_and_unassigned_codes_are_not(code: str) -> None:
    assert not is_country(code)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("FR", "France"),
        ("DE", "Germany"),
        ("GB", "United Kingdom"),
        ("US", "United States"),
        ("KR", "South Korea"),  # ISO's short name is "Korea, Republic of"
        ("CI", "Côte d'Ivoire"),
    ],
)
def test_a_country_has_its_english_name(code: str, name: str) -> None:
    assert country_name(code) == name


def test_an_unknown_country_has_no_name() -> None:
    with pytest.raises(ValueError, match="unknown ISO 3166-1 country 'XX'"):
        country_name("XX")


def test_a_country_has_the_time_zones_in_use_there() -> None:
    assert country_time_zones("FR") == {"Europe/Paris"}
    assert {"America/New_York", "America/Los_Angeles"} <= country_time_zones("US")
    assert country_time_zones("fr") == frozenset()
    assert country_time_zones("XX") == frozenset()
