"""Money keeps Decimal amounts at the currency's minor unit and refuses floats."""

from decimal import Decimal

import pytest

from oms.domain.money import Money, fits_currency, minor_unit, parse_amount


@pytest.mark.parametrize(
    ("currency", "decimals"), [("EUR", 2), ("USD", 2), ("JPY", 0), ("KWD", 3), ("CLF", 4)]
)
def test_minor_units_follow_iso_4217(currency: str, decimals: int) -> None:
    assert minor_unit(currency) == decimals


def test_money_is_rounded_to_the_minor_unit() -> None:
    assert Money(Decimal("1.005"), "EUR").amount == Decimal("1.00")  # half-even
    assert Money(Decimal("1.015"), "EUR").amount == Decimal("1.02")
    assert str(Money(Decimal(5), "JPY").amount) == "5"


def test_adding_two_currencies_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot add"):
        Money(Decimal(1), "EUR") + Money(Decimal(1), "USD")


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown currency"):
        Money(Decimal(1), "XXX")


def test_multiplying_by_a_quantity() -> None:
    assert (Money(Decimal("19.90"), "EUR") * 3).amount == Decimal("59.70")


@pytest.mark.parametrize(
    ("amount", "currency", "fits"),
    [
        ("19.90", "EUR", True),
        ("19.905", "EUR", False),
        ("100", "JPY", True),
        ("100.5", "JPY", False),
        ("1.234", "KWD", True),
    ],
)
def test_an_amount_fits_a_currency_only_within_its_minor_unit(
    amount: str, currency: str, fits: bool
) -> None:
    assert fits_currency(Decimal(amount), currency) is fits


def test_floats_are_not_money() -> None:
    with pytest.raises(ValueError, match="float"):
        parse_amount(19.9)
    with pytest.raises(ValueError, match="finite"):
        parse_amount("NaN")
    assert parse_amount("19.90") == Decimal("19.90")
