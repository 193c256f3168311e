"""Returns (RMA): start one for an order, list and read them, approve, reject, receive,
inspect, and the return label."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from oms.api.deps import ActorDep, IdPath, UowDep
from oms.api.pagination import after_id, page
from oms.api.schemas.common import Page, ReasonIn
from oms.api.schemas.returns import InspectIn, ReceiveIn, ReturnIn, ReturnOut, ReturnQuery
from oms.services import documents, returns

router = APIRouter(tags=["returns"])

PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "A PDF document"}
}


@router.post("/orders/{order_id}/returns", status_code=201)
def start_return(order_id: IdPath, body: ReturnIn, uow: UowDep, actor: ActorDep) -> ReturnOut:
    """Ask for delivered units back; 409 for more than delivered and not in another return,
    or outside the window unless customer service gives `override_reason`."""
    return ReturnOut.of(returns.start_return(uow, actor, order_id, body.to_command()))


@router.get("/returns")
def list_returns(
    query: Annotated[ReturnQuery, Query()], uow: UowDep, actor: ActorDep
) -> Page[ReturnOut]:
    """Newest first, by `status` and `order_id`."""
    found = returns.list_returns(uow, actor, query.to_filter(before_id=after_id(query)))
    return page(found, ReturnOut.of, query, key=lambda r: r.id)


@router.get("/returns/{return_id}")
def get_return(return_id: IdPath, uow: UowDep, actor: ActorDep) -> ReturnOut:
    return ReturnOut.of(returns.get_return(uow, actor, return_id))


@router.post("/returns/{return_id}/approve")
def approve_return(return_id: IdPath, uow: UowDep, actor: ActorDep) -> ReturnOut:
    """Issues the return parcel's tracking number; its label is `label.pdf`."""
    return ReturnOut.of(returns.approve_return(uow, actor, return_id))


@router.get(
    "/returns/{return_id}/label.pdf",
    response_class=Response,
    responses={**PDF, 409: {"description": "The return is not approved: no label yet"}},
)
def return_label_pdf(return_id: IdPath, uow: UowDep, actor: ActorDep) -> Response:
    return Response(
        documents.return_label_pdf(uow, actor, return_id),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="return-label-{return_id}.pdf"'},
    )


@router.post("/returns/{return_id}/reject")
def reject_return(return_id: IdPath, body: ReasonIn, uow: UowDep, actor: ActorDep) -> ReturnOut:
    return ReturnOut.of(returns.reject_return(uow, actor, return_id, body.reason))


@router.post("/returns/{return_id}/receive")
def receive_return(return_id: IdPath, body: ReceiveIn, uow: UowDep, actor: ActorDep) -> ReturnOut:
    return ReturnOut.of(returns.receive_return(uow, actor, return_id, body.to_command()))


@router.post("/returns/{return_id}/inspect")
def inspect_return(return_id: IdPath, body: InspectIn, uow: UowDep, actor: ActorDep) -> ReturnOut:
    """Resellable units go back on hand where the parcel was received (backorders filled);
    damaged ones are written off."""
    return ReturnOut.of(returns.inspect_return(uow, actor, return_id, body.to_domain()))
