"""One stock row: its numbers, its ledger (newest first), and the count and adjustment forms
for roles that may change stock. A refused change shows the problem inline with what was
typed kept; a forged POST is still refused by the service (403)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from oms.domain.access import Permission
from oms.domain.errors import Conflict, FieldError, InvalidInput
from oms.services import holds, incoming, inventory, stock_views, views
from oms.services.inventory import StockChange
from oms.web import forms
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute, container

router = APIRouter(include_in_schema=False, route_class=PageRoute)
LEDGER_PAGE = 50
MAX_REASON = 500  # the ledger's column, and the API's limit
FORMS = ("count", "adjust")


@dataclass(frozen=True, slots=True)
class Attempt:
    """A refused count or adjustment: which form, what was typed, and why."""

    form: str
    values: dict[str, str] = field(default_factory=dict)
    problem: Problem | None = None


def _show(page: Page, location: str, sku: str, before: int | None = None,
          attempt: Attempt | None = None) -> Response:  # fmt: skip
    detail = stock_views.stock_detail(
        page.uow, page.views, page.actor, (location, sku), before, LEDGER_PAGE
    )
    zone = views.time_zone(page.uow, page.views, [detail.line.location_id])
    ledger = detail.ledger
    older = None
    if ledger.more:
        older = f"/stock/{location}/{sku}?before={ledger.lines[-1].id}"
    stock_id = detail.line.stock_id
    live = [] if stock_id is None else holds.live_holds(page.uow, page.actor, stock_id)
    store = container(page.request).stock_planning(page.uow)
    coming = incoming.incoming_at(page.uow, store, page.actor, location, sku)
    return page.render(
        "stock/row.html",
        attempt.problem.status if attempt and attempt.problem else 200,
        row=detail.line, ledger=ledger.lines, older=older, paged=before is not None,
        zone=zone, may_change=page.actor.may(Permission.STOCK_WRITE), attempt=attempt,
        live_holds=live, may_release=page.actor.may(Permission.HOLD_CREATE),
        incoming=coming, may_plan=page.actor.may(Permission.PLANNING_READ),
    )  # fmt: skip


@router.get("/stock/{location}/{sku:path}")  # a SKU may hold a slash
def stock_row(
    page: PageDep, location: str, sku: str, before: Annotated[int | None, Query(ge=1)] = None
) -> Response:
    return _show(page, location, sku, before)


def checked_reason(text: str) -> str:
    if len(text) > MAX_REASON:
        raise InvalidInput([FieldError("reason", f"must be at most {MAX_REASON} characters")])
    return text.strip()


@router.post("/stock/{location}/{sku:path}/count")
def count(
    page: PageDep, location: str, sku: str, csrf_token: FormText = "", on_hand: FormText = "",
    reason: FormText = "",
) -> Response:  # fmt: skip
    page.check_csrf(csrf_token)
    typed = {"on_hand": on_hand, "reason": reason}
    try:
        counted = forms.whole_number(on_hand, "on_hand")
        change = StockChange(location, sku, checked_reason(reason) or None, on_hand=counted)
        row = inventory.count_stock(page.uow, page.actor, change)
    except (InvalidInput, Conflict) as error:
        return _show(page, location, sku, attempt=Attempt("count", typed, problem_of(error)))
    done = f"Counted {row.on_hand} of {row.sku} at {row.location}."
    return page.redirect(f"/stock/{location}/{sku}", done)


@router.post("/stock/{location}/{sku:path}/adjust")
def adjust(
    page: PageDep, location: str, sku: str, csrf_token: FormText = "", delta: FormText = "",
    reason: FormText = "",
) -> Response:  # fmt: skip
    page.check_csrf(csrf_token)
    typed = {"delta": delta, "reason": reason}
    try:
        units = forms.whole_number(delta, "delta")
        change = StockChange(location, sku, checked_reason(reason), delta=units)
        row = inventory.adjust_stock(page.uow, page.actor, change)
    except (InvalidInput, Conflict) as error:
        return _show(page, location, sku, attempt=Attempt("adjust", typed, problem_of(error)))
    done = f"Adjusted {row.sku} at {row.location} by {units:+d}: {row.on_hand} on hand."
    return page.redirect(f"/stock/{location}/{sku}", done)


@router.post("/stock/{location}/{sku:path}/holds/{hold_id}/release")
def release_hold(
    page: PageDep, location: str, sku: str, hold_id: int, csrf_token: FormText = ""
) -> Response:
    """Free a cart's hold (its units go to waiting orders first)."""
    page.check_csrf(csrf_token)
    try:
        holds.release_hold(page.uow, page.actor, hold_id)
    except Conflict as error:
        return _show(page, location, sku, attempt=Attempt("hold", {}, problem_of(error)))
    return page.redirect(f"/stock/{location}/{sku}", f"Released hold #{hold_id}.")
