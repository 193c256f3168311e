"""Orders: place, read, list, and the transitions of their lifecycle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from oms.api import metrics
from oms.api.deps import ActorDep, ContainerDep, IdPath, UowDep, actor_for
from oms.api.pagination import after_id, page, whole
from oms.api.schemas.common import Page, ReasonIn
from oms.api.schemas.orders import (
    CancelLineIn,
    EventOut,
    NoteIn,
    OrderDetailOut,
    OrderIn,
    OrderOut,
    OrderQuery,
)
from oms.services import orders, placement_plan
from oms.services.ports import UnitOfWork

router = APIRouter(tags=["orders"])


@router.post(
    "/orders",
    status_code=201,
    response_model=OrderOut,
    responses={200: {"description": "A repeat", "model": OrderOut}},
)
def place_order(
    body: OrderIn,
    uow: UowDep,
    actor: ActorDep,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> Response:
    """Place an order; a repeat of the same Idempotency-Key or (channel, external_id)
    answers 200 with the first order and creates nothing."""
    # A well-formed request with a bearer token never gets here: api/intake_lane.py serves
    # it in one worker-thread call (placed_answer). What does get here is checked in the
    # framework's order, the token first: an unknown token is 401 whatever the body holds.
    return _answer(orders.place_order(uow, actor, body.to_domain(), idempotency_key))


def placed_answer(
    request: Request, uow: UnitOfWork, token: str, body: OrderIn, idempotency_key: str | None
) -> Response:
    """`POST /orders` in one worker-thread call: the token check, the placement and the
    answer, made as ready JSON so that FastAPI does not validate the model it was just
    built from a second time. The products and the plan are read with the token check (one
    read transaction), so that on SQLite the placement's write lock covers less."""
    draft = body.to_domain()
    actor, prepared = actor_for(request, uow, token, lambda: placement_plan.prepare(uow, draft))
    return _answer(orders.place_order(uow, actor, draft, idempotency_key, prepared=prepared))


def _answer(placed: orders.Placed) -> Response:
    if placed.created:
        metrics.order_placed(sum(line.backordered_quantity for line in placed.order.lines))
    return Response(
        OrderOut.of(placed.order).model_dump_json(),
        status_code=201 if placed.created else 200,
        media_type="application/json",
    )


@router.get("/orders")
def list_orders(
    query: Annotated[OrderQuery, Query()], uow: UowDep, actor: ActorDep
) -> Page[OrderOut]:
    """Newest first. `q` matches the order number, the customer's email or part of a name."""
    found = orders.list_orders(uow, actor, query.to_filter(before_id=after_id(query)))
    return page(found, OrderOut.of, query, key=lambda o: o.id)


@router.get("/orders/{order_id}")
def get_order(order_id: IdPath, uow: UowDep, actor: ActorDep) -> OrderDetailOut:
    """The order, with its shipments and the explanation of its latest sourcing decision."""
    return OrderDetailOut.detail(orders.order_detail(uow, actor, order_id))


@router.get("/orders/{order_id}/events")
def order_events(order_id: IdPath, uow: UowDep, actor: ActorDep) -> Page[EventOut]:
    return whole(orders.order_events(uow, actor, order_id), EventOut.of)


@router.post("/orders/{order_id}/notes", status_code=201)
def add_note(order_id: IdPath, body: NoteIn, uow: UowDep, actor: ActorDep) -> EventOut:
    """A note in the timeline (a `note` event), in any status; never on the tracking page."""
    return EventOut.of(orders.add_note(uow, actor, order_id, body.text))


@router.post("/orders/{order_id}/confirm")
def confirm_order(order_id: IdPath, uow: UowDep, actor: ActorDep) -> OrderOut:
    return OrderOut.of(orders.confirm_order(uow, actor, order_id))


@router.post("/orders/{order_id}/hold")
def hold_order(order_id: IdPath, body: ReasonIn, uow: UowDep, actor: ActorDep) -> OrderOut:
    return OrderOut.of(orders.hold_order(uow, actor, order_id, body.reason))


@router.post("/orders/{order_id}/release")
def release_order(order_id: IdPath, body: ReasonIn, uow: UowDep, actor: ActorDep) -> OrderOut:
    return OrderOut.of(orders.release_order(uow, actor, order_id, body.reason))


@router.post("/orders/{order_id}/cancel")
def cancel_order(
    order_id: IdPath, body: ReasonIn, uow: UowDep, actor: ActorDep, container: ContainerDep
) -> OrderOut:
    """Cancel every unit not shipped; a paid order is refunded for them (see refunds)."""
    limit = container.settings.refund_limit
    return OrderOut.of(orders.cancel_order(uow, actor, order_id, body.reason, limit))


@router.post("/orders/{order_id}/lines/{line_id}/cancel")
def cancel_line(
    order_id: IdPath,
    line_id: IdPath,
    body: CancelLineIn,
    uow: UowDep,
    actor: ActorDep,
    container: ContainerDep,
) -> OrderOut:
    """Cancel units of one line that have not shipped (backordered first, then reserved,
    whose stock is released); the rest of the order goes on. A paid order is refunded."""
    cmd = orders.CancelLine(line_id, body.quantity, body.reason)
    return OrderOut.of(
        orders.cancel_line(uow, actor, order_id, cmd, container.settings.refund_limit)
    )
