"""Planning in the back office (docs/planning.md): the suggested purchase orders per
supplier and location with, for those who buy, the buttons to refresh the reorder levels
and to make the suggestions draft purchase orders; the understock list; and a product's
planning page with its chart (demand history, forecast with its interval, reorder point,
available) drawn on the server as SVG."""

from __future__ import annotations

import base64
import secrets
from decimal import Decimal

from fastapi import APIRouter
from fastapi.responses import Response

from oms.domain.access import Permission
from oms.domain.money import minor_unit, quantum
from oms.services import purchase_suggestions, replenishment
from oms.services.ports.planning import PlanChart
from oms.services.ports.replenishment import ReplenishmentStore
from oms.web.shell import FormText, Page, PageDep, PageRoute, container

router = APIRouter(include_in_schema=False, route_class=PageRoute)
BASE = "/planning"


def _store(page: Page) -> ReplenishmentStore:
    return container(page.request).replenishment(page.uow)


def _money(minor: int, currency: str) -> str:
    return f"{Decimal(minor).scaleb(-minor_unit(currency)).quantize(quantum(currency))} {currency}"


@router.get(BASE)
def suggestions_page(page: PageDep) -> Response:
    found = purchase_suggestions.suggestions(page.uow, _store(page), page.actor)
    return page.render(
        "planning/suggestions.html",
        found=found,
        may_buy=page.actor.may(Permission.PURCHASING_WRITE),
        money=_money,
        # One key per page shown: a double click on "make drafts" makes one set.
        request_key=secrets.token_urlsafe(16),
    )


@router.post(BASE + "/refresh")
def refresh(page: PageDep, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    page.actor.require(Permission.PURCHASING_WRITE)
    c = container(page.request)
    done = replenishment.refresh_levels(
        page.uow,
        c.demand_lines(page.uow),
        _store(page),
        c.forecaster(),
        page.actor,
        c.planning_settings(),
    )
    return page.redirect(
        BASE,
        f"Reorder levels refreshed: {done.products} products at {done.rows} product-locations.",
    )


@router.post(BASE + "/drafts")
def make_drafts(page: PageDep, csrf_token: FormText = "", request_key: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    page.actor.require(Permission.PURCHASING_WRITE)
    c = container(page.request)
    made, created = purchase_suggestions.create_drafts(
        page.uow, _store(page), c.purchase_orders(page.uow), page.actor, request_key or None
    )
    ids = ", ".join(f"#{v.order.id}" for v in made)
    said = (
        f"Draft purchase orders made: {ids}."
        if created and made
        else f"These drafts were made already: {ids}."
        if made
        else "Nothing to order: no draft made."
    )
    return page.redirect("/purchase-orders?status=draft", said)


@router.get(BASE + "/products/{sku:path}")
def product_page(page: PageDep, sku: str) -> Response:
    c = container(page.request)
    plan = replenishment.product_plan(
        page.uow,
        c.demand_lines(page.uow),
        _store(page),
        c.forecaster(),
        page.actor,
        c.planning_settings(),
        sku,
    )
    reorder = sum(r.reorder_point for r in plan.levels) if plan.levels else None
    chart = PlanChart(
        plan.history,
        [(w.monday, w.units, w.interval.low, w.interval.high) for w in plan.forecast],
        reorder,
        float(sum(plan.available.values())),
    )
    svg = c.planning_charts().product_chart(chart, f"{sku}: demand and forecast per week")
    return page.render(
        "planning/product.html",
        plan=plan,
        reorder=reorder,
        chart=base64.b64encode(svg.encode()).decode(),
    )
