"""Customer service: the queue of orders that need a person now, and one customer's view.
(Finding an order by phone, external id or return tracking number is `GET /orders?q=`.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from oms.api.deps import ActorDep, UowDep
from oms.api.pagination import PageDep, after_key, page
from oms.api.schemas.common import Page
from oms.api.schemas.service import CustomerOut, QueueItemOut
from oms.bootstrap import Container
from oms.services import customer_service as cs

router = APIRouter(tags=["customer service"])


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


@router.get("/service/queue")
def service_queue(
    request: Request, asked: PageDep, uow: UowDep, actor: ActorDep
) -> Page[QueueItemOut]:
    """Orders that need a person now, oldest first, once per reason (`why`)."""
    container = _container(request)
    key = after_key(asked)
    found = cs.service_queue(
        uow,
        container.views(uow),  # type: ignore[arg-type]
        actor,
        backorder_days=container.settings.service_backorder_days,
        after=cs.read_cursor(key) if key is not None else None,
        limit=asked.limit,
    )
    return page(found.items, QueueItemOut.of, asked, key=cs.cursor_of)


@router.get("/customers/{email}")
def get_customer(
    email: Annotated[str, Path(max_length=320)], request: Request, uow: UowDep, actor: ActorDep
) -> CustomerOut:
    """A customer's orders (newest 100), returns and totals; 404 for an email with no orders."""
    views = _container(request).views(uow)  # type: ignore[arg-type]
    return CustomerOut.of(cs.customer(uow, views, actor, email))
