"""The end of the journey on the customer's tracking page: confirming that the parcels
arrived (/track/{token}/receipt), and reporting a problem with them (/track/{token}/problem).

CSRF as for the return request (web/track_returns.py): the forms carry a token signed with
the server's key and bound to this page's tracking token, good for a day; no cookie.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from oms.domain.errors import DomainError, NotFound
from oms.domain.orders.draft import MAX_NOTE
from oms.domain.orders.problems import CUSTOMER_REASONS, LABELS
from oms.services import completion
from oms.services.completion import CustomerEnd
from oms.web import forms
from oms.web.problems import Problem, problem_of
from oms.web.security import bound_token, bound_token_ok
from oms.web.shell import FORM_EXPIRED, container, cookie_key, templates
from oms.web.tracking import RECEIPT_CSRF as CSRF_PURPOSE
from oms.web.tracking import TRACK_HEADERS, TRACK_TOKEN, long_date

router = APIRouter(include_in_schema=False)

CSRF_MAX_AGE = 24 * 3600
REASON_WORDS = {r.value: LABELS[r] for r in CUSTOMER_REASONS}


class ReceiptForm(BaseModel):
    csrf_token: Annotated[str, Field(max_length=128)] = ""


class ProblemForm(BaseModel):
    csrf_token: Annotated[str, Field(max_length=128)] = ""
    reason: Annotated[str, Field(max_length=32)] = ""
    note: Annotated[str, Field(max_length=MAX_NOTE)] = ""


def _issue(request: Request, token: str) -> str:
    return bound_token(cookie_key(request), CSRF_PURPOSE, token, int(time.time()))


def _fresh(request: Request, token: str, given: str) -> bool:
    return bound_token_ok(
        cookie_key(request), CSRF_PURPOSE, token, given, int(time.time()), CSRF_MAX_AGE
    )


def _page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(TRACK_HEADERS)
    return response


def _not_found(request: Request) -> Response:
    return _page(request, "track.html", 404, t=None)


def _end(request: Request, token: str) -> CustomerEnd | None:
    if not TRACK_TOKEN.fullmatch(token):
        return None
    try:
        return completion.customer_end(container(request).uow(), token)
    except NotFound:
        return None


@router.post("/track/{token}/receipt")
def confirm_receipt(request: Request, token: str, form: Annotated[ReceiptForm, Form()]) -> Response:
    """ "Yes, everything arrived": completes the order when nothing else is open."""
    if _end(request, token) is None:
        return _not_found(request)
    back = f"/track/{token}#receipt-heading"
    if not _fresh(request, token, form.csrf_token):
        problem = Problem(403, "Request refused", FORM_EXPIRED)
        context = _form_context(request, token, end=_end(request, token), problem=problem)
        return _page(request, "track_problem.html", 403, **context)
    try:
        completion.confirm_receipt(container(request).uow(), token)
    except NotFound:
        return _not_found(request)
    except DomainError:
        pass  # nothing delivered (yet): the page says what may be done now
    return RedirectResponse(back, status_code=303)


def _form_context(request: Request, token: str, **context: Any) -> dict[str, Any]:
    context.setdefault("typed", ProblemForm())
    return {
        "track_url": f"/track/{token}",
        "action": f"/track/{token}/problem",
        "csrf_token": _issue(request, token),
        "reasons": REASON_WORDS,
        "long_date": long_date,
        **context,
    }


@router.get("/track/{token}/problem")
def problem_form(request: Request, token: str) -> Response:
    end = _end(request, token)
    if end is None:
        return _not_found(request)
    return _page(request, "track_problem.html", **_form_context(request, token, end=end))


@router.post("/track/{token}/problem")
def report_problem(request: Request, token: str, form: Annotated[ProblemForm, Form()]) -> Response:
    """The problem lands in customer service's queue; the page lists it."""
    end = _end(request, token)
    if end is None:
        return _not_found(request)
    if not _fresh(request, token, form.csrf_token):
        problem = Problem(403, "Request refused", FORM_EXPIRED)
        return _page(
            request,
            "track_problem.html",
            403,
            **_form_context(request, token, end=end, typed=form, problem=problem),
        )
    try:
        completion.report_problem(
            container(request).uow(), token, form.reason, forms.optional(form.note)
        )
    except NotFound:
        return _not_found(request)
    except DomainError as error:
        problem = problem_of(error)
        return _page(
            request,
            "track_problem.html",
            problem.status,
            **_form_context(request, token, end=end, typed=form, problem=problem),
        )
    return RedirectResponse(f"/track/{token}#receipt-heading", status_code=303)
