"""What a search text is: the one box of the orders list and `GET /orders?q=` takes an order
number, a customer's email or phone, a channel's external id, a shipment's or a return's
tracking number, or part of a customer's name, each as far as a person types it.

Reading its shape first lets the store look in the one place it can be (an index each)
instead of everywhere at once:

- an `@` makes an email: a whole address itself (`anne.martin@orange.fr`), else the
  emails that start with the text (`anne.martin@`, `anne.martin@ora`), or that contain it
  when it starts with the `@` (`@orange.fr`);
- `SO-` and digits an order number: the number itself (`SO-42` is SO-000042) and the
  numbers that start with the text (`SO-12345` finds SO-1234567);
- two letters and nine digits, with or without the two letters of a country (spaces
  ignored), a tracking number, looked for among shipments and returns: the whole number,
  or the numbers that start with it; two letters and four to eight digits are the start of
  one too, unless a channel's external id is that text;
- a plausible phone (phone.py: 6 to 15 digits, an optional leading `+`, spaces, dots,
  dashes, parentheses): written with its `+`, the numbers that start with it; without,
  the numbers that end with its digits after any leading zeros (`12 34 56`, the last digits
  someone reads out, or `06 12 34 56 78`, the national form of +33 6 12 34 56 78); written
  as one word (no spaces) it may as well be an external id (`123456789`), so both are
  looked for;
- any other one word with a digit in it (`1001`, `#1001`, `AMZ-123-456`) an external id,
  matched exactly as typed;
- anything else is part of a name; one word (`Müller`, `dupont`, `anne.martin`) is also
  looked for in the emails, and may also be an external id, matched exactly as typed.

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
_WHOLE_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.\d]{2,}")
_TRACKING_START = re.compile(r"[A-Z]{2}\d{4,9}")
MAX_EXTERNAL_ID = 128  # the column's length: a longer text cannot be one


class Match(StrEnum):
    """How the stored value is compared with the text."""

    EXACT = "exact"
    PREFIX = "prefix"  # the stored value starts with the text
    SUFFIX = "suffix"  # ends with it
    CONTAINS = "contains"


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
    match: Match = Match.EXACT
    # an order number to look for exactly as well (`SO-42`: SO-000042)
    or_number: str | None = None

    def finds(self, value: str | None) -> bool:
        """Whether a stored value of this search's kind is found (the stores' rule, in
        Python: the in-memory store uses it, the SQL one says the same in SQL)."""
        if value is None:
            return False
        if self.match is Match.PREFIX:
            return value.startswith(self.text)
        if self.match is Match.SUFFIX:
            return value.endswith(self.text)
        if self.match is Match.CONTAINS:
            return self.text in value
        return value == self.text


def read_search(q: str) -> Search | None:
    """The search a text asks for; None for blank text (no search)."""
    text = q.strip()
    if not text:
        return None
    if "@" in text:
        email = text.lower()
        return Search(SearchKind.EMAIL, email, match=_email_match(email))
    number = _NUMBER.fullmatch(text.upper())
    if number:
        exact = order_number(int(number[1]))
        typed = text.upper()
        return Search(
            SearchKind.NUMBER,
            typed,
            match=Match.PREFIX,
            or_number=exact if exact != typed else None,
        )
    squeezed = "".join(text.split()).upper()
    one_word = len(text.split()) == 1 and len(text) <= MAX_EXTERNAL_ID
    if _TRACKING.fullmatch(squeezed):
        return Search(SearchKind.TRACKING, squeezed)
    if _TRACKING_START.fullmatch(squeezed):
        return Search(SearchKind.TRACKING, squeezed, text if one_word else None, match=Match.PREFIX)
    phone = normalise_phone(text)
    if phone is not None:
        if phone.startswith("+"):
            return Search(SearchKind.PHONE, phone, text if one_word else None, Match.PREFIX)
        last = phone.lstrip("0") or phone
        return Search(SearchKind.PHONE, last, text if one_word else None, Match.SUFFIX)
    if one_word and any(c.isdigit() for c in text):
        return Search(SearchKind.EXTERNAL_ID, text)
    return Search(SearchKind.NAME, text.lower(), text if one_word else None, Match.CONTAINS)


def _email_match(text: str) -> Match:
    """`@domain`: anywhere; a whole address (a dot and two letters or more after its @):
    itself; else the start of one."""
    if text.startswith("@"):
        return Match.CONTAINS
    return Match.EXACT if _WHOLE_EMAIL.fullmatch(text) else Match.PREFIX
