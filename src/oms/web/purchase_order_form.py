"""A purchase order made by hand (docs/planning.md, "In the back office"): a supplier, the
location it delivers to, lines by SKU with quantity and cost (blank cost: the supplier's
cost price of the product), an expected date if known. It is saved as a draft, to be sent
from its page. `purchasing.write`; a refusal shows the form again with each message at its
field or line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from oms.domain.access import Permission
from oms.domain.errors import FieldErrors, InvalidInput, NotFound
from oms.services import catalogue, purchasing
from oms.services.purchasing import NewPurchaseOrder
from oms.web.problems import Problem, problem_of
from oms.web.shell import Page, PageDep, PageRoute
from oms.web.supplier_pages import cost_minor, purchase_store

router = APIRouter(include_in_schema=False, route_class=PageRoute)
ROWS = 8  # line rows on an empty form; blank rows are left out


@dataclass
class Typed:
    supplier: str = ""
    location: str = ""
    expected_on: str = ""
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # sku, units, cost

    def rows(self) -> list[tuple[str, str, str]]:
        return self.lines + [("", "", "")] * max(ROWS - len(self.lines), 1)


def _form(page: Page, typed: Typed, problem: Problem | None = None) -> Response:
    page.actor.require(Permission.PURCHASING_WRITE)
    suppliers = purchasing.list_suppliers(page.uow, purchase_store(page), page.actor)
    locations = catalogue.list_locations(page.uow, page.actor)
    return page.render(
        "purchasing/new.html",
        problem.status if problem else 200,
        suppliers=suppliers,
        locations=locations,
        typed=typed,
        problem=problem,
        errors=problem.fields if problem else {},
    )


@router.get("/purchase-orders/new")
def new_purchase_order(page: PageDep, supplier: str = "") -> Response:
    return _form(page, Typed(supplier=supplier[:32]))


def _typed(form: dict[str, list[str]]) -> Typed:
    skus, units, costs = (form.get(k, []) for k in ("sku", "quantity", "unit_cost"))
    rows = [
        (s.strip()[:64], u.strip()[:12], c.strip()[:20])
        for s, u, c in zip(skus, units, costs, strict=False)
    ][:200]
    return Typed(
        supplier=(form.get("supplier") or [""])[0][:32],
        location=(form.get("location") or [""])[0][:32],
        expected_on=(form.get("expected_on") or [""])[0][:10],
        lines=[r for r in rows if any(r)],
    )


def _lines(page: Page, typed: Typed, errors: FieldErrors) -> list[tuple[str, int, int]]:
    """The typed lines in minor units; a blank cost is the supplier's cost price."""
    try:
        detail = purchasing.get_supplier(page.uow, purchase_store(page), page.actor, typed.supplier)
    except NotFound:
        errors.add("supplier", "choose a supplier")
        return []
    known = {t.sku: t.cost_minor for t in detail.terms}
    currency = detail.supplier.currency
    out: list[tuple[str, int, int]] = []
    for i, (sku, units, cost) in enumerate(typed.lines):
        name = f"lines.{i}"
        if not sku:
            errors.add(name, "a SKU")
            continue
        if not units.isdigit() or int(units) < 1:
            errors.add(name, "a whole number of units, 1 or more")
            continue
        if not cost:
            if sku not in known:
                errors.add(name, f"a cost: {detail.supplier.code} has no cost price for {sku}")
                continue
            minor: int | None = known[sku]
        else:
            minor = cost_minor(cost, currency, name, errors)
        if minor is not None:
            out.append((sku, int(units), minor))
    if not typed.lines:
        errors.add("lines", "at least one line")
    return out


@router.post("/purchase-orders/new")
async def create_purchase_order(page: PageDep, request: Request) -> Response:
    raw = await request.form()
    page.check_csrf(str(raw.get("csrf_token", "")))
    page.actor.require(Permission.PURCHASING_WRITE)  # a forged post: 403 before anything
    typed = _typed({k: [str(v) for v in raw.getlist(k)] for k in raw})
    try:
        errors = FieldErrors()
        due: date | None = None
        if typed.expected_on:
            try:
                due = date.fromisoformat(typed.expected_on)
            except ValueError:
                errors.add("expected_on", "a date, YYYY-MM-DD")
        lines = _lines(page, typed, errors)
        errors.raise_if_any()
        new = NewPurchaseOrder(typed.supplier, typed.location, lines, due)
        made = purchasing.create_purchase_order(page.uow, purchase_store(page), page.actor, new)
    except InvalidInput as error:
        return _form(page, typed, problem_of(error))
    return page.redirect(
        f"/purchase-orders/{made.id}", f"Draft purchase order {made.id} made: send it when ready."
    )
