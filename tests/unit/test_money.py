"""Money keeps Decimal amounts at the currency's minor unit and refuses floats."""

from decimal import Decimal

import pytest

from oms.domain.money import (
    Money,
    currency_name,
    fits_currency,
    is_currency,
    minor_unit,
    parse_amount,
)

# Every currency oms accepted, and its minor unit, before the list came from the iso4217
# package. Amounts are stored as whole minor units, so a minor unit that changed under a
# library upgrade would silently scale every stored amount in that currency by a power of
# ten, and a code the library dropped would make stored amounts unreadable: either must
# fail here first (then: a data migration, or a withdrawn code oms keeps).
ACCEPTED_BEFORE_THE_LIBRARY: dict[int, str] = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    2: """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD
       BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN
       ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES
       KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
       MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR
       SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD
       TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG""",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}


@pytest.mark.parametrize(
    ("currency", "decimals"),
    [("EUR", 2), ("USD", 2), ("JPY", 0), ("BHD", 3), ("KWD", 3), ("CLF", 4)],
)
def test_minor_units_follow_iso_4217(currency: str, decimals: int) -> None:
    assert minor_unit(currency) == decimals


def test_minor_units_are_iso_4217_s_not_cldr_s() -> None:
    # CLDR (Babel) shows the Iraqi dinar without decimals; ISO 4217 counts it in fils.
    assert minor_unit("IQD") == 3


@pytest.mark.parametrize(
    ("decimals", "currency"),
    [(d, c) for d, codes in ACCEPTED_BEFORE_THE_LIBRARY.items() for c in codes.split()],
)
def test_every_currency_accepted_before_keeps_its_minor_unit(decimals: int, currency: str) -> None:
    assert is_currency(currency)
    assert minor_unit(currency) == decimals


def test_withdrawn_codes_oms_keeps_are_still_currencies() -> None:
    assert minor_unit("BGN") == 2  # Bulgaria has paid in euros since 1 January 2026
    assert currency_name("BGN") == "Bulgarian Lev"
    assert minor_unit("ANG") == 2  # replaced by the Caribbean guilder, XCG


@pytest.mark.parametrize("code", ["ZZZ", "eur", "EURO", "", "XAU", "XXX", "XTS"])
def test_an_unknown_code_or_one_without_a_minor_unit_is_no_currency(code: str) -> None:
    assert not is_currency(code)
    with pytest.raises(ValueError, match="unknown currency"):
        minor_unit(code)


def test_currencies_have_their_iso_4217_names() -> None:
    assert currency_name("EUR") == "Euro"
    assert currency_name("JPY") == "Yen"
    assert currency_name("KWD") == "Kuwaiti Dinar"
    with pytest.raises(ValueError, match="unknown currency"):
        currency_name("ZZZ")


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
