"""Products: find them by SKU or name (archived ones on request), create, edit the name,
price, weight and barcode, archive and unarchive.

Every role that reads the catalogue sees the pages; only one that may write it gets the
forms, and a forged POST is refused by the service (403). An archived product cannot be
ordered; orders that have it keep it.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from oms.domain.access import Permission
from oms.domain.catalogue.kits import ComponentRequest
from oms.domain.catalogue.model import NewProduct, ProductChange
from oms.domain.errors import Conflict, FieldError, FieldErrors, InvalidInput
from oms.services import catalogue, incoming
from oms.web import forms
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute, container

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PAGE_SIZE = 50
SHOWN = {"active": False, "archived": True, "all": None}  # the filter -> archived


Typed = Annotated[str, Field(max_length=1024)]


class ProductForm(BaseModel):
    """A product form as typed, shown back unchanged after a refusal."""

    model_config = ConfigDict(extra="ignore")

    csrf_token: Typed = ""
    sku: Typed = ""
    name: Typed = ""
    price: Typed = ""
    currency: Typed = "EUR"
    weight_grams: Typed = ""
    barcode: Typed = ""
    components: Typed = ""  # a kit: "KETTLE x1, MUG x2"


ProductFormDep = Annotated[ProductForm, Form()]


def _list(
    page: Page,
    q: str = "",
    shown: str = "active",
    after: str = "",
    new: tuple[ProductForm, Problem] | None = None,
) -> Response:
    shown = shown if shown in SHOWN else "active"
    found = catalogue.list_products(
        page.uow, page.actor, after or None, PAGE_SIZE + 1, text=q, archived=SHOWN[shown]
    )
    rows, more = found[:PAGE_SIZE], len(found) > PAGE_SIZE
    query = {k: v for k, v in (("q", q), ("shown", shown)) if v and v != "active"}
    params = urlencode(query)
    next_url = "/products?" + urlencode({**query, "after": rows[-1].sku}) if more and rows else None
    return page.render(
        "products/list.html",
        new[1].status if new else 200,
        products=rows,
        q=q,
        shown=shown,
        paged=bool(after),
        first_url="/products" + (f"?{params}" if params else ""),
        next_url=next_url,
        may_write=page.actor.may(Permission.CATALOGUE_WRITE),
        new=new[0] if new else ProductForm(),
        problem=new[1] if new else None,
    )


@router.get("/products")
def product_list(
    page: PageDep,
    q: Annotated[str, Query(max_length=200)] = "",
    shown: Annotated[str, Query(max_length=16)] = "active",
    after: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    return _list(page, q.strip(), shown, after)


@router.post("/products")
def create_product(page: PageDep, typed: ProductFormDep) -> Response:
    page.check_csrf(typed.csrf_token)
    try:
        page.actor.require(Permission.CATALOGUE_WRITE)  # refuse before reading the form
        errors = FieldErrors()
        amount = forms.amount(typed.price, "price", errors)
        weight = forms.integer(typed.weight_grams, "weight_grams", errors)
        parts = components(typed.components, errors)
        errors.raise_if_any()
        assert amount is not None
        new = NewProduct(
            typed.sku.strip(),
            typed.name.strip(),
            amount,
            typed.currency.strip().upper(),
            weight,
            forms.optional(typed.barcode),
            parts,
        )
        product = catalogue.create_product(page.uow, page.actor, new)
    except InvalidInput as error:
        return _list(page, new=(typed, problem_of(_one_components_field(error, typed))))
    except Conflict as error:
        return _list(page, new=(typed, problem_of(error)))
    return page.redirect(f"/products/{product.sku}", f"Product {product.sku} created.")


def components(text: str, errors: FieldErrors) -> tuple[ComponentRequest, ...]:
    """A kit's components as typed: "SKU x QTY" (or just "SKU" for one), separated by
    commas or new lines; empty: a plain product."""
    out: list[ComponentRequest] = []
    for part in (p.strip() for p in text.replace("\n", ",").split(",")):
        if not part:
            continue
        sku, _, quantity = part.rpartition(" x") if " x" in part else (part, "", "1")
        quantity = quantity.strip() or "1"
        if not sku.strip() or not quantity.isdigit():
            errors.add("components", f"{part!r}: write each as SKU x QUANTITY, e.g. MUG x2")
            continue
        out.append(ComponentRequest(sku.strip(), int(quantity)))
    return tuple(out)


def _one_components_field(error: InvalidInput, typed: ProductForm) -> InvalidInput:
    """The service names a component by its place (components[1].sku); the form has one
    field for them all, so each is told there, with its SKU."""
    named = [c.strip() for c in typed.components.replace("\n", ",").split(",") if c.strip()]
    fields: list[FieldError] = []
    for e in error.errors:
        if e.field.startswith("components["):
            index = int(e.field[len("components[") :].split("]")[0])
            which = named[index] if index < len(named) else e.field
            fields.append(FieldError("components", f"{which}: {e.message}"))
        else:
            fields.append(e)
    return InvalidInput(fields)


def _detail(page: Page, sku: str, edit: tuple[ProductForm, Problem] | None = None) -> Response:
    product = catalogue.get_product(page.uow, page.actor, sku)
    stored = ProductForm(
        sku=product.sku,
        name=product.name,
        price=str(product.price),
        currency=product.currency,
        weight_grams="" if product.weight_grams is None else str(product.weight_grams),
        barcode=product.barcode or "",
    )
    found = incoming.product_stock(
        page.uow, container(page.request).stock_planning(page.uow), page.actor, sku
    )
    return page.render(
        "products/detail.html",
        edit[1].status if edit else 200,
        product=product,
        availability=found.availability,
        stock=found,
        may_plan=page.actor.may(Permission.PLANNING_READ),
        form=edit[0] if edit else stored,
        problem=edit[1] if edit else None,
        may_write=page.actor.may(Permission.CATALOGUE_WRITE),
    )


@router.get("/products/{sku:path}")
def product_page(page: PageDep, sku: str) -> Response:
    return _detail(page, sku)


@router.post("/products/{sku:path}/archive")
def archive_product(page: PageDep, sku: str, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    catalogue.update_product(page.uow, page.actor, sku, ProductChange(archived=True))
    return page.redirect(
        f"/products/{sku}", f"Product {sku} archived: it can no longer be ordered."
    )


@router.post("/products/{sku:path}/unarchive")
def unarchive_product(page: PageDep, sku: str, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    catalogue.update_product(page.uow, page.actor, sku, ProductChange(archived=False))
    return page.redirect(f"/products/{sku}", f"Product {sku} is on sale again.")


@router.post("/products/{sku:path}")
def edit_product(page: PageDep, sku: str, typed: ProductFormDep) -> Response:
    page.check_csrf(typed.csrf_token)
    try:
        page.actor.require(Permission.CATALOGUE_WRITE)  # refuse before reading the form
        errors = FieldErrors()
        amount = forms.amount(typed.price, "price", errors)
        weight = forms.integer(typed.weight_grams, "weight_grams", errors)
        errors.raise_if_any()
        # An emptied field empties the product's: no weight, no barcode.
        emptied = {"weight_grams": typed.weight_grams, "barcode": typed.barcode}
        change = ProductChange(
            name=typed.name, price=amount, weight_grams=weight,
            barcode=forms.optional(typed.barcode),
            clear=frozenset(n for n, text in emptied.items() if not text.strip()),
        )  # fmt: skip
        catalogue.update_product(page.uow, page.actor, sku, change)
    except InvalidInput as error:
        return _detail(page, sku, (typed, problem_of(error)))
    return page.redirect(f"/products/{sku}", f"Product {sku} saved.")
