"""What a search text is: the one box of the orders list and `GET /orders?q=` takes an order
number, a customer's email, a tracking number or part of a customer's name.

Reading its shape first lets the store look in the one place it can be (an index each)
instead of everywhere at once: an `@` makes an email, `SO-` and digits an order number,
two letters, nine digits and two letters (spaces ignored) a tracking number; anything else
is part of a name. A name with an `@` in it, or one that looks like an order or tracking
number, is not found by that text: no customer is called that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from oms.domain.orders.model import order_number

_NUMBER = re.compile(r"SO-(\d{1,12})")
_TRACKING = re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}")


class SearchKind(StrEnum):
    EMAIL = "email"
    NUMBER = "number"
    TRACKING = "tracking"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class Search:
    kind: SearchKind
    text: str  # as stored: emails lower case, numbers and tracking numbers upper case


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
    return Search(SearchKind.NAME, text.lower())
