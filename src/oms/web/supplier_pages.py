"""Suppliers in the back office (docs/planning.md, "In the back office"): the list, and a
supplier's page with its terms (lead time, minimum order, currency), the products it sells
with their cost price and pack size, and its purchase orders. Those who buy
(`purchasing.write`) get the forms: a new supplier, its terms changed, a cost price set. A
refused form is shown again with what was typed and each field's message."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from oms.domain.access import Permission
from oms.domain.errors import FieldErrors, InvalidInput, NotFound
from oms.domain.money import minor_unit, quantum
from oms.domain.planning.purchase_orders import Supplier
from oms.services import purchasing
from oms.services.ports.planning import PurchaseOrderQuery, PurchaseOrders
from oms.web import forms
from oms.web.problems import Problem, problem_of
from oms.web.shell import Page, PageDep, PageRoute, container

router = APIRouter(include_in_schema=False, route_class=PageRoute)
BASE = "/suppliers"
Typed = Annotated[str, Field(max_length=1024)]


class SupplierForm(BaseModel):
    """A supplier form as typed, shown back unchanged after a refusal."""

    model_config = ConfigDict(extra="ignore")

    csrf_token: Typed = ""
    code: Typed = ""
    name: Typed = ""
    currency: Typed = "EUR"
    lead_time_days: Typed = ""
    minimum_units: Typed = "0"


class TermsForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    csrf_token: Typed = ""
    sku: Typed = ""
    unit_cost: Typed = ""
    pack_size: Typed = "1"


def purchase_store(page: Page) -> PurchaseOrders:
    return container(page.request).purchase_orders(page.uow)


def money(minor: int, currency: str) -> str:
    return f"{Decimal(minor).scaleb(-minor_unit(currency)).quantize(quantum(currency))} {currency}"


def cost_minor(text: str, currency: str, name: str, errors: FieldErrors) -> int | None:
    """A typed cost (2.50) in minor units of the currency; a message when it is not one."""
    value = forms.amount(text, name, errors)
    if value is None:
        return None
    scaled = value.scaleb(minor_unit(currency))
    if value < 0 or scaled != scaled.to_integral_value():
        errors.add(name, f"not negative, at most {minor_unit(currency)} decimals in {currency}")
        return None
    return int(scaled)


def _whole(text: str, name: str, errors: FieldErrors, default: int | None = None) -> int:
    """A whole number typed; empty: the default, or a message when there is none."""
    if not text.strip():
        if default is None:
            errors.add(name, "must not be empty")
        return default or 0
    return forms.integer(text, name, errors) or 0


def _list(page: Page, new: SupplierForm | None = None, problem: Problem | None = None) -> Response:
    found = purchasing.list_suppliers(page.uow, purchase_store(page), page.actor)
    return page.render(
        "suppliers/list.html",
        problem.status if problem else 200,
        suppliers=found,
        may_buy=page.actor.may(Permission.PURCHASING_WRITE),
        new=new or SupplierForm(),
        problem=problem,
    )


@router.get(BASE)
def supplier_list(page: PageDep) -> Response:
    return _list(page)


@router.post(BASE)
def create_supplier(page: PageDep, typed: Annotated[SupplierForm, Form()]) -> Response:
    page.check_csrf(typed.csrf_token)
    page.actor.require(Permission.PURCHASING_WRITE)  # a forged post: 403 before anything
    try:
        errors = FieldErrors()
        lead = _whole(typed.lead_time_days, "lead_time_days", errors)
        minimum = _whole(typed.minimum_units, "minimum_units", errors, 0)
        errors.raise_if_any()
        new = Supplier(
            0, typed.code.strip(), typed.name.strip(), typed.currency.strip().upper(), lead,
            minimum,
        )  # fmt: skip
        made = purchasing.create_supplier(page.uow, purchase_store(page), page.actor, new)
    except InvalidInput as error:
        return _list(page, typed, problem_of(error))
    return page.redirect(f"{BASE}/{made.code}", f"Supplier {made.code} created.")


def _detail(
    page: Page,
    code: str,
    edit: SupplierForm | None = None,
    terms: TermsForm | None = None,
    problem: Problem | None = None,
) -> Response:
    store = purchase_store(page)
    detail = purchasing.get_supplier(page.uow, store, page.actor, code)
    s = detail.supplier
    found = purchasing.list_purchase_orders(
        page.uow, store, page.actor, PurchaseOrderQuery(limit=100), supplier=code
    )
    stored = SupplierForm(
        code=s.code, name=s.name, currency=s.currency,
        lead_time_days=str(s.lead_time_days), minimum_units=str(s.minimum_units),
    )  # fmt: skip
    return page.render(
        "suppliers/detail.html",
        problem.status if problem else 200,
        s=s,
        terms=detail.terms,
        orders=found,
        may_buy=page.actor.may(Permission.PURCHASING_WRITE),
        edit=edit or stored,
        edit_problem=problem if edit else None,
        new_terms=terms or TermsForm(),
        terms_problem=problem if terms else None,
        cost=lambda minor: money(minor, s.currency),
    )


@router.get(BASE + "/{code}")
def supplier_page(page: PageDep, code: str) -> Response:
    return _detail(page, code)


@router.post(BASE + "/{code}")
def update_supplier(page: PageDep, code: str, typed: Annotated[SupplierForm, Form()]) -> Response:
    page.check_csrf(typed.csrf_token)
    page.actor.require(Permission.PURCHASING_WRITE)
    try:
        errors = FieldErrors()
        lead = _whole(typed.lead_time_days, "lead_time_days", errors)
        minimum = _whole(typed.minimum_units, "minimum_units", errors, 0)
        errors.raise_if_any()
        change = purchasing.SupplierChange(typed.name.strip(), lead, minimum)
        purchasing.update_supplier(page.uow, purchase_store(page), page.actor, code, change)
    except InvalidInput as error:
        return _detail(page, code, edit=typed, problem=problem_of(error))
    return page.redirect(f"{BASE}/{code}", f"Supplier {code} changed.")


@router.post(BASE + "/{code}/products")
def set_terms(page: PageDep, code: str, typed: Annotated[TermsForm, Form()]) -> Response:
    page.check_csrf(typed.csrf_token)
    page.actor.require(Permission.PURCHASING_WRITE)
    store = purchase_store(page)
    currency = purchasing.get_supplier(page.uow, store, page.actor, code).supplier.currency
    sku = typed.sku.strip()
    try:
        errors = FieldErrors()
        if not sku:
            errors.add("sku", "must not be empty")
        minor = cost_minor(typed.unit_cost, currency, "unit_cost", errors)
        pack = _whole(typed.pack_size, "pack_size", errors, 1)
        errors.raise_if_any()
        assert minor is not None
        purchasing.set_terms(page.uow, store, page.actor, purchasing.Terms(code, sku, minor, pack))
    except InvalidInput as error:
        return _detail(page, code, terms=typed, problem=problem_of(error))
    except NotFound:
        no_product = FieldErrors.single("sku", f"no product {sku}")
        return _detail(page, code, terms=typed, problem=problem_of(no_product))
    said = (
        f"Cost price of {sku} from {code}: {typed.unit_cost.strip()} {currency}, packs of {pack}."
    )
    return page.redirect(f"{BASE}/{code}", said)
