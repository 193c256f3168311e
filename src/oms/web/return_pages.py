"""Returns in the back office: the list (by status), one return with the steps this role
may take now (approve, reject, receive, inspect; then refund, exchange or close, whose posts
are in return_resolutions.py), its label and its refund, and starting a return from the
order's page. Refusals come back inline with what was typed; a done step redirects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response
from pydantic import BaseModel, Field

from oms.domain.access import Actor, Permission
from oms.domain.errors import Conflict, DomainError, FieldErrors, InvalidInput, PermissionDenied
from oms.domain.payments.model import Refund
from oms.domain.returns.model import Inspected, Return
from oms.domain.returns.policy import RequestedLine
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.domain.returns.status import ReturnStatus
from oms.services import catalogue, documents, orders, payments, returns, views
from oms.services.ports.returns import ReturnFilter
from oms.services.returns import ReceiveReturn, StartReturn
from oms.web import forms, order_page
from oms.web.order_returns import StartAttempt
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
FormList = Annotated[list[str], Form()]
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    label: str
    permission: Permission
    status: ReturnStatus  # the status it starts from
    done: str
    also_from: frozenset[ReturnStatus] = frozenset()  # other statuses it starts from


STEPS: tuple[Step, ...] = (
    Step("approve", "Approve", Permission.RETURN_MANAGE, ReturnStatus.REQUESTED,
         "Return {} approved: its label is ready."),
    Step("reject", "Reject", Permission.RETURN_MANAGE, ReturnStatus.REQUESTED,
         "Return {} rejected."),
    Step("receive", "Receive", Permission.RETURN_RECEIVE, ReturnStatus.APPROVED,
         "Return {} received."),
    Step("inspect", "Inspect", Permission.RETURN_RECEIVE, ReturnStatus.RECEIVED,
         "Return {} inspected."),
    Step("refund", "Refund", Permission.REFUND_ISSUE, ReturnStatus.INSPECTED, ""),
    Step("exchange", "Exchange", Permission.RETURN_MANAGE, ReturnStatus.INSPECTED, ""),
    Step("close", "Close", Permission.RETURN_MANAGE, ReturnStatus.INSPECTED,
         "Return {} closed.", frozenset({ReturnStatus.REFUNDED, ReturnStatus.EXCHANGED})),
)  # fmt: skip


def offered(actor: Actor, r: Return, refund: Refund | None = None) -> list[Step]:
    """The steps to show: the role may take them and the return is where they start. A
    return with a refund already is not refunded again (a failed one is retried)."""
    return [
        s
        for s in STEPS
        if actor.may(s.permission)
        and (r.status is s.status or r.status in s.also_from)
        and not (s.name == "refund" and refund is not None)
    ]


@dataclass(frozen=True, slots=True)
class Attempt:
    step: str
    problem: Problem
    typed: dict[str, Any] = field(default_factory=dict)


@router.get("/returns")
def return_list(page: PageDep, status: str = "", before: int | None = None) -> Response:
    chosen = status if status in {s.value for s in ReturnStatus} else None
    flt = ReturnFilter(status=chosen, before_id=before, limit=PAGE_SIZE + 1)
    found = returns.list_returns(page.uow, page.actor, flt)
    zone = views.time_zone(page.uow, page.views)
    return page.render(
        "returns/list.html",
        rows=found[:PAGE_SIZE],
        more=len(found) > PAGE_SIZE,
        chosen=chosen or "",
        statuses=list(ReturnStatus),
        zone=zone,
    )


def _show(page: Page, return_id: int, attempt: Attempt | None = None) -> Response:
    r = returns.get_return(page.uow, page.actor, return_id)
    order = orders.get_order(page.uow, page.actor, r.order_id)
    made = payments.refunds_of_order(page.uow, page.actor, r.order_id)
    refund = next((x for x in made if x.return_id == r.id), None)
    exchange = (
        orders.get_order(page.uow, page.actor, r.exchange_order_id) if r.exchange_order_id else None
    )
    steps = offered(page.actor, r, refund)
    names = {s.name for s in steps}
    locations = []
    if "receive" in names:
        locations = [x for x in catalogue.list_locations(page.uow, page.actor) if x.ships]
    zone = views.time_zone(page.uow, page.views, [r.label.location_id] if r.label else [])
    return page.render(
        "returns/detail.html",
        attempt.problem.status if attempt else 200,
        r=r,
        order=order,
        steps=steps,
        attempt=attempt,
        locations=locations,
        zone=zone,
        refund=refund,
        exchange=exchange,
        may_retry=page.actor.may(Permission.REFUND_ISSUE),
    )


@router.get("/returns/{return_id}")
def return_page(page: PageDep, return_id: int) -> Response:
    return _show(page, return_id)


@router.get("/returns/{return_id}/label.pdf")
def return_label(page: PageDep, return_id: int) -> Response:
    return Response(
        documents.return_label_pdf(page.uow, page.actor, return_id),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="return-label-{return_id}.pdf"'},
    )


def _step(
    page: Page, return_id: int, name: str, run: Callable[[], Return], typed: dict[str, Any]
) -> Response:
    step = next(s for s in STEPS if s.name == name)
    try:
        r = run()
    except (InvalidInput, Conflict) as error:
        return _show(page, return_id, Attempt(name, problem_of(error), typed))
    return page.redirect(f"/returns/{return_id}", step.done.format(r.number))


@router.post("/returns/{return_id}/approve")
def approve(page: PageDep, return_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    return _step(
        page,
        return_id,
        "approve",
        lambda: returns.approve_return(page.uow, page.actor, return_id),
        {},
    )


@router.post("/returns/{return_id}/reject")
def reject(
    page: PageDep, return_id: int, csrf_token: FormText = "", reason: FormText = ""
) -> Response:
    page.check_csrf(csrf_token)
    run = lambda: returns.reject_return(page.uow, page.actor, return_id, reason)  # noqa: E731
    return _step(page, return_id, "reject", run, {"reason": reason})


@router.post("/returns/{return_id}/receive")
def receive(
    page: PageDep,
    return_id: int,
    csrf_token: FormText = "",
    location: FormText = "",
    sku: FormList = [],  # noqa: B006 - FastAPI copies the default
    quantity: FormList = [],  # noqa: B006
) -> Response:
    page.check_csrf(csrf_token)
    typed = {"location": location, "quantity": dict(zip(sku, quantity, strict=False))}

    def run() -> Return:
        errors = FieldErrors()
        units = forms.counts(quantity, "quantity", errors)
        errors.raise_if_any()
        cmd = ReceiveReturn(location, list(zip(sku, units, strict=True)))
        return returns.receive_return(page.uow, page.actor, return_id, cmd)

    return _step(page, return_id, "receive", run, typed)


@router.post("/returns/{return_id}/inspect")
def inspect(
    page: PageDep,
    return_id: int,
    csrf_token: FormText = "",
    sku: FormList = [],  # noqa: B006
    resellable: FormList = [],  # noqa: B006
    damaged: FormList = [],  # noqa: B006
) -> Response:
    page.check_csrf(csrf_token)
    typed = {
        "resellable": dict(zip(sku, resellable, strict=False)),
        "damaged": dict(zip(sku, damaged, strict=False)),
    }

    def run() -> Return:
        errors = FieldErrors()
        good = forms.counts(resellable, "resellable", errors)
        bad = forms.counts(damaged, "damaged", errors)
        errors.raise_if_any()
        found = [Inspected(s, g, b) for s, g, b in zip(sku, good, bad, strict=True)]
        return returns.inspect_return(page.uow, page.actor, return_id, found)

    return _step(page, return_id, "inspect", run, typed)


class StartForm(BaseModel):
    """The order page's "Start a return" form: one sku, quantity and reason per line."""

    csrf_token: str = ""
    sku: list[Annotated[str, Field(max_length=64)]] = []
    quantity: list[Annotated[str, Field(max_length=12)]] = []
    reason: list[Annotated[str, Field(max_length=32)]] = []
    resolution: Annotated[str, Field(max_length=16)] = ""
    override_reason: Annotated[str, Field(max_length=1024)] = ""


@router.post("/orders/{order_id}/returns")
def start(page: PageDep, order_id: int, form: Annotated[StartForm, Form()]) -> Response:
    """Start a return from the order's page: lines left at 0 are not returned."""
    page.check_csrf(form.csrf_token)
    typed = {
        "quantity": dict(zip(form.sku, form.quantity, strict=False)),
        "reason": dict(zip(form.sku, form.reason, strict=False)),
        "resolution": form.resolution,
        "override_reason": form.override_reason,
    }
    try:
        r = returns.start_return(page.uow, page.actor, order_id, _start_command(form))
    except PermissionDenied:
        raise
    except DomainError as error:
        return order_page._show(page, order_id, start=StartAttempt(problem_of(error), typed))
    return page.redirect(f"/returns/{r.id}", f"Return {r.number} started.")


def _start_command(form: StartForm) -> StartReturn:
    errors = FieldErrors()
    units = forms.counts(form.quantity, "quantity", errors)
    lines = []
    resolution = form.resolution
    for i, (sku, n) in enumerate(zip(form.sku, units, strict=False)):
        if not n:
            continue
        text = form.reason[i] if i < len(form.reason) else ""
        if text not in {r.value for r in ReturnReason}:
            errors.add(f"lines[{i}].reason", "choose a reason")
            continue
        lines.append(RequestedLine(sku, n, ReturnReason(text)))
    if resolution not in {r.value for r in Resolution}:
        errors.add("resolution", "refund or exchange")
    if not lines and not errors.errors:
        errors.add("lines", "at least one unit to return")
    errors.raise_if_any()
    return StartReturn(lines, Resolution(resolution), form.override_reason.strip() or None)
