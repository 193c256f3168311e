"""What every area's bodies share: strict input, bounded text and amounts, a reason, the
list page, and the problem every error answers with."""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from oms.domain.money import quantum

T = TypeVar("T")


def amount(value: Decimal, currency: str) -> str:
    """Money as the contract writes it: a decimal string at the currency's minor unit
    ("19.90", "1500" for yen)."""
    return str(value.quantize(quantum(currency)))


Text = Annotated[str, Field(max_length=200)]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WALL_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")


def _iso_date(value: object) -> object:
    # Pydantic alone reads 0 or "0" as 1970-01-01 (a Unix timestamp).
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("a day is written YYYY-MM-DD, such as 2026-03-02")


def _wall_time(value: object) -> object:
    if isinstance(value, time) or (isinstance(value, str) and _WALL_TIME.fullmatch(value)):
        return value
    raise ValueError("a time is written HH:MM or HH:MM:SS, such as 15:00")


# A day ("2026-03-02") and a wall-clock time ("15:00"), as text: never a number.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
WallTime = Annotated[time, BeforeValidator(_wall_time)]


def _not_a_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError('money is a decimal string, such as "19.90", not a number')
    return value


# Money in: a decimal string (or a whole number); a JSON number with a fraction is refused,
# as a float cannot hold most amounts exactly (API.md: "money is a decimal string").
Amount = Annotated[
    Decimal, BeforeValidator(_not_a_float), Field(allow_inf_nan=False, max_digits=16)
]
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


def _left_out(schema: dict[str, Any]) -> None:
    # Absent, never null: left out of the answer (`errors` unless listed, the counts unless
    # a pack mismatch), so the schema offers neither null nor a default.
    schema.pop("default", None)


class FieldProblem(BaseModel):
    """One offending field of the request and what is wrong with it; a pack mismatch adds
    the SKU with its expected and scanned quantities."""

    field: str
    message: str
    sku: str | SkipJsonSchema[None] = Field(None, json_schema_extra=_left_out)
    expected: int | SkipJsonSchema[None] = Field(None, json_schema_extra=_left_out)
    scanned: int | SkipJsonSchema[None] = Field(None, json_schema_extra=_left_out)


class Problem(BaseModel):
    """Every error answer, as application/problem+json (RFC 9457). `errors` lists the
    offending fields of invalid input (422) and the differences of a pack mismatch (409)."""

    type: str = Field(examples=["urn:oms:problem:invalid-input"])
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | SkipJsonSchema[None] = Field(None, json_schema_extra=_left_out)
