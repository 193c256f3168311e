"""Opaque, stable cursors: the last item's sort key, base64-encoded."""

from __future__ import annotations

import base64

from oms.domain.errors import FieldError, InvalidInput


def encode(value: int | str) -> str:
    return base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")


def decode(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError:  # binascii.Error, UnicodeDecodeError, and non-ASCII input
        raise InvalidInput([FieldError("cursor", "not a cursor this API gave out")]) from None


def decode_int(cursor: str | None) -> int | None:
    text = decode(cursor)
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 18:  # ids are 64-bit
        raise InvalidInput([FieldError("cursor", "not a cursor this API gave out")])
    return int(text)
