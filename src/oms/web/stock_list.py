"""The stock list (rows by location and product: on hand, reserved, available, what waits)
and the backorders waiting per product. Keyset-paged; the list's filters work without
JavaScript (a plain GET) and with htmx swap only the results."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from oms.services import incoming, stock_views, views
from oms.services.stock_views import StockQuery, StockSort
from oms.web.shell import PageDep, PageRoute, container

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PAGE_SIZE = 50
SORTABLE = {
    "sku": (StockSort.SKU, StockSort.SKU_DESC),
    "location": (StockSort.LOCATION, StockSort.LOCATION_DESC),
}
# No sort by available: no index serves it (it is on_hand - reserved), so a large table
# would be sorted whole; "only nothing available" finds what ran out instead.


def decode_cursor(text: str) -> tuple[Any, Any] | None:
    """The cursor of a link: a JSON pair, base64; anything else starts from the first page."""
    try:
        pair = json.loads(base64.urlsafe_b64decode(text.encode()))
    except (ValueError, TypeError, binascii.Error):
        return None
    ok = isinstance(pair, list) and len(pair) == 2
    ok = ok and all(isinstance(v, str | int) and not isinstance(v, bool) for v in pair)
    return (pair[0], pair[1]) if ok else None


def _stock_cursor(text: str) -> tuple[str, str] | None:
    found = decode_cursor(text) if text else None
    if found is None or not all(isinstance(v, str) for v in found):
        return None
    return found[0], found[1]


def encode_cursor(after: tuple[Any, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(after)).encode()).decode()


@dataclass
class StockFilters:
    """The form as typed (shown back unchanged) and what was wrong with it."""

    q: str = ""
    location: str = ""
    none_available: bool = False
    waiting: bool = False
    sort: str = StockSort.SKU.value
    errors: dict[str, str] = field(default_factory=dict)

    def params(self, **changes: Any) -> str:
        values = {
            "q": self.q, "location": self.location,
            "none": "1" if self.none_available else "", "waiting": "1" if self.waiting else "",
            "sort": self.sort if self.sort != StockSort.SKU.value else "",
        }  # fmt: skip
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v})

    def sort_link(self, column: str) -> tuple[str, str | None]:
        ascending, descending = SORTABLE[column]
        if self.sort == ascending.value:
            return self.params(sort=descending.value), "ascending"
        if self.sort == descending.value:
            return self.params(sort=ascending.value), "descending"
        return self.params(sort=ascending.value), None


class StockParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    q: str = Field("", max_length=200)
    location: str = Field("", max_length=32)
    none: str = Field("", max_length=8)
    waiting: str = Field("", max_length=8)
    sort: str = Field("", max_length=20)
    cursor: str = Field("", max_length=400)


ON = {"1", "on", "true"}


def parse(form: StockFilters, cursor: str, codes: list[str]) -> StockQuery:
    if form.sort not in {s.value for s in StockSort}:
        form.sort = StockSort.SKU.value
    if form.location and form.location not in codes:
        form.errors["location"] = "unknown location"
    return StockQuery(
        location=form.location or None, q=form.q.strip() or None,
        none_available=form.none_available, waiting=form.waiting, sort=StockSort(form.sort),
        after=_stock_cursor(cursor), limit=PAGE_SIZE,
    )  # fmt: skip


@router.get("/stock")
def stock_list(page: PageDep, params: Annotated[StockParams, Query()]) -> Response:
    p = params
    form = StockFilters(p.q, p.location, p.none in ON, p.waiting in ON,
                        p.sort or StockSort.SKU.value)  # fmt: skip
    locations = stock_views.location_codes(page.uow, page.views, page.actor)
    query = parse(form, p.cursor, [code for code, _ in locations])
    found = None if form.errors else stock_views.find_stock(page.uow, page.views, page.actor, query)
    next_url = None
    if found and found.more:
        next_url = "/stock?" + form.params(cursor=encode_cursor(found.rows[-1].cursor(query.sort)))
    coming = {}
    if found and found.rows:  # on open purchase orders: a figure apart from available
        store = container(page.request).stock_planning(page.uow)
        coming = incoming.incoming_units(page.uow, store, page.actor, [r.sku for r in found.rows])
    context = {"form": form, "found": found, "next_url": next_url, "paged": bool(p.cursor),
               "locations": locations, "incoming": coming}  # fmt: skip
    status_code = 422 if form.errors else 200
    if page.request.headers.get("HX-Target") == "results":
        return page.fragment("stock/_results.html", status_code, **context)
    return page.render("stock/list.html", status_code, **context)


class BackorderParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    cursor: str = Field("", max_length=400)


def _backorder_cursor(text: str) -> tuple[str, int] | None:
    found = decode_cursor(text) if text else None
    if found is None or not isinstance(found[0], str) or not isinstance(found[1], int):
        return None
    try:
        datetime.fromisoformat(found[0])
    except ValueError:
        return None
    return found[0], found[1]


@router.get("/stock/backorders")
def backorders(page: PageDep, params: Annotated[BackorderParams, Query()]) -> Response:
    after = _backorder_cursor(params.cursor)
    found = stock_views.find_backorders(page.uow, page.views, page.actor, after, PAGE_SIZE)
    next_url = None
    if found.more:
        next_url = "/stock/backorders?" + urlencode(
            {"cursor": encode_cursor(found.products[-1].cursor())}
        )
    zone = views.time_zone(page.uow, page.views)
    return page.render(
        "stock/backorders.html", found=found, zone=zone, next_url=next_url,
        paged=after is not None,
    )  # fmt: skip
