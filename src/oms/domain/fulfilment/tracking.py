"""UPU S10 tracking numbers: made, checked and read back, with their modulus-11 check digit."""

from __future__ import annotations

from dataclasses import dataclass

from oms.domain.countries import is_country
from oms.domain.fulfilment.errors import InvalidTrackingNumber

# The S10 weights for the eight serial digits, left to right.
WEIGHTS: tuple[int, ...] = (8, 6, 4, 2, 3, 5, 9, 7)
LENGTH = 13
MAX_SERIAL = 99_999_999
# The S10 standard reserves service indicators starting with these letters: no item may
# carry them, so a number that does was mistyped or made up.
RESERVED_SERVICE_LETTERS = frozenset("JKSTW")

_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")


def check_digit(serial: int) -> int:
    """The S10 check digit of an 8-digit serial: 11 - (weighted sum mod 11), 10 -> 0, 11 -> 5."""
    if not 0 <= serial <= MAX_SERIAL:
        raise ValueError(f"an S10 serial has 8 digits (0 to {MAX_SERIAL}), got {serial}")
    total = sum(int(digit) * weight for digit, weight in zip(f"{serial:08d}", WEIGHTS, strict=True))
    check = 11 - total % 11
    # 11 -> 5 means remainders 0 and 6 share check digit 5: the one single-digit error
    # S10 cannot see (docs/fulfilment-rules.md). The standard says so; we follow it.
    return {10: 0, 11: 5}.get(check, check)


@dataclass(frozen=True, slots=True)
class TrackingNumber:
    """A valid S10 identifier: service indicator, serial, check digit and origin country."""

    service: str
    serial: int
    country: str

    def __post_init__(self) -> None:
        _check_service(self.service, shown=self.service)
        if not 0 <= self.serial <= MAX_SERIAL:
            raise InvalidTrackingNumber(
                str(self.serial), f"the serial must be 0 to {MAX_SERIAL} (8 digits)"
            )
        _check_country(self.country, shown=self.country)

    @property
    def check_digit(self) -> int:
        return check_digit(self.serial)

    def __str__(self) -> str:
        return f"{self.service}{self.serial:08d}{self.check_digit}{self.country}"


def format_tracking_number(service: str, serial: int, country: str) -> str:
    """The 13-character S10 number, e.g. ("RR", 12345678, "FR") -> "RR123456785FR"."""
    return str(TrackingNumber(service, serial, country))


def parse_tracking_number(text: str) -> TrackingNumber:
    """Read a tracking number received from outside, strictly: no spaces, no lower case.

    Raises InvalidTrackingNumber naming the first thing wrong, checked in reading order
    (length, service indicator, digits, country, check digit).
    """
    if len(text) != LENGTH:
        raise InvalidTrackingNumber(text, f"must be {LENGTH} characters, got {len(text)}")
    service, digits, check, country = text[:2], text[2:10], text[10], text[11:]
    _check_service(service, shown=text)
    if not set(digits + check) <= _DIGITS:
        raise InvalidTrackingNumber(text, "characters 3 to 11 must be digits (serial and check)")
    _check_country(country, shown=text)
    serial = int(digits)
    expected = check_digit(serial)
    if int(check) != expected:
        raise InvalidTrackingNumber(
            text, f"check digit is {check} but serial {digits} needs {expected}"
        )
    return TrackingNumber(service, serial, country)


def is_tracking_number(text: str) -> bool:
    """True when `text` is a valid S10 tracking number, as parse_tracking_number reads it."""
    try:
        parse_tracking_number(text)
    except InvalidTrackingNumber:
        return False
    return True


def normalise_tracking_number(text: str) -> str:
    """What a person typed, as a carrier prints it: spaces dropped, letters upper-cased.

    For search boxes and the tracking page only; numbers from carriers are read strictly.
    """
    return "".join(text.split()).upper()


def _check_service(service: str, shown: str) -> None:
    if len(service) != 2 or not set(service) <= _UPPER:
        raise InvalidTrackingNumber(
            shown, "must start with two upper-case letters (the service indicator)"
        )
    if service[0] in RESERVED_SERVICE_LETTERS:
        raise InvalidTrackingNumber(
            shown,
            f"service indicator {service} is reserved by the S10 standard "
            f"(none may start with {', '.join(sorted(RESERVED_SERVICE_LETTERS))})",
        )


def _check_country(country: str, shown: str) -> None:
    if len(country) != 2 or not set(country) <= _UPPER:
        raise InvalidTrackingNumber(
            shown, "must end with two upper-case letters (the origin country)"
        )
    if not is_country(country):
        raise InvalidTrackingNumber(shown, f"{country} is not an ISO 3166-1 alpha-2 country code")
