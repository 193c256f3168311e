"""Purchase orders in the back office (docs/planning.md): the list, and a purchase order's
page with, for those who buy (`purchasing.write`), the forms to send it, receive units of
its lines into its location, cancel or close it. A refusal shows the page again with the
problem and the typed quantities; a done form redirects with a flash."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from oms.domain.access import Permission
from oms.domain.errors import Conflict, FieldErrors, InvalidInput
from oms.domain.money import minor_unit, quantum
from oms.domain.planning.purchase_orders import PurchaseOrderStatus
from oms.services import purchasing
from oms.services.ports.planning import PurchaseOrderQuery, PurchaseOrders
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute, container

router = APIRouter(include_in_schema=False, route_class=PageRoute)
BASE = "/purchase-orders"


def _store(page: Page) -> PurchaseOrders:
    return container(page.request).purchase_orders(page.uow)


@router.get(BASE)
def purchase_order_list(page: PageDep, status: str = "") -> Response:
    chosen = status if status in {s.value for s in PurchaseOrderStatus} else None
    found = purchasing.list_purchase_orders(
        page.uow, _store(page), page.actor, PurchaseOrderQuery(chosen, limit=200)
    )
    return page.render(
        "purchasing/list.html",
        found=found,
        statuses=list(PurchaseOrderStatus),
        chosen=chosen,
        may_buy=page.actor.may(Permission.PURCHASING_WRITE),
    )


def _money(minor: int, currency: str) -> str:
    return f"{Decimal(minor).scaleb(-minor_unit(currency)).quantize(quantum(currency))} {currency}"


def _detail(
    page: Page, po_id: int, problem: Problem | None = None, typed: dict[str, str] | None = None
) -> Response:
    view = purchasing.get_purchase_order(page.uow, _store(page), page.actor, po_id)
    return page.render(
        "purchasing/detail.html",
        problem.status if problem else 200,
        view=view,
        o=view.order,
        S=PurchaseOrderStatus,
        may_buy=page.actor.may(Permission.PURCHASING_WRITE),
        problem=problem,
        typed=typed or {},
        shown=tuple(f"lines.{x.id}" for x in view.order.lines),
        cost=lambda minor: _money(minor, view.order.currency),
    )


@router.get(BASE + "/{po_id}")
def purchase_order_page(page: PageDep, po_id: int) -> Response:
    return _detail(page, po_id)


def _act(
    page: Page, po_id: int, work: Callable[[], str], typed: dict[str, str] | None = None
) -> Response:
    page.actor.require(Permission.PURCHASING_WRITE)  # a forged post: 403 before anything
    try:
        said = work()
    except (InvalidInput, Conflict) as error:
        return _detail(page, po_id, problem_of(error), typed)
    return page.redirect(f"{BASE}/{po_id}", said)


@router.post(BASE + "/{po_id}/send")
def send(page: PageDep, po_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)

    def work() -> str:
        o = purchasing.send(page.uow, _store(page), page.actor, po_id)
        return f"Purchase order {po_id} sent, expected {o.expected_on}."

    return _act(page, po_id, work)


@router.post(BASE + "/{po_id}/receive")
async def receive(page: PageDep, po_id: int, request: Request) -> Response:
    form = await request.form()
    page.check_csrf(str(form.get("csrf_token", "")))
    typed = {k: str(v)[:20] for k, v in form.items() if k.startswith("line-")}

    def work() -> str:
        units: dict[int, int] = {}
        errors = FieldErrors()
        for key, value in typed.items():
            text = value.strip()
            if not text or text == "0":
                continue
            if not text.isdigit() or not key[5:].isdigit():
                errors.add(key, "a whole number of units")
                continue
            units[int(key[5:])] = int(text)
        errors.raise_if_any()
        o = purchasing.receive(page.uow, _store(page), page.actor, po_id, units)
        state = o.status.value.replace("_", " ")
        return f"{sum(units.values())} units received; purchase order {po_id} {state}."

    return _act(page, po_id, work, typed)


@router.post(BASE + "/{po_id}/cancel")
def cancel(page: PageDep, po_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)

    def work() -> str:
        purchasing.cancel(page.uow, _store(page), page.actor, po_id)
        return f"Purchase order {po_id} cancelled."

    return _act(page, po_id, work)


@router.post(BASE + "/{po_id}/close")
def close(page: PageDep, po_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)

    def work() -> str:
        purchasing.close(page.uow, _store(page), page.actor, po_id)
        return f"Purchase order {po_id} closed with what arrived."

    return _act(page, po_id, work)
