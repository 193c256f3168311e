"""The order page's money forms: record a payment, cancel units of a line (a paid order is
refunded for them), retry a failed or pending refund. A refusal shows the order page again
with the problem in the form and what was typed kept; a done form redirects."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import Response

from oms.domain.access import Permission
from oms.domain.errors import Conflict, FieldErrors, InvalidInput, NotFound, PermissionDenied
from oms.domain.payments.model import Refund, RefundStatus
from oms.services import orders, payments
from oms.services.orders import CancelLine
from oms.services.payments import RecordPayment
from oms.web import forms, order_page
from oms.web.order_money import MoneyAttempt
from oms.web.problems import problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def refund_said(refund: Refund) -> str:
    """A refund's outcome as a flash message says it."""
    money = f"{refund.amount} {refund.currency}"
    if refund.status is RefundStatus.SUCCEEDED:
        return f"Refund of {money} sent back."
    if refund.status is RefundStatus.FAILED:
        return f"The refund of {money} failed at the provider ({refund.error}): retry it."
    return f"The refund of {money} is waiting for the provider's answer."


def _refused(
    page: Page, order_id: int, attempt: Callable[[], str], form: str, typed: dict[str, str]
) -> Response:
    """Run the form's work (it returns the flash message); a refusal comes back inline. A
    403 is inline only for a role that may use the form (the refund limit); a forged post
    is the error page."""
    try:
        done = attempt()
    except PermissionDenied as error:
        if not page.actor.may(PERMISSIONS[form.split("-")[0]]):
            raise
        return order_page._show(page, order_id, money=MoneyAttempt(form, problem_of(error), typed))
    except (InvalidInput, Conflict) as error:
        return order_page._show(page, order_id, money=MoneyAttempt(form, problem_of(error), typed))
    return page.redirect(f"/orders/{order_id}", done)


PERMISSIONS = {
    "payment": Permission.PAYMENT_RECORD,
    "cancel": Permission.ORDER_CANCEL,
    "retry": Permission.REFUND_ISSUE,
}


@router.post("/orders/{order_id}/payments")
def record_payment(
    page: PageDep,
    order_id: int,
    csrf_token: FormText = "",
    amount: FormText = "",
    provider: FormText = "",
    reference: FormText = "",
) -> Response:
    page.check_csrf(csrf_token)
    typed = {"amount": amount, "provider": provider, "reference": reference}

    def work() -> str:
        errors = FieldErrors()
        value = forms.amount(amount, "amount", errors)
        errors.raise_if_any()
        assert value is not None
        cmd = RecordPayment(value, provider.strip(), forms.optional(reference))
        recorded = payments.record_payment(page.uow, page.actor, order_id, cmd)
        p = recorded.payment
        if not recorded.created:
            return f"Payment {p.reference} was recorded already: nothing added."
        return f"Payment of {p.amount} {p.currency} recorded ({p.provider}, {p.reference})."

    return _refused(page, order_id, work, "payment", typed)


@router.post("/orders/{order_id}/lines/{line_id}/cancel")
def cancel_units(
    page: PageDep,
    order_id: int,
    line_id: int,
    csrf_token: FormText = "",
    quantity: FormText = "",
    reason: FormText = "",
) -> Response:
    page.check_csrf(csrf_token)
    typed = {"quantity": quantity, "reason": reason}

    def work() -> str:
        units = forms.whole_number(quantity, "quantity")
        before = {r.id for r in payments.refunds_of_order(page.uow, page.actor, order_id)}
        cmd = CancelLine(line_id, units, reason)
        order = orders.cancel_line(page.uow, page.actor, order_id, cmd, page.settings.refund_limit)
        sku = next(line.sku for line in order.lines if line.id == line_id)
        said = [f"{units} of {sku} cancelled."]
        for refund in payments.refunds_of_order(page.uow, page.actor, order_id):
            if refund.id not in before:
                said.append(refund_said(refund))
        return " ".join(said)

    return _refused(page, order_id, work, f"cancel-{line_id}", typed)


@router.post("/orders/{order_id}/refunds/{refund_id}/retry")
def retry_refund(
    page: PageDep, order_id: int, refund_id: int, csrf_token: FormText = ""
) -> Response:
    page.check_csrf(csrf_token)
    if payments.get_refund(page.uow, page.actor, refund_id).order_id != order_id:
        raise NotFound(f"order {order_id} has no refund {refund_id}")

    def work() -> str:
        return refund_said(payments.retry_refund(page.uow, page.actor, refund_id))

    return _refused(page, order_id, work, f"retry-{refund_id}", {})
