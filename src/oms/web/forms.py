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


WHOLE = "must be a whole number"


def _whole(text: str) -> int | None:
    """'12', '-3', '+5' as a number; None when it is not one (or absurdly long)."""
    text = text.strip()
    if len(text) > 12 or not text.lstrip("+-").isdigit():
        return None
    return int(text)


def integer(text: str, name: str, errors: FieldErrors) -> int | None:
    """A whole number; empty gives None."""
    if not text.strip():
        return None
    value = _whole(text)
    if value is None:
        errors.add(name, WHOLE)
    return value


def counts(values: list[str], name: str, errors: FieldErrors) -> list[int]:
    """One whole number of 0 or more per form row (`lines[i].<name>`); 0 where one is wrong,
    with that row's inline message."""
    out = []
    for i, text in enumerate(values):
        value = _whole(text)
        if value is None or value < 0:
            errors.add(f"lines[{i}].{name}", f"{WHOLE}, 0 or more")
        out.append(max(value or 0, 0))
    return out


def whole_number(text: str, name: str) -> int:
    """A required whole number, or the field's own inline error at once."""
    value = _whole(text)
    if value is None:
        raise FieldErrors.single(name, WHOLE)
    return value


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
