"""The order page's edit forms (web/order_edit.py shows them): each calls the one edit use
case. A refusal shows the order page again with the problem in its form and what was typed
kept; a done edit redirects with what changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response
from pydantic import BaseModel

from oms.domain.access import Permission
from oms.domain.errors import Conflict, FieldErrors, InvalidInput, NotFound, PermissionDenied
from oms.domain.orders.model import Address
from oms.services.order_edits import NewLine, OrderEdit, edit_order
from oms.web import forms, order_page
from oms.web.order_edit import EditAttempt
from oms.web.problems import problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _edit(
    page: Page, order_id: int, form: str, typed: dict[str, str], build: Callable[[], OrderEdit]
) -> Response:
    try:
        edit = build()
        order = edit_order(page.uow, page.actor, order_id, edit, page.settings.refund_limit)
    except PermissionDenied as error:
        if not page.actor.may(Permission.ORDER_EDIT):
            raise  # a forged post: the error page
        # The refund an edit owes is above the refund limit: an admin makes that edit.
        return order_page._show(page, order_id, edit=EditAttempt(form, problem_of(error), typed))
    except (InvalidInput, Conflict, NotFound) as error:
        return order_page._show(page, order_id, edit=EditAttempt(form, problem_of(error), typed))
    return page.redirect(f"/orders/{order_id}", f"Order {order.number} edited.")


@router.post("/orders/{order_id}/edit/lines/{line_id}")
def change_quantity(
    page: PageDep, order_id: int, line_id: int, csrf_token: FormText = "", quantity: FormText = ""
) -> Response:
    page.check_csrf(csrf_token)
    return _edit(
        page,
        order_id,
        f"quantity-{line_id}",
        {"quantity": quantity},
        lambda: OrderEdit(quantities={line_id: forms.whole_number(quantity, "quantity")}),
    )


@router.post("/orders/{order_id}/edit/lines/{line_id}/remove")
def remove_line(page: PageDep, order_id: int, line_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    return _edit(page, order_id, f"remove-{line_id}", {}, lambda: OrderEdit(remove=[line_id]))


@router.post("/orders/{order_id}/edit/lines")
def add_line(
    page: PageDep, order_id: int, csrf_token: FormText = "", sku: FormText = "",
    quantity: FormText = "",
) -> Response:  # fmt: skip
    page.check_csrf(csrf_token)

    def build() -> OrderEdit:
        if not sku.strip():
            raise FieldErrors.single("sku", "must not be empty")
        units = forms.whole_number(quantity, "quantity")
        return OrderEdit(add=[NewLine(sku.strip(), units)])

    return _edit(page, order_id, "add", {"sku": sku, "quantity": quantity}, build)


class AddressForm(BaseModel):
    """The address fields as typed (checked by the domain, as at placing)."""

    csrf_token: str = ""
    name: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""

    def address(self) -> Address:
        return Address(
            self.name, self.line1, self.city, self.postal_code, self.country.strip().upper(),
            forms.optional(self.line2),
        )  # fmt: skip


@router.post("/orders/{order_id}/edit/address")
def change_address(page: PageDep, order_id: int, typed: Annotated[AddressForm, Form()]) -> Response:
    page.check_csrf(typed.csrf_token)
    kept = typed.model_dump(exclude={"csrf_token"})
    return _edit(page, order_id, "address", kept, lambda: OrderEdit(address=typed.address()))


@router.post("/orders/{order_id}/edit/priority")
def change_priority(
    page: PageDep, order_id: int, csrf_token: FormText = "", priority: FormText = ""
) -> Response:
    page.check_csrf(csrf_token)
    return _edit(
        page,
        order_id,
        "priority",
        {"priority": priority},
        lambda: OrderEdit(priority=forms.whole_number(priority, "priority")),
    )
