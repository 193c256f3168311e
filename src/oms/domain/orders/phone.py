"""A customer's phone number: what oms accepts and how it stores it.

A plausible phone is digits with an optional leading `+`, and between them spaces, dots,
dashes and parentheses as people write them; it has 6 to 15 digits (E.164's longest is
15). It is stored normalised: the digits alone, after the `+` if there was one, so that
"+33 6 12-34-56.78" and "+33612345678" are the same number and one index finds both.
Nothing more is guessed: "06 12 34 56 78" (no country code) stays "0612345678".
"""

from __future__ import annotations

import re

_SHAPE = re.compile(r"\+?[\d\s.()\-]+")
MIN_DIGITS = 6
MAX_DIGITS = 15


def normalise_phone(text: str) -> str | None:
    """The stored form of a plausible phone number; None when the text is not one."""
    text = text.strip()
    if not _SHAPE.fullmatch(text):
        return None
    digits = "".join(c for c in text if c.isdigit())
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS or not digits.isascii():
        return None
    return ("+" if text.startswith("+") else "") + digits
