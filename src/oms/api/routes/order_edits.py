"""Order edits before picking: address and priority, lines added, changed and removed.
Each answers with the order (as GET /orders/{id} without its shipments); 409 once a pick
started or the order is past confirmed."""

from __future__ import annotations

from fastapi import APIRouter

from oms.api.deps import ActorDep, ContainerDep, IdPath, UowDep
from oms.api.schemas.order_edits import LinePatchIn, NewLineIn, OrderPatchIn
from oms.api.schemas.orders import OrderOut
from oms.services.order_edits import OrderEdit, edit_order

router = APIRouter(tags=["orders"])


@router.patch("/orders/{order_id}")
def edit_order_header(
    order_id: IdPath, body: OrderPatchIn, uow: UowDep, actor: ActorDep, container: ContainerDep
) -> OrderOut:
    """Change the shipping address (checked as at placing; the order is sourced again for
    it) and/or the priority."""
    limit = container.settings.refund_limit
    return OrderOut.of(edit_order(uow, actor, order_id, body.to_edit(), limit))


@router.post("/orders/{order_id}/lines", status_code=201)
def add_line(
    order_id: IdPath, body: NewLineIn, uow: UowDep, actor: ActorDep, container: ContainerDep
) -> OrderOut:
    """Add a line (a SKU the order has with units open is refused: change its quantity);
    its units are reserved at once where stock allows, the rest backordered."""
    limit = container.settings.refund_limit
    return OrderOut.of(edit_order(uow, actor, order_id, body.to_edit(), limit))


@router.patch("/orders/{order_id}/lines/{line_id}")
def change_line(
    order_id: IdPath,
    line_id: IdPath,
    body: LinePatchIn,
    uow: UowDep,
    actor: ActorDep,
    container: ContainerDep,
) -> OrderOut:
    """Set the line's quantity, up (reserved or backordered) or down (released); a paid
    order is refunded what it no longer costs, or owes what it costs more."""
    limit = container.settings.refund_limit
    return OrderOut.of(edit_order(uow, actor, order_id, body.to_edit(line_id), limit))


@router.delete("/orders/{order_id}/lines/{line_id}")
def remove_line(
    order_id: IdPath, line_id: IdPath, uow: UowDep, actor: ActorDep, container: ContainerDep
) -> OrderOut:
    """Take the line's open units off the order (it stays, with quantity 0, in the answer
    and the ledger). Removing a line already removed changes nothing; the last line with
    units open is refused (cancel the order instead)."""
    edit = OrderEdit(remove=[line_id])
    return OrderOut.of(edit_order(uow, actor, order_id, edit, container.settings.refund_limit))
