"""What a search text is: the one box of the orders list and `GET /orders?q=` takes an order
number, a customer's email or phone, a channel's external id, a shipment's or a return's
tracking number, or part of a customer's name.

Reading its shape first lets the store look in the one place it can be (an index each)
instead of everywhere at once:

- an `@` makes an email;
- `SO-` and digits an order number;
- two letters, nine digits and two letters (spaces ignored) a tracking number, looked for
  among shipments and returns;
- a plausible phone (phone.py: 6 to 15 digits, an optional leading `+`, spaces, dots,
  dashes, parentheses) a phone, normalised as stored; written as one word (no spaces) it
  may as well be an external id (`123456789`), so both are looked for;
- any other one word with a digit in it (`1001`, `#1001`, `AMZ-123-456`) an external id,
  matched exactly as typed;
- anything else is part of a name; one word (`Müller`, `ABCDEF`) may also be an external
  id, matched exactly as typed.

A name with an `@` or a digit in it is not found by that text: no customer is called that.
An external id with an `@` in it, or shaped as an order or tracking number, is not found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from oms.domain.orders.model import order_number
from oms.domain.orders.phone import normalise_phone

_NUMBER = re.compile(r"SO-(\d{1,12})")
_TRACKING = re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}")
MAX_EXTERNAL_ID = 128  # the column's length: a longer text cannot be one


class SearchKind(StrEnum):
    EMAIL = "email"
    NUMBER = "number"
    TRACKING = "tracking"
    PHONE = "phone"
    EXTERNAL_ID = "external_id"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class Search:
    kind: SearchKind
    # as stored: emails and names lower case, numbers and tracking numbers upper case,
    # phones normalised, external ids as typed
    text: str
    # an external id to look for as well (a phone or a name that may be one), exact
    or_external_id: str | None = None


def read_search(q: str) -> Search | None:
    """The search a text asks for; None for blank text (no search)."""
    text = q.strip()
    if not text:
        return None
    if "@" in text:
        return Search(SearchKind.EMAIL, text.lower())
    number = _NUMBER.fullmatch(text.upper())
    if number:
        return Search(SearchKind.NUMBER, order_number(int(number[1])))
    squeezed = "".join(text.split()).upper()
    if _TRACKING.fullmatch(squeezed):
        return Search(SearchKind.TRACKING, squeezed)
    one_word = len(text.split()) == 1 and len(text) <= MAX_EXTERNAL_ID
    phone = normalise_phone(text)
    if phone is not None:
        return Search(SearchKind.PHONE, phone, text if one_word else None)
    if one_word and any(c.isdigit() for c in text):
        return Search(SearchKind.EXTERNAL_ID, text)
    return Search(SearchKind.NAME, text.lower(), text if one_word else None)
