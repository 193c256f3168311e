"""Money: payments received for an order, refunds (of returns and cancelled units), retries."""

from __future__ import annotations

from fastapi import APIRouter, Response

from oms.api.deps import ActorDep, ContainerDep, IdPath, UowDep
from oms.api.pagination import whole
from oms.api.schemas.common import Page, ReasonIn
from oms.api.schemas.orders import OrderOut
from oms.api.schemas.payments import PaymentIn, PaymentOut, RefundOut
from oms.api.schemas.returns import ReturnOut
from oms.services import payments, return_resolutions

router = APIRouter(tags=["money"])


@router.post(
    "/orders/{order_id}/payments",
    status_code=201,
    response_model=PaymentOut,
    responses={200: {"description": "A repeat of a recorded payment", "model": PaymentOut}},
)
def record_payment(order_id: IdPath, body: PaymentIn, uow: UowDep, actor: ActorDep) -> Response:
    """Money received, through `provider` (`manual`: money that moved by other means);
    409 for more than the order still has due, or a cancelled order."""
    recorded = payments.record_payment(uow, actor, order_id, body.to_command())
    return Response(
        PaymentOut.of(recorded.payment).model_dump_json(),
        status_code=201 if recorded.created else 200,
        media_type="application/json",
    )


@router.get("/orders/{order_id}/payments")
def list_payments(order_id: IdPath, uow: UowDep, actor: ActorDep) -> Page[PaymentOut]:
    return whole(payments.payments_of_order(uow, actor, order_id), PaymentOut.of)


@router.get("/orders/{order_id}/refunds")
def list_refunds(order_id: IdPath, uow: UowDep, actor: ActorDep) -> Page[RefundOut]:
    return whole(payments.refunds_of_order(uow, actor, order_id), RefundOut.of)


@router.get("/refunds/{refund_id}")
def get_refund(refund_id: IdPath, uow: UowDep, actor: ActorDep) -> RefundOut:
    return RefundOut.of(payments.get_refund(uow, actor, refund_id))


@router.post("/refunds/{refund_id}/retry")
def retry_refund(refund_id: IdPath, uow: UowDep, actor: ActorDep) -> RefundOut:
    """Ask the provider again for a failed (or stuck pending) refund, with the same keys."""
    return RefundOut.of(payments.retry_refund(uow, actor, refund_id))


@router.post("/returns/{return_id}/refund", status_code=201)
def refund_return(
    return_id: IdPath, uow: UowDep, actor: ActorDep, container: ContainerDep
) -> RefundOut:
    """Refund the inspected units, as oms computes it. The answer's `status` says whether
    the provider did it (`succeeded`) or refused (`failed`, with `error`: retry it). A
    second refund of the same return is 409; above the refund limit, only an admin."""
    limit = container.settings.refund_limit
    return RefundOut.of(return_resolutions.refund_return(uow, actor, return_id, limit))


@router.post("/returns/{return_id}/exchange", status_code=201)
def exchange_return(return_id: IdPath, uow: UowDep, actor: ActorDep) -> OrderOut:
    """A new order with the returned products at no charge, reserving stock at once
    (backordered where none); linked both ways (`exchange_of`, `exchanges`)."""
    return OrderOut.of(return_resolutions.exchange_return(uow, actor, return_id))


@router.post("/returns/{return_id}/close")
def close_return(return_id: IdPath, body: ReasonIn, uow: UowDep, actor: ActorDep) -> ReturnOut:
    """Nothing more will happen to the return (nothing to pay back, or settled otherwise)."""
    return ReturnOut.of(return_resolutions.close_return(uow, actor, return_id, body.reason))
