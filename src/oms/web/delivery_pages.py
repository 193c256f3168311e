"""The dispatcher's pages of local delivery: a location's parcels waiting for a run, its
runs, making one, putting its stops in order (numbers; dragging with JavaScript), starting
and finishing it, and its manifest. Every act is the API's service under the same
permission (`delivery.dispatch`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from oms.domain.access import Permission
from oms.domain.errors import Conflict, FieldErrors, InvalidInput, NotFound
from oms.services import delivery_runs, delivery_stops
from oms.services.ports.delivery import RunFilter
from oms.web import forms
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, PageDep, PageRoute
from oms.web.station import pdf

router = APIRouter(include_in_schema=False, route_class=PageRoute)
FormList = Annotated[list[str], Form()]


@router.get("/delivery")
def choose_location(page: PageDep) -> Response:
    page.actor.require(Permission.DELIVERY_DISPATCH)
    found = delivery_runs.local_locations(page.uow, page.actor)
    own = next((loc for loc in found if loc.code == page.actor.location_code), None)
    if own is not None or len(found) == 1:
        return page.redirect(f"/delivery/{(own or found[0]).code}")
    return page.render("delivery/choose.html", locations=found)


def _overview(
    page: PageDep, code: str, problem: Problem | None = None, ticked: list[str] | None = None
) -> Response:
    location = delivery_runs.location(page.uow, page.actor, code, Permission.DELIVERY_DISPATCH)
    waiting = delivery_runs.waiting(page.uow, page.actor, code)
    runs = delivery_runs.list_runs(page.uow, page.actor, RunFilter(location=code, limit=30))
    return page.render(
        "delivery/overview.html",
        problem.status if problem else 200,
        loc=location,
        zone=location.time_zone,
        waiting=waiting,
        runs=runs,
        drivers=delivery_runs.drivers_at(page.uow, page.actor, code),
        problem=problem,
        ticked=set(ticked or []),
    )


@router.get("/delivery/{code}")
def overview(page: PageDep, code: str) -> Response:
    return _overview(page, code)


@router.post("/delivery/{code}/runs")
def make_run(
    page: PageDep,
    code: str,
    csrf_token: FormText = "",
    driver: FormText = "",
    shipment: FormList = [],  # noqa: B006 - FastAPI copies a default, it is never shared
) -> Response:
    """The parcels ticked, or every parcel waiting when none is."""
    page.check_csrf(csrf_token)
    try:
        chosen = [forms.whole_number(x, "shipment") for x in shipment] or None
        run = delivery_runs.create_run(page.uow, page.actor, code, chosen, driver.strip() or None)
    except (InvalidInput, Conflict) as error:
        return _overview(page, code, problem_of(error), shipment)
    n = len(run.stops)
    return page.redirect(
        f"/delivery/{code}/runs/{run.id}",
        f"Run {run.id} made: {n} stop{'s' * (n != 1)}. Put them in order, print, start.",
    )


def _run_page(page: PageDep, code: str, run_id: int, problem: Problem | None = None) -> Response:
    sheet = delivery_runs.run_sheet(page.uow, page.actor, run_id)
    if sheet.run.location != code:
        raise NotFound(f"no delivery run {run_id} at {code}")
    location = delivery_runs.location(page.uow, page.actor, code, Permission.DELIVERY_DISPATCH)
    return page.render(
        "delivery/run.html",
        problem.status if problem else 200,
        loc=location,
        zone=location.time_zone,
        sheet=sheet,
        run=sheet.run,
        drivers=delivery_runs.drivers_at(page.uow, page.actor, code),
        problem=problem,
    )


@router.get("/delivery/{code}/runs/{run_id}")
def run_page(page: PageDep, code: str, run_id: int) -> Response:
    return _run_page(page, code, run_id)


@router.get("/delivery/{code}/runs/{run_id}/manifest.pdf")
def manifest(page: PageDep, code: str, run_id: int) -> Response:
    return pdf(delivery_runs.manifest(page.uow, page.actor, run_id), f"run-{run_id}")


def stop_order(numbers: dict[int, str]) -> list[int]:
    """Shipment ids in the order of the numbers typed: each a whole number, all different."""
    errors = FieldErrors()
    typed: dict[int, int] = {}
    for shipment_id, text in numbers.items():
        value = forms.integer(text, f"seq[{shipment_id}]", errors)
        if value is None and text.strip() == "":
            errors.add(f"seq[{shipment_id}]", "a number for every stop")
        elif value is not None:
            typed[shipment_id] = value
    errors.raise_if_any()
    if len(set(typed.values())) != len(typed):
        raise FieldErrors.single("order", "give each stop a different number")
    return sorted(typed, key=lambda sid: typed[sid])


@router.post("/delivery/{code}/runs/{run_id}/order")
async def reorder(page: PageDep, request: Request, code: str, run_id: int) -> Response:
    """`seq[<shipment id>]` per stop: the stops go in the order of these numbers."""
    form = await request.form()
    page.check_csrf(str(form.get("csrf_token", "")))
    numbers: dict[int, str] = {}
    for name, value in form.multi_items():
        if name.startswith("seq[") and name.endswith("]") and name[4:-1].isdigit():
            numbers[int(name[4:-1])] = str(value)[:12]
    try:
        delivery_runs.reorder_stops(page.uow, page.actor, run_id, stop_order(numbers))
    except (InvalidInput, Conflict) as error:
        return _run_page(page, code, run_id, problem_of(error))
    return page.redirect(f"/delivery/{code}/runs/{run_id}", "Stops put in the new order.")


@router.post("/delivery/{code}/runs/{run_id}/start")
def start(
    page: PageDep, code: str, run_id: int, csrf_token: FormText = "", driver: FormText = ""
) -> Response:
    page.check_csrf(csrf_token)
    try:
        delivery_stops.start_run(page.uow, page.actor, run_id, driver.strip() or None)
    except (InvalidInput, Conflict) as error:
        return _run_page(page, code, run_id, problem_of(error))
    return page.redirect(
        f"/delivery/{code}/runs/{run_id}", f"Run {run_id} started: its parcels are on the way."
    )


@router.post("/delivery/{code}/runs/{run_id}/finish")
def finish(page: PageDep, code: str, run_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    try:
        sheet = delivery_stops.finish_run(page.uow, page.actor, run_id)
    except (InvalidInput, Conflict) as error:
        return _run_page(page, code, run_id, problem_of(error))
    left = sum(1 for p in sheet.parcels if p.stop and p.stop.outcome is None)
    words = f" {left} stop{'s' * (left != 1)} not attempted wait for the next run." if left else ""
    return page.redirect(f"/delivery/{code}/runs/{run_id}", f"Run {run_id} finished.{words}")


@router.get("/shipments/{shipment_id}/proof")
def proof_image(page: PageDep, shipment_id: int) -> Response:
    """The signature or photo taken at delivery, for staff who read orders (never public)."""
    proof = delivery_stops.proof_image(page.uow, page.actor, shipment_id)
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    return Response(proof.image, media_type=proof.content_type, headers=headers)
