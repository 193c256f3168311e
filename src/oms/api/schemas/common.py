"""What every area's bodies share: strict input, bounded text and amounts, the list page."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")
Text = Annotated[str, Field(max_length=200)]
Amount = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=16)]
# How many items one page of a list may hold, and holds when the client does not say.
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class Strict(BaseModel):
    """A request body: an unknown field is refused (a typo never passes silently), and text
    arrives without its surrounding blanks."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReasonIn(Strict):
    """Why a person does something (hold, release, cancel, reject, give up): in the timeline."""

    reason: Annotated[str, Field(max_length=500)]


class Page(BaseModel, Generic[T]):
    """Every list answer: `{"items": [...], "next_cursor": str | null}`."""

    items: list[T]
    next_cursor: str | None


class PageQuery(Strict):
    """Which page of a list: `cursor` is the `next_cursor` of the page before (none for the
    first), `limit` how many items at most. A list's own filters extend it."""

    cursor: str | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
