"""The orders list: the API's filters and search, days, late, sorts and cursor paging.

The filter form works without JavaScript (a plain GET); with htmx, typing or choosing a
filter swaps only the results and keeps the address bar in step.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from oms.domain.errors import InvalidInput
from oms.domain.orders.status import OrderStatus
from oms.services import customer_service, views
from oms.services.views import OrderQuery, OrderSort
from oms.web.problems import problem_of
from oms.web.shell import PageDep, PageRoute
from oms.web.times import day_span

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PAGE_SIZE = 50
# Column -> (ascending sort, descending sort); the first click on a column sorts descending
# for placed and total (newest, largest first), ascending for the customer (A to Z).
SORTABLE = {
    "placed": (OrderSort.OLDEST, OrderSort.NEWEST),
    "customer": (OrderSort.CUSTOMER, OrderSort.CUSTOMER_DESC),
    "total": (OrderSort.TOTAL, OrderSort.TOTAL_DESC),
}
FIRST_CLICK = {"placed": OrderSort.NEWEST, "customer": OrderSort.CUSTOMER,
               "total": OrderSort.TOTAL_DESC}  # fmt: skip


@dataclass
class Filters:
    """The form as the user typed it (so it is shown back unchanged) and what was wrong."""

    status: str = ""
    channel: str = ""
    q: str = ""
    placed_from: str = ""
    placed_to: str = ""
    late: bool = False
    sort: str = OrderSort.NEWEST.value
    errors: dict[str, str] = field(default_factory=dict)
    waiting: str = ""  # a SKU: only orders waiting for stock of it (from the backorders page)

    def params(self, **changes: Any) -> str:
        """The query string of these filters, with some changed (cursor, sort)."""
        values = {
            "q": self.q, "status": self.status, "channel": self.channel,
            "from": self.placed_from, "to": self.placed_to, "late": "1" if self.late else "",
            "sort": self.sort if self.sort != OrderSort.NEWEST.value else "",
            "waiting": self.waiting,
        }  # fmt: skip
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v})

    def sort_link(self, column: str) -> tuple[str, str | None]:
        """The link a column header sorts by, and its aria-sort if the list is sorted by it."""
        ascending, descending = SORTABLE[column]
        if self.sort == ascending.value:
            return self.params(sort=descending.value), "ascending"
        if self.sort == descending.value:
            return self.params(sort=ascending.value), "descending"
        return self.params(sort=FIRST_CLICK[column].value), None


def _day(text: str, name: str, errors: dict[str, str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = "must be a date (YYYY-MM-DD)"
        return None


def decode_cursor(text: str) -> tuple[str | int, int] | None:
    try:
        value, last_id = json.loads(base64.urlsafe_b64decode(text.encode()))
    except (ValueError, TypeError, binascii.Error):
        return None
    ok = isinstance(last_id, int) and isinstance(value, str | int)
    return (value, last_id) if ok else None


def encode_cursor(after: tuple[str | int, int]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(after)).encode()).decode()


def parse(form: Filters, cursor: str, zone: str) -> OrderQuery:
    """The query the form asks for; problems go to form.errors, next to their fields."""
    errors = form.errors
    status = None
    if form.status:
        try:
            status = OrderStatus(form.status)
        except ValueError:
            errors["status"] = "unknown status"
    if form.sort not in {s.value for s in OrderSort}:
        form.sort = OrderSort.NEWEST.value
    first = _day(form.placed_from, "from", errors)
    last = _day(form.placed_to, "to", errors)
    start, end = day_span(first, last, zone)
    after = decode_cursor(cursor) if cursor else None
    return OrderQuery(
        status=status, channel=form.channel.strip() or None, q=form.q.strip() or None,
        placed_from=start, placed_to=end, late=form.late, sort=OrderSort(form.sort),
        after=after, limit=PAGE_SIZE, waiting_for=form.waiting.strip() or None,
    )  # fmt: skip


class ListParams(BaseModel):
    """The list's query string, as typed; checked by parse(), not refused whole."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    q: str = Field("", max_length=200)
    status: str = Field("", max_length=40)
    channel: str = Field("", max_length=64)
    placed_from: str = Field("", alias="from", max_length=20)
    placed_to: str = Field("", alias="to", max_length=20)
    late: str = Field("", max_length=8)
    sort: str = Field("", max_length=20)
    cursor: str = Field("", max_length=400)
    waiting: str = Field("", max_length=64)


@router.get("/orders")
def order_list(page: PageDep, params: Annotated[ListParams, Query()]) -> Response:
    p = params
    form = Filters(p.status, p.channel, p.q, p.placed_from, p.placed_to,
                   p.late in {"1", "on", "true"}, p.sort or OrderSort.NEWEST.value)  # fmt: skip
    form.waiting = p.waiting
    cursor = p.cursor
    zone = views.time_zone(page.uow, page.views)
    query = parse(form, cursor, zone)
    found = None
    if not form.errors:
        try:
            found = views.find_orders(page.uow, page.views, page.actor, query)
        except InvalidInput as error:
            form.errors["to"] = next(iter(problem_of(error).fields.values()), "")
    # Where each hit is (its parcel's step, the promised date): one indexed read of the
    # page's shipments.
    where: dict[int, customer_service.Where] = {}
    if found and found.rows:
        ids = [r.id for r in found.rows]
        where = customer_service.where_orders_are(page.uow, page.views, page.actor, ids)
    next_url = None
    if found and found.more:
        next_url = "/orders?" + form.params(cursor=encode_cursor(found.rows[-1].cursor(query.sort)))
    context = {"form": form, "found": found, "zone": zone, "next_url": next_url, "where": where,
               "paged": bool(cursor), "statuses": list(OrderStatus)}  # fmt: skip
    status_code = 422 if form.errors else 200
    if page.request.headers.get("HX-Target") == "results":
        return page.fragment("orders/_results.html", status_code, **context)
    return page.render("orders/list.html", status_code, **context)
