"""A sales channel as a record: its kind, currency, tax-inclusive prices or not, the stock it
keeps back (a buffer), how long its checkout holds last, and the secret its webhooks are
signed with. A channel name without a record keeps working with `Channel.default(name)`."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from oms.domain.errors import FieldErrors
from oms.domain.money import is_currency

MAX_NAME = 64
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
DEFAULT_HOLD_MINUTES = 15
MAX_HOLD_MINUTES = 1440
MAX_BUFFER_UNITS = 1_000_000


class ChannelKind(StrEnum):
    WEB = "web"
    MARKETPLACE = "marketplace"
    STORE = "store"
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"
    CSV = "csv"


@dataclass(frozen=True, slots=True)
class Channel:
    """`currency` None: the shop's (each product's own). `secret` None: no webhook can be
    verified, so none is accepted. The buffer keeps back the larger of `buffer_units` and
    `buffer_percent` % of what is available."""

    name: str
    kind: ChannelKind = ChannelKind.WEB
    currency: str | None = None
    tax_inclusive: bool = False
    buffer_units: int = 0
    buffer_percent: int = 0
    hold_minutes: int = DEFAULT_HOLD_MINUTES
    secret: str | None = None

    @classmethod
    def default(cls, name: str) -> Channel:
        """What a channel without a record is: web, the shop's currency, no buffer."""
        return cls(name)

    def sellable(self, available: int) -> int:
        """What this channel may sell of `available` units: the buffer kept back, never
        below 0."""
        if available <= 0:
            return 0
        kept = max(self.buffer_units, math.ceil(available * self.buffer_percent / 100))
        return max(available - kept, 0)

    def check(self, errors: FieldErrors) -> None:
        """Every broken rule of the record, collected."""
        if not NAME_PATTERN.match(self.name):
            errors.add(
                "name",
                f"a slug of at most {MAX_NAME} characters: lower-case letters, digits,"
                " '.', '-' and '_', starting with a letter or digit",
            )
        if self.currency is not None and not is_currency(self.currency):
            errors.add("currency", f"unknown ISO 4217 currency {self.currency!r}")
        if not 0 <= self.buffer_units <= MAX_BUFFER_UNITS:
            errors.add("buffer_units", f"0 to {MAX_BUFFER_UNITS:,} units")
        if not 0 <= self.buffer_percent <= 100:
            errors.add("buffer_percent", "0 to 100 percent")
        if not 1 <= self.hold_minutes <= MAX_HOLD_MINUTES:
            errors.add("hold_minutes", f"1 to {MAX_HOLD_MINUTES} minutes")
