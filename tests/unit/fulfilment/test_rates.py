"""Rate tables: the longest matching postal prefix picks the zone; no zone is a named refusal."""

from decimal import Decimal

import pytest

from oms.domain.fulfilment.errors import NoRate, ShipmentTooHeavy
from oms.domain.fulfilment.rates import (
    EU_COUNTRIES,
    RateTable,
    RateZone,
    charged_kilograms,
    default_rate_table,
    normalise_postal_code,
)
from oms.domain.money import Money


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


@pytest.mark.parametrize(
    ("origin", "destination", "postal_code", "zone", "transit"),
    [
        ("FR", "FR", "75011", "FR domestic", 2),
        ("FR", "FR", "20000", "FR Corsica", 3),  # Ajaccio
        ("FR", "FR", "20 200", "FR Corsica", 3),  # Bastia, typed with a space
        ("FR", "FR", "02000", "FR domestic", 2),  # Laon: 02, not 20
        ("FR", "FR", "97400", "FR overseas", 6),  # Saint-Denis de La Réunion
        ("FR", "FR", "98800", "FR overseas", 6),  # Nouméa
        ("FR", "MC", "98000", "FR domestic", 2),  # Monaco has its own country code
        ("FR", "DE", "10115", "FR to Germany", 3),
        ("FR", "IT", "00184", "FR to EU", 5),
        ("FR", "PL", "00-001", "FR to EU", 5),
        ("DE", "DE", "20095", "DE domestic", 1),  # Hamburg: 20 only means Corsica in France
        ("DE", "FR", "69002", "DE to France", 3),
        ("DE", "FR", "20090", "DE to Corsica", 5),
        ("DE", "FR", "97200", "DE to French overseas", 8),
        ("DE", "MC", "98000", "DE to France", 3),
        ("DE", "AT", "1010", "DE to EU", 4),
        ("DE", "NL", "1012 AB", "DE to EU", 4),
    ],
)
def test_the_default_table_routes(
    origin: str, destination: str, postal_code: str, zone: str, transit: int
) -> None:
    quote = default_rate_table().quote(origin, destination, postal_code, 500)
    assert (quote.zone, quote.transit_days) == (zone, transit)


@pytest.mark.parametrize(
    ("origin", "destination", "weight_grams", "cost"),
    [
        ("FR", "FR", 0, "6.50"),  # products without a weight: the base price
        ("FR", "FR", 1000, "6.50"),  # the base includes the first kilogram
        ("FR", "FR", 1001, "7.40"),  # every started kilogram above adds 0.90
        ("FR", "FR", 2500, "8.30"),
        ("FR", "FR", 30_000, "32.60"),  # 6.50 + 29 x 0.90
        ("FR", "DE", 3000, "15.30"),  # 12.90 + 2 x 1.20
        ("FR", "ES", 5000, "22.30"),  # 15.90 + 4 x 1.60
        ("DE", "DE", 31_500, "18.94"),  # 4.99 + 31 x 0.45
        ("DE", "FR", 1500, "13.59"),  # 12.49 + 1.10
        ("DE", "SE", 10_000, "27.09"),  # 14.49 + 9 x 1.40
    ],
)
def test_cost_is_base_plus_started_kilograms_above_the_first(
    origin: str, destination: str, weight_grams: int, cost: str
) -> None:
    quote = default_rate_table().quote(origin, destination, "10000", weight_grams)
    assert quote.cost == eur(cost)


def test_the_default_table_covers_fr_de_and_the_rest_of_the_eu() -> None:
    for origin in ("FR", "DE"):
        for destination in EU_COUNTRIES:
            quote = default_rate_table().quote(origin, destination, "12345", 2000)
            assert quote.cost.currency == "EUR"
            assert 1 <= quote.transit_days <= 5


def test_domestic_is_cheaper_and_faster_than_cross_border() -> None:
    domestic = default_rate_table().quote("FR", "FR", "75011", 2000)
    to_germany = default_rate_table().quote("FR", "DE", "10115", 2000)
    further = default_rate_table().quote("FR", "FI", "00100", 2000)
    assert domestic.cost.amount < to_germany.cost.amount < further.cost.amount
    assert domestic.transit_days < to_germany.transit_days < further.transit_days


@pytest.mark.parametrize(
    ("origin", "destination", "message"),
    [
        ("FR", "US", "no rate from FR to US"),
        ("FR", "CH", "no rate from FR to CH"),  # not in the EU
        ("IT", "FR", "no rate from IT to FR"),  # no Italian location in the default table
    ],
)
def test_a_route_without_a_zone_is_refused(origin: str, destination: str, message: str) -> None:
    with pytest.raises(NoRate, match=message):
        default_rate_table().quote(origin, destination, "10001", 1000)


def test_a_shipment_over_the_weight_limit_is_refused() -> None:
    with pytest.raises(ShipmentTooHeavy, match="30001 g is over the 30000 g limit"):
        default_rate_table().quote("FR", "FR", "75011", 30_001)
    assert default_rate_table().quote("DE", "DE", "10115", 31_500).zone == "DE domestic"


def zone(name: str, prefixes: set[str], base: str = "5.00") -> RateZone:
    return RateZone(name, "FR", frozenset({"FR"}), eur(base), eur("1.00"), 2, frozenset(prefixes))


def test_the_longest_matching_prefix_wins() -> None:
    table = RateTable(
        (
            zone("country", set()),
            zone("region", {"20"}),
            zone("city", {"2000"}),
            zone("elsewhere", {"9"}),
        )
    )
    assert table.zone_for("FR", "FR", "20000").name == "city"
    assert table.zone_for("FR", "FR", "20090").name == "region"
    assert table.zone_for("FR", "FR", "21000").name == "country"
    assert table.zone_for("FR", "FR", "").name == "country"


def test_without_a_catch_all_zone_an_unlisted_postal_code_has_no_rate() -> None:
    table = RateTable((zone("Corsica only", {"20"}),))
    assert table.quote("FR", "FR", "20000", 0).cost == eur("5.00")
    with pytest.raises(NoRate, match="postal code '75011'"):
        table.quote("FR", "FR", "75011", 0)


def test_a_table_where_two_zones_cover_the_same_ground_is_refused() -> None:
    with pytest.raises(ValueError, match="zones 'a' and 'b' both cover FR -> FR postal prefix 20"):
        RateTable((zone("a", {"20", "97"}), zone("b", {"20"})))
    with pytest.raises(ValueError, match="both cover FR -> FR"):
        RateTable((zone("a", set()), zone("b", set())))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"origin": "XX"}, "unknown country 'XX'"),
        ({"destinations": frozenset()}, "at least one destination"),
        ({"per_kg": Money(Decimal(1), "USD")}, "share a currency"),
        ({"base": eur("-1")}, "cannot be negative"),
        ({"transit_days": -1}, "transit days"),
        ({"max_weight_grams": 0}, "weight limit"),
        ({"postal_prefixes": frozenset({"2a"})}, "postal prefixes"),
        ({"postal_prefixes": frozenset({""})}, "postal prefixes"),
    ],
)
def test_a_zone_refuses_nonsense(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "name": "z",
        "origin": "FR",
        "destinations": frozenset({"FR"}),
        "base": eur("5.00"),
        "per_kg": eur("1.00"),
        "transit_days": 2,
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        RateZone(**fields)


@pytest.mark.parametrize(
    ("grams", "charged"), [(0, 0), (1, 0), (1000, 0), (1001, 1), (2000, 1), (2001, 2)]
)
def test_charged_kilograms(grams: int, charged: int) -> None:
    assert charged_kilograms(grams) == charged


def test_a_negative_weight_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        charged_kilograms(-1)


def test_postal_codes_compare_without_spaces_or_dashes() -> None:
    assert normalise_postal_code(" sw1a 1aa ") == "SW1A1AA"
    assert normalise_postal_code("00-001") == "00001"
