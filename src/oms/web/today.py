"""Today: the start page. What waits for this user's role now, the orders per stage, and
the newest orders; its counts refresh themselves every minute (htmx)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from oms.domain.access import Permission
from oms.services import orders, views
from oms.services.ports.orders import OrderFilter
from oms.web import nav
from oms.web.shell import PageDep, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
NEWEST = 20


@router.get("/")
def today(page: PageDep) -> Response:
    actor = page.actor
    work = views.today(page.uow, page.views, actor)
    links = {q.key: q.href for q in work.queues if q.href and nav.has_page(actor, q.href)}
    context: dict[str, Any] = {
        "work": work,
        "links": links,
        "zone": views.time_zone(page.uow, page.views),
    }
    if page.request.headers.get("HX-Target") == "work":
        return page.fragment("today/_work.html", **context)
    newest = None
    if actor.may(Permission.ORDER_READ):
        newest = orders.list_orders(page.uow, actor, OrderFilter(limit=NEWEST))
    return page.render("today/page.html", orders=newest, **context)
