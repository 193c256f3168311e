"""Cursor pagination, the one way every list is paged: opaque cursors, bounds, the page."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar

from fastapi import Depends, Query

from oms.api.schemas.common import DEFAULT_LIMIT, MAX_LIMIT, Page, PageQuery
from oms.domain.errors import FieldError, InvalidInput

R = TypeVar("R")
T = TypeVar("T")
# Ids are 64-bit: a longer number cannot be one of ours.
MAX_ID_DIGITS = 18


def page_query(default_limit: int = DEFAULT_LIMIT) -> Callable[..., PageQuery]:
    """A dependency reading `cursor` and `limit` from the query string, within the API's bounds."""

    def parse(
        cursor: str | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = default_limit,
    ) -> PageQuery:
        # FastAPI has checked both already; validating again would also strip the cursor,
        # which these lists never did.
        return PageQuery.model_construct(cursor=cursor, limit=limit)

    return parse


# The first page holds DEFAULT_LIMIT items unless the client asks for another number.
PageDep = Annotated[PageQuery, Depends(page_query())]


def page(
    rows: Sequence[R], render: Callable[[R], T], asked: PageQuery, key: Callable[[R], int | str]
) -> Page[T]:
    """The answer for one page; a full page means there may be more, so it carries the last
    row's key as the cursor of the next one."""
    more = len(rows) == asked.limit
    return Page(
        items=[render(r) for r in rows], next_cursor=_encode(key(rows[-1])) if more else None
    )


def whole(rows: Sequence[R], render: Callable[[R], T]) -> Page[T]:
    """The answer for a list that is always given entire: the same shape, no next cursor."""
    return Page(items=[render(r) for r in rows], next_cursor=None)


def after_key(asked: PageQuery) -> str | None:
    """The key (such as a SKU) of the last row of the previous page, if a cursor was sent."""
    return _decode(asked.cursor)


def after_id(asked: PageQuery) -> int | None:
    """The id of the last row of the previous page, if a cursor was sent."""
    text = _decode(asked.cursor)
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_ID_DIGITS:
        raise _not_ours()
    return int(text)


def _encode(value: int | str) -> str:
    return base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError:  # binascii.Error, UnicodeDecodeError, and non-ASCII input
        raise _not_ours() from None


def _not_ours() -> InvalidInput:
    return InvalidInput([FieldError("cursor", "not a cursor this API gave out")])
