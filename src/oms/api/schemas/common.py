"""What every area's bodies share: strict input, bounded text and amounts, the list page."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")
Text = Annotated[str, Field(max_length=200)]
Amount = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=16)]


class Strict(BaseModel):
    """A request body: an unknown field is refused (a typo never passes silently), and text
    arrives without its surrounding blanks."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Page(BaseModel, Generic[T]):
    """Every list answer: `{"items": [...], "next_cursor": str | null}`."""

    items: list[T]
    next_cursor: str | None
