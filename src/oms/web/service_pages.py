"""Customer service in the back office: the queue of orders that need a person now, with
its counts per reason, and the customer view (orders and where each is, returns, lifetime
spend, return rate). Reads only."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response

from oms.domain.errors import InvalidInput
from oms.domain.orders.problems import LABELS as PROBLEM_LABELS
from oms.services import customer_service as cs
from oms.services import views
from oms.web.shell import PageDep, PageRoute, container

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PAGE_SIZE = 50

LABELS = {
    cs.Why.LATE: "Late shipment",
    cs.Why.ON_HOLD: "On hold",
    cs.Why.EXCEPTION: "Delivery problem",
    cs.Why.RETURN_TO_INSPECT: "Return to inspect",
    cs.Why.REFUND_FAILED: "Refund failed",
    cs.Why.BACKORDERED_LONG: "Waiting for stock too long",
    cs.Why.PROBLEM: "Problem reported",
}
# What `detail` says, as the queue shows it next to the reason.
DETAILS = {
    "to_ship": "late to ship",
    "to_deliver": "late to deliver",
    **{reason.value: label.lower() for reason, label in PROBLEM_LABELS.items()},
}


def customer_href(email: str) -> str:
    return "/customers/" + quote(email.lower(), safe="@")


@router.get("/service")
def service_page(page: PageDep, cursor: str = "") -> Response:
    days = container(page.request).settings.service_backorder_days
    after = None
    if cursor:
        try:
            after = cs.read_cursor(cursor[:200])
        except InvalidInput:
            after = None  # an old or edited link: the first page
    found = cs.service_queue(
        page.uow, page.views, page.actor, backorder_days=days, after=after, limit=PAGE_SIZE
    )
    counts = cs.service_counts(page.uow, page.views, page.actor, backorder_days=days)
    zone = views.time_zone(page.uow, page.views)
    next_url = None
    if found.more:
        next_url = "/service?cursor=" + quote(cs.cursor_of(found.items[-1]), safe="")
    return page.render(
        "service/queue.html",
        items=found.items,
        counts=counts,
        labels=LABELS,
        details=DETAILS,
        days=days,
        zone=zone,
        next_url=next_url,
        paged=after is not None,
        customer_href=customer_href,
    )


@router.get("/customers/{email}")
def customer_page(page: PageDep, email: str) -> Response:
    found = cs.customer(page.uow, page.views, page.actor, email[:320])
    zone = views.time_zone(page.uow, page.views)
    return page.render("service/customer.html", c=found, zone=zone)
