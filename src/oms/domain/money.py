"""Money: a Decimal amount with an ISO 4217 currency, rounded to the currency's minor unit.

Which codes are currencies, and their minor units, come from ISO 4217's own list (the
iso4217 package), read when first asked; oms decides only which withdrawn codes it keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache

# Codes ISO 4217 has withdrawn that oms still accepts, with the minor unit and name they
# had: amounts stored in them must stay readable, and a price list may lag behind the
# switch (Bulgaria to the euro, Curaçao and Sint Maarten to the Caribbean guilder).
WITHDRAWN_CURRENCIES: Mapping[str, tuple[int, str]] = {
    "ANG": (2, "Netherlands Antillean Guilder"),
    "BGN": (2, "Bulgarian Lev"),
}


def is_currency(code: str) -> bool:
    """An ISO 4217 code with a minor unit, upper-case ("EUR"; not gold, XAU, nor "eur")."""
    return code in _currencies()


def minor_unit(currency: str) -> int:
    """Number of decimals the currency is counted in (2 for EUR, 0 for JPY, 3 for KWD).

    Amounts are stored as whole minor units, so this is the scale of every stored amount.
    Raises ValueError for a code that is not a currency.
    """
    return _currency(currency)[0]


def currency_name(currency: str) -> str:
    """The currency's name in ISO 4217 ("Euro", "Yen"). Raises ValueError."""
    return _currency(currency)[1]


def _currency(code: str) -> tuple[int, str]:
    try:
        return _currencies()[code]
    except KeyError:
        raise ValueError(f"unknown currency {code!r}") from None


@cache
def _currencies() -> Mapping[str, tuple[int, str]]:
    """ISO 4217 list one as the iso4217 package ships it: code -> (minor unit, name).

    Codes without a minor unit (gold, silver, the SDR, the test code XTS, the code for "no
    currency") are not money oms counts in, so they are left out.
    """
    import iso4217

    listed = {
        c.code: (c.exponent, c.currency_name) for c in iso4217.Currency if c.exponent is not None
    }
    return {**WITHDRAWN_CURRENCIES, **listed}


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def parse_amount(value: object) -> Decimal:
    """A finite Decimal from a string, int or Decimal; floats are refused (they are not money)."""
    if isinstance(value, float | bool):
        raise ValueError("money must be a decimal string, not a float")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError("money must be finite")
    return amount


def fits_currency(amount: Decimal, currency: str) -> bool:
    """True when the amount has no more decimals than the currency's minor unit."""
    return amount == amount.quantize(quantum(currency), rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency, always held at the currency's minor unit."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not is_currency(self.currency):
            raise ValueError(f"unknown currency {self.currency!r}")
        object.__setattr__(
            self, "amount", self.amount.quantize(quantum(self.currency), ROUND_HALF_EVEN)
        )

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        return Money(self.amount * factor, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
