"""UPU S10 tracking numbers: check digits, formatting and strict reading of outside input."""

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.fulfilment.errors import InvalidTrackingNumber
from oms.domain.fulfilment.tracking import (
    MAX_SERIAL,
    RESERVED_SERVICE_LETTERS,
    TrackingNumber,
    check_digit,
    format_tracking_number,
    is_tracking_number,
    normalise_tracking_number,
    parse_tracking_number,
)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        # The brief's example, RR123456785FR:
        # 1*8 + 2*6 + 3*4 + 4*2 + 5*3 + 6*5 + 7*9 + 8*7 = 204; 204 mod 11 = 6; 11 - 6 = 5.
        (12345678, 5),
        # Wikipedia, "S10 (UPU standard)", check-digit section: 47312482 -> S = 200, C = 9.
        (47312482, 9),
        # BWIPP wiki, "UPU S10" page, sample data EE471108151FR:
        # 4*8 + 7*6 + 1*4 + 1*2 + 0*3 + 8*5 + 1*9 + 5*7 = 164; 164 mod 11 = 10; 11 - 10 = 1.
        (47110815, 1),
        # npm package `s10` (README and tests): EB000717618HK, 76129403 -> 8, 00071758 -> 1.
        (71761, 8),
        (76129403, 8),
        (71758, 1),
        # 10 -> 0, from the `s10` tests (96633102 -> 0):
        # 9*8 + 6*6 + 6*4 + 3*2 + 3*3 + 1*5 + 0*9 + 2*7 = 166; 166 mod 11 = 1; 11 - 1 = 10 -> 0.
        (96633102, 0),
        # 10 -> 0, by hand: 0+0+0+0+0+0 + 9*9 + 9*7 = 144; 144 mod 11 = 1; 11 - 1 = 10 -> 0.
        (99, 0),
        # 11 -> 5, by hand: a sum of 0; 0 mod 11 = 0; 11 - 0 = 11 -> 5.
        (0, 5),
        # 11 -> 5, by hand: 9 * (8+6+4+2+3+5+9+7) = 9 * 44 = 396 = 36 * 11; 11 - 0 = 11 -> 5.
        (99999999, 5),
    ],
)
def test_check_digit_follows_the_s10_weights(serial: int, expected: int) -> None:
    assert check_digit(serial) == expected


@pytest.mark.parametrize(
    "published",
    [
        "RR123456785FR",  # the brief
        "RB123456785GB",  # jkeen/tracking_number_data couriers/s10.json, valid test numbers
        "RB123456785US",  # idem
        "EE471108151FR",  # BWIPP wiki, UPU S10 sample
        "RR473124829GB",  # BWIPP wiki: RR47312482GB with its check digit added
        "EB000717618HK",  # npm `s10` README
        "EB000717595HK",  # npm `s10` tests
    ],
)
def test_published_numbers_are_read_back(published: str) -> None:
    number = parse_tracking_number(published)
    assert str(number) == published
    assert is_tracking_number(published)


def test_a_number_is_read_into_its_parts() -> None:
    assert parse_tracking_number("EE471108151FR") == TrackingNumber("EE", 47110815, "FR")
    assert TrackingNumber("EE", 47110815, "FR").check_digit == 1


@pytest.mark.parametrize(
    ("service", "serial", "country", "expected"),
    [
        ("RR", 12345678, "FR", "RR123456785FR"),
        ("CP", 0, "DE", "CP000000005DE"),
        ("EE", 99, "FR", "EE000000990FR"),
        ("RB", 47312482, "GB", "RB473124829GB"),
    ],
)
def test_format_pads_the_serial_and_adds_the_check_digit(
    service: str, serial: int, country: str, expected: str
) -> None:
    assert format_tracking_number(service, serial, country) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("RB123456786US", "check digit is 6 but serial 12345678 needs 5"),  # jkeen invalid
        ("EB900717618HK", "check digit is 8 but serial 90071761 needs"),  # npm `s10` invalid
        ("EB000717594HK", "check digit is 4 but serial 00071759 needs 5"),  # npm `s10` invalid
        ("RB123456785XX", "XX is not an ISO 3166-1 alpha-2 country code"),  # jkeen invalid
        ("RR123456785UK", "UK is not an ISO 3166-1 alpha-2 country code"),  # GB is the code
        ("rr123456785FR", "two upper-case letters .the service indicator."),
        ("RR123456785fr", "two upper-case letters .the origin country."),
        ("R1123456785FR", "two upper-case letters .the service indicator."),
        ("RR12345678AFR", "must be digits"),
        ("RR1234S6785FR", "must be digits"),
        ("RR 123456785FR", "must be 13 characters, got 14"),
        (" RR123456785FR", "must be 13 characters, got 14"),
        ("RR12345678FR", "must be 13 characters, got 12"),
        ("", "must be 13 characters, got 0"),
        # Arabic-Indic digits are digits to str.isdigit, not to a barcode scanner.
        ("RR\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0665FR", "must be digits"),
        ("SA123456785FR", "service indicator SA is reserved"),
        ("WX123456785FR", "service indicator WX is reserved"),
    ],
)
def test_malformed_numbers_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidTrackingNumber, match=reason) as refused:
        parse_tracking_number(text)
    assert refused.value.errors[0].field == "tracking_number"
    assert repr(text) in refused.value.detail
    assert not is_tracking_number(text)


@pytest.mark.parametrize(
    ("service", "serial", "country"),
    [
        ("R", 1, "FR"),
        ("rr", 1, "FR"),
        ("JJ", 1, "FR"),
        ("RR", -1, "FR"),
        ("RR", MAX_SERIAL + 1, "FR"),
        ("RR", 1, "fr"),
        ("RR", 1, "XX"),
    ],
)
def test_a_number_cannot_be_made_from_bad_parts(service: str, serial: int, country: str) -> None:
    with pytest.raises(InvalidTrackingNumber):
        format_tracking_number(service, serial, country)


@pytest.mark.parametrize("serial", [-1, MAX_SERIAL + 1])
def test_check_digit_needs_an_eight_digit_serial(serial: int) -> None:
    with pytest.raises(ValueError, match="8 digits"):
        check_digit(serial)


def test_people_typing_a_number_get_it_normalised_before_it_is_read() -> None:
    assert normalise_tracking_number(" rr 123 456 785 fr\n") == "RR123456785FR"
    assert is_tracking_number(normalise_tracking_number("rr 123 456 785 fr"))


services = st.tuples(
    st.sampled_from(sorted(set("ABCDEFGHIJKLMNOPQRSTUVWXYZ") - RESERVED_SERVICE_LETTERS)),
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
).map("".join)
serials = st.integers(min_value=0, max_value=MAX_SERIAL)
countries = st.sampled_from(sorted(c.alpha_2 for c in pycountry.countries))


@given(services, serials, countries)
def test_every_formatted_number_validates(service: str, serial: int, country: str) -> None:
    text = format_tracking_number(service, serial, country)
    assert len(text) == 13
    assert text.endswith(country)
    assert parse_tracking_number(text) == TrackingNumber(service, serial, country)


def weighted_remainder(serial_digits: str) -> int:
    return (
        sum(int(d) * w for d, w in zip(serial_digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    )


def test_the_11_to_5_rule_leaves_one_blind_spot() -> None:
    # Remainder 0 gives 11 -> 5 and remainder 6 gives 11 - 6 = 5: two serials whose
    # weighted sums fall on 0 and 6 share check digit 5, so a single changed digit between
    # them goes unseen. 00000000 sums to 0; 01000000 sums to 1*6 = 6.
    assert check_digit(0) == check_digit(1_000_000) == 5
    assert is_tracking_number("RR000000005FR")
    assert is_tracking_number("RR010000005FR")


@given(services, serials, countries, st.data())
def test_changing_the_check_digit_always_breaks_validation(
    service: str, serial: int, country: str, data: st.DataObject
) -> None:
    text = format_tracking_number(service, serial, country)
    other = data.draw(st.sampled_from([d for d in "0123456789" if d != text[10]]))
    assert not is_tracking_number(text[:10] + other + text[11:])


@given(services, serials, countries, st.integers(min_value=2, max_value=9), st.data())
def test_changing_any_serial_digit_breaks_validation_but_for_the_blind_spot(
    service: str, serial: int, country: str, position: int, data: st.DataObject
) -> None:
    text = format_tracking_number(service, serial, country)
    other = data.draw(st.sampled_from([d for d in "0123456789" if d != text[position]]))
    changed = text[:position] + other + text[position + 1 :]
    blind_spot = {weighted_remainder(text[2:10]), weighted_remainder(changed[2:10])} == {0, 6}
    assert is_tracking_number(changed) == blind_spot


@given(services, serials, countries, st.integers(min_value=2, max_value=8))
def test_swapping_two_neighbouring_serial_digits_breaks_validation_but_for_the_blind_spot(
    service: str, serial: int, country: str, position: int
) -> None:
    text = format_tracking_number(service, serial, country)
    a, b = text[position], text[position + 1]
    swapped = text[:position] + b + a + text[position + 2 :]
    blind_spot = {weighted_remainder(text[2:10]), weighted_remainder(swapped[2:10])} == {0, 6}
    assert is_tracking_number(swapped) == (a == b or blind_spot)
