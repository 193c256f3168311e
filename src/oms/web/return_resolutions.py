"""How a return ends, from its page: refund it (as oms computes it; the page then shows the
amount and how it adds up, or the provider's error and a Retry), exchange it (a new order,
linked), or close it with a reason. A refusal (nothing to refund, above the refund limit)
comes back inline on the return's page; a done step redirects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from oms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from oms.services import payments, return_resolutions, returns
from oms.web import return_pages
from oms.web.money_pages import refund_said
from oms.web.problems import problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _resolve(
    page: Page,
    return_id: int,
    step: str,
    run: Callable[[], tuple[str, str]],
    typed: dict[str, Any],
) -> Response:
    """Run the step (it returns where to go and the flash message); a refusal shows the
    return's page with the problem in the step's form. A 403 is inline only for a role
    that may take the step (the refund limit); a forged post is the error page."""
    permission = next(s.permission for s in return_pages.STEPS if s.name == step)
    try:
        url, done = run()
    except PermissionDenied as error:
        if not page.actor.may(permission):
            raise
        attempt = return_pages.Attempt(step, problem_of(error), typed)
        return return_pages._show(page, return_id, attempt)
    except (InvalidInput, Conflict) as error:
        return return_pages._show(
            page, return_id, return_pages.Attempt(step, problem_of(error), typed)
        )
    return page.redirect(url, done)


@router.post("/returns/{return_id}/refund")
def refund(page: PageDep, return_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    limit = page.settings.refund_limit

    def run() -> tuple[str, str]:
        made = return_resolutions.refund_return(page.uow, page.actor, return_id, limit)
        return f"/returns/{return_id}", refund_said(made)

    return _resolve(page, return_id, "refund", run, {})


@router.post("/returns/{return_id}/refund/retry")
def retry(page: PageDep, return_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    r = returns.get_return(page.uow, page.actor, return_id)
    made = payments.refunds_of_order(page.uow, page.actor, r.order_id)
    found = next((x for x in made if x.return_id == r.id), None)
    if found is None:
        raise NotFound(f"return {r.number} has no refund to retry")

    def run() -> tuple[str, str]:
        again = payments.retry_refund(page.uow, page.actor, found.id)
        return f"/returns/{return_id}", refund_said(again)

    return _resolve(page, return_id, "refund", run, {})


@router.post("/returns/{return_id}/exchange")
def exchange(page: PageDep, return_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)

    def run() -> tuple[str, str]:
        new = return_resolutions.exchange_return(page.uow, page.actor, return_id)
        return f"/returns/{return_id}", f"Exchanged: order {new.number} sends the replacements."

    return _resolve(page, return_id, "exchange", run, {})


@router.post("/returns/{return_id}/close")
def close(
    page: PageDep, return_id: int, csrf_token: FormText = "", reason: FormText = ""
) -> Response:
    page.check_csrf(csrf_token)

    def run() -> tuple[str, str]:
        r = return_resolutions.close_return(page.uow, page.actor, return_id, reason)
        return f"/returns/{return_id}", f"Return {r.number} closed."

    return _resolve(page, return_id, "close", run, {"reason": reason})
