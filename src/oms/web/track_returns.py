"""The customer's return request, from the public tracking page: /track/{token}/return
(the form, and posting it) and /track/{token}/return/{number} (the confirmation).

CSRF. The tracking page has no login, so no session holds a CSRF secret, and it sets no
cookie. The form carries a token signed with the server's key (`security.bound_token`),
bound to this page's tracking token and to the time it was issued: it passes only on a
post to the same page, within a day. A double-submit cookie would need a cookie scoped to
each tracking page on a page that otherwise sets none; the signed token needs no state, and
a page of one order cannot mint a token for another. A cross-site form cannot read the
token (it is in the page, which no other origin may read), so it cannot forge a post.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from oms.domain.errors import DomainError, FieldErrors, NotFound
from oms.domain.returns.policy import MAX_LINES, RequestedLine
from oms.domain.returns.reasons import Resolution, ReturnReason
from oms.services import customer_returns
from oms.services.customer_returns import RequestReturn, Returnable
from oms.web import forms
from oms.web.problems import Problem, problem_of
from oms.web.security import bound_token, bound_token_ok
from oms.web.shell import FORM_EXPIRED, container, cookie_key, templates
from oms.web.tracking import TRACK_HEADERS, TRACK_TOKEN, long_date

router = APIRouter(include_in_schema=False)

CSRF_PURPOSE = "track-return"
CSRF_MAX_AGE = 24 * 3600

# The contract's reasons in the customer's words, the seller's fault first.
REASON_WORDS: dict[ReturnReason, str] = {
    ReturnReason.DAMAGED: "It arrived damaged or faulty",
    ReturnReason.WRONG_ITEM: "I received the wrong item",
    ReturnReason.NOT_AS_DESCRIBED: "It is not as described",
    ReturnReason.LATE: "It arrived too late",
    ReturnReason.CHANGED_MIND: "I changed my mind",
    ReturnReason.NO_LONGER_NEEDED: "I no longer need it",
    ReturnReason.OTHER: "Another reason",
}
RESOLUTION_WORDS: dict[Resolution, str] = {
    Resolution.REFUND: "A refund",
    Resolution.EXCHANGE: "An exchange: the same items sent again",
}


@dataclass(frozen=True, slots=True)
class Typed:
    """What the customer typed, kept when a request is refused: by SKU, and the rest."""

    quantity: dict[str, str] = field(default_factory=dict)
    reason: dict[str, str] = field(default_factory=dict)
    resolution: str = Resolution.REFUND.value
    note: str = ""


class ReturnForm(BaseModel):
    csrf_token: Annotated[str, Field(max_length=128)] = ""
    sku: list[Annotated[str, Field(max_length=64)]] = Field(default=[], max_length=MAX_LINES)
    quantity: list[Annotated[str, Field(max_length=12)]] = Field(default=[], max_length=MAX_LINES)
    reason: list[Annotated[str, Field(max_length=32)]] = Field(default=[], max_length=MAX_LINES)
    resolution: Annotated[str, Field(max_length=16)] = ""
    note: Annotated[str, Field(max_length=2000)] = ""


def _not_found(request: Request) -> Response:
    response = templates.TemplateResponse(request, "track.html", {"t": None}, status_code=404)
    response.headers.update(TRACK_HEADERS)
    return response


def _returnable(request: Request, token: str) -> Returnable | None:
    if not TRACK_TOKEN.fullmatch(token):
        return None
    try:
        return customer_returns.returnable(container(request).uow(), token)
    except NotFound:
        return None


def _form(
    request: Request,
    token: str,
    view: Returnable,
    status: int = 200,
    **context: Any,
) -> Response:
    issued = bound_token(cookie_key(request), CSRF_PURPOSE, token, int(time.time()))
    context.setdefault("typed", Typed())
    problem: Problem | None = context.get("problem")
    if problem is not None:
        shown = ["lines", "resolution"]
        for item in view.open_items:
            shown += [f"lines[{item.sku}].quantity", f"lines[{item.sku}].reason"]
        context["summary"] = problem.summary(*shown)
    response = templates.TemplateResponse(
        request,
        "track_return.html",
        {
            "r": view,
            "track_url": f"/track/{token}",
            "csrf_token": issued,
            "reasons": REASON_WORDS,
            "resolutions": RESOLUTION_WORDS,
            "long_date": long_date,
            **context,
        },
        status_code=status,
    )
    response.headers.update(TRACK_HEADERS)
    return response


@router.get("/track/{token}/return")
def return_form(request: Request, token: str) -> Response:
    """The form: each product whose window is open, its units, a reason; the others say
    until when they could have come back."""
    view = _returnable(request, token)
    return _form(request, token, view) if view else _not_found(request)


@router.post("/track/{token}/return")
def ask_for_return(request: Request, token: str, form: Annotated[ReturnForm, Form()]) -> Response:
    """Lines left at 0 are not asked for. Refusals come back inline with what was typed."""
    view = _returnable(request, token)
    if view is None:
        return _not_found(request)
    typed = Typed(
        dict(zip(form.sku, form.quantity, strict=False)),
        dict(zip(form.sku, form.reason, strict=False)),
        form.resolution,
        form.note,
    )
    key = cookie_key(request)
    if not bound_token_ok(
        key, CSRF_PURPOSE, token, form.csrf_token, int(time.time()), CSRF_MAX_AGE
    ):
        return _form(request, token, view, 403, typed=typed, problem=_expired())
    try:
        cmd = _command(form)
    except DomainError as error:
        return _form(request, token, view, 422, typed=typed, problem=problem_of(error))
    try:
        made = customer_returns.request_return(container(request).uow(), token, cmd)
    except NotFound:
        return _not_found(request)
    except DomainError as error:
        problem = _by_sku(problem_of(error), cmd)
        fresh = _returnable(request, token) or view
        return _form(request, token, fresh, problem.status, typed=typed, problem=problem)
    return RedirectResponse(f"/track/{token}/return/{made.number}", status_code=303)


@router.get("/track/{token}/return/{number}")
def confirmation(request: Request, token: str, number: str) -> Response:
    """The return asked for, and what happens next."""
    view = _returnable(request, token)
    found = next((x for x in view.returns if x.number == number), None) if view else None
    if view is None or found is None:
        return _not_found(request)
    response = templates.TemplateResponse(
        request,
        "track_return_done.html",
        {"r": view, "made": found, "track_url": f"/track/{token}"},
    )
    response.headers.update(TRACK_HEADERS)
    return response


def _expired() -> Problem:
    return Problem(403, "Request refused", FORM_EXPIRED)


def _command(form: ReturnForm) -> RequestReturn:
    """The form's rows as request lines; errors are named `lines[<sku>].<field>`."""
    errors = FieldErrors()
    lines = []
    for i, sku in enumerate(form.sku):
        text = form.quantity[i] if i < len(form.quantity) else ""
        n = forms.integer(text, f"lines[{sku}].quantity", errors) or 0
        if n < 0:
            errors.add(f"lines[{sku}].quantity", "0 or more")
        if n <= 0:
            continue
        reason = form.reason[i] if i < len(form.reason) else ""
        if reason not in {r.value for r in ReturnReason}:
            errors.add(f"lines[{sku}].reason", "please choose a reason")
            continue
        lines.append(RequestedLine(sku, n, ReturnReason(reason)))
    if form.resolution not in {r.value for r in Resolution}:
        errors.add("resolution", "please choose a refund or an exchange")
    if not lines and not errors.errors:
        errors.add("lines", "please choose at least one item to send back")
    errors.raise_if_any()
    return RequestReturn(lines, Resolution(form.resolution), forms.optional(form.note))


def _by_sku(problem: Problem, cmd: RequestReturn) -> Problem:
    """The service names lines by their place in the request; the form shows them by SKU."""
    fields = {}
    for name, message in problem.fields.items():
        head, _, rest = name.partition("].")
        index = head.removeprefix("lines[")
        if index.isdigit() and int(index) < len(cmd.lines):
            name = f"lines[{cmd.lines[int(index)].sku}].{rest}"
        fields[name] = message
    return Problem(problem.status, problem.title, problem.detail, fields)
