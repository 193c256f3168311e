"""Reading typed form text into numbers, amounts, times and flags: a field that does not
parse gets its own inline message, like the API's 422 for a wrong type."""

from __future__ import annotations

from datetime import time
from decimal import Decimal, InvalidOperation

from oms.domain.errors import FieldErrors


def amount(text: str, name: str, errors: FieldErrors) -> Decimal | None:
    """A money amount such as 19.90 (required)."""
    text = text.strip().replace(",", ".")
    if not text:
        errors.add(name, "must not be empty")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or len(text) > 20:
        errors.add(name, "a number such as 19.90")
        return None
    return value


def integer(text: str, name: str, errors: FieldErrors) -> int | None:
    """A whole number; empty gives None."""
    text = text.strip()
    if not text:
        return None
    if len(text) > 12 or not text.lstrip("-").isdigit():
        errors.add(name, "a whole number")
        return None
    return int(text)


def clock_time(text: str, name: str, errors: FieldErrors) -> time | None:
    """A wall-clock time HH:MM; empty gives None."""
    text = text.strip()
    if not text:
        return None
    try:
        return time.fromisoformat(text).replace(second=0, microsecond=0, tzinfo=None)
    except ValueError:
        errors.add(name, "a time such as 15:00")
        return None


def optional(text: str) -> str | None:
    text = text.strip()
    return text or None
