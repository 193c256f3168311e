"""The order page's lost-parcel forms: "Declare lost" (a reason) and "Send again". A
refusal shows the order page again with the problem and the typed reason kept; a done form
redirects; a forged post without the permission is the 403 error page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import Response

from oms.domain.access import Permission
from oms.domain.errors import Conflict, InvalidInput, NotFound
from oms.domain.fulfilment.model import Shipment
from oms.services import lost_parcels, warehouse
from oms.web import order_page
from oms.web.problems import problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _act(page: Page, order_id: int, form: str, reason: str, work: Callable[[], str]) -> Response:
    try:
        done = work()
    except (InvalidInput, Conflict) as error:
        attempt = order_page.Attempt(form, reason, problem_of(error))
        return order_page._show(page, order_id, attempt)
    return page.redirect(f"/orders/{order_id}", done)


def _of_order(page: Page, order_id: int, shipment_id: int) -> Shipment:
    """The shipment, if it is this order's (else 404, as for an unknown one)."""
    page.actor.require(Permission.SHIPMENT_RESHIP)  # a forged post: 403 before anything
    shipment = warehouse.get_shipment(page.uow, page.actor, shipment_id)
    if shipment.order_id != order_id:
        raise NotFound(f"order {order_id} has no shipment {shipment_id}")
    return shipment


@router.post("/orders/{order_id}/shipments/{shipment_id}/lost")
def declare_lost(
    page: PageDep, order_id: int, shipment_id: int, csrf_token: FormText = "", reason: FormText = ""
) -> Response:
    page.check_csrf(csrf_token)
    _of_order(page, order_id, shipment_id)

    def work() -> str:
        lost_parcels.declare_lost(page.uow, page.actor, shipment_id, reason)
        return f"Shipment #{shipment_id} declared lost: send it again when you are ready."

    return _act(page, order_id, f"lost-{shipment_id}", reason, work)


@router.post("/orders/{order_id}/shipments/{shipment_id}/reship")
def reship(page: PageDep, order_id: int, shipment_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    _of_order(page, order_id, shipment_id)

    def work() -> str:
        done = lost_parcels.reship(page.uow, page.actor, shipment_id)
        made = ", ".join(f"#{s.id}" for s in done.shipments)
        waiting = ", ".join(f"{n} {sku}" for sku, n in done.backordered.items())
        said = f"Shipment #{shipment_id} sent again"
        said += f" as shipment {made}" if made else ""
        return said + (f"; waiting for stock: {waiting}." if waiting else ".")

    return _act(page, order_id, f"reship-{shipment_id}", "", work)
