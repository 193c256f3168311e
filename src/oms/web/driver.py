"""The driver's page, made for a phone: today's run stop by stop (address with a map link,
items, the customer's phone, delivery notes), and per stop "delivered" (who took it, a
signature drawn on the screen or a photo) or "not delivered" (why). Plain forms; the
signature pad is the only script (`static/signature.js`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response

from oms.domain.access import Permission, Role
from oms.domain.errors import Conflict, InvalidInput
from oms.domain.fulfilment.delivery_runs import (
    MAX_PROOF_BYTES,
    FailureReason,
    Proof,
    RunStatus,
    delivered,
    failed,
    proof_from_data_url,
    proof_image,
)
from oms.services import delivery_runs, delivery_stops
from oms.services.ports.delivery import RunFilter
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, PageDep, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
# A signature drawn on a phone's screen, as a PNG data URL, is some tens of kB.
SignatureText = Annotated[str, Form(max_length=MAX_PROOF_BYTES * 4 // 3 + 100)]
REASONS = [
    (FailureReason.NOT_HOME, "Nobody home"),
    (FailureReason.REFUSED, "Refused"),
    (FailureReason.ADDRESS_WRONG, "Address wrong"),
    (FailureReason.OTHER, "Other (say what)"),
]


def _code(page: PageDep, location: str | None) -> str | None:
    page.actor.require(Permission.DELIVERY_DRIVE)
    if page.actor.role is Role.DRIVER:
        return page.actor.location_code
    return location


def _driver_page(
    page: PageDep,
    location: str | None = None,
    problem: tuple[int, Problem] | None = None,
) -> Response:
    code = _code(page, location)
    if code is None:
        found = delivery_runs.local_locations(page.uow, page.actor)
        if len(found) != 1:
            return page.render("driver/choose.html", locations=found, body_class="driver")
        code = found[0].code
    where = delivery_runs.location(page.uow, page.actor, code, Permission.DELIVERY_DRIVE)
    runs = delivery_runs.list_runs(page.uow, page.actor, RunFilter(location=code, limit=50))
    me = page.actor.name
    mine = page.actor.role is Role.DRIVER
    current = next(
        (r for r in runs if r.status is RunStatus.STARTED and (r.driver == me or not mine)),
        None,
    )
    planned = [
        r for r in runs if r.status is RunStatus.PLANNED and (r.driver in (None, me) or not mine)
    ]
    sheet = delivery_runs.run_sheet(page.uow, page.actor, current.id) if current else None
    return page.render(
        "driver/today.html",
        problem[1].status if problem else 200,
        loc=where,
        zone=where.time_zone,
        sheet=sheet,
        planned=planned,
        reasons=REASONS,
        problem=problem,
        body_class="driver",
    )


@router.get("/driver")
def today(page: PageDep, location: str | None = None) -> Response:
    return _driver_page(page, location)


def _back(page: PageDep, run_id: int, flash: str) -> Response:
    code = delivery_runs.run_sheet(page.uow, page.actor, run_id).run.location
    suffix = "" if page.actor.role is Role.DRIVER else f"?location={code}"
    return page.redirect(f"/driver{suffix}", flash)


def _refused(page: PageDep, run_id: int, shipment_id: int, error: Exception) -> Response:
    assert isinstance(error, InvalidInput | Conflict)
    code = delivery_runs.run_sheet(page.uow, page.actor, run_id).run.location
    return _driver_page(page, code, (shipment_id, problem_of(error)))


@router.post("/driver/runs/{run_id}/start")
def start(page: PageDep, run_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    try:
        delivery_stops.start_run(page.uow, page.actor, run_id)
    except (InvalidInput, Conflict) as error:
        return _refused(page, run_id, 0, error)
    return _back(page, run_id, f"Run {run_id} started. Drive safely.")


def _proof(photo: UploadFile | None, signature: str) -> Proof | None:
    """The photo if one was taken, else the signature drawn, else none. (A sync route:
    the upload is already spooled, and the services below are blocking calls.)"""
    if photo is not None and photo.filename:
        data = photo.file.read(MAX_PROOF_BYTES + 1)
        if data:
            return proof_image(data)
    if signature.strip():
        return proof_from_data_url(signature)
    return None


@dataclass
class DeliveredForm:
    csrf_token: str
    recipient: str
    signature: str
    photo: UploadFile | None


def delivered_form(
    csrf_token: FormText = "",
    recipient: FormText = "",
    signature: SignatureText = "",
    photo: Annotated[UploadFile | None, File()] = None,
) -> DeliveredForm:
    return DeliveredForm(csrf_token, recipient, signature, photo)


@router.post("/driver/runs/{run_id}/stops/{shipment_id}/delivered")
def stop_delivered(
    page: PageDep,
    run_id: int,
    shipment_id: int,
    form: Annotated[DeliveredForm, Depends(delivered_form)],
) -> Response:
    page.check_csrf(form.csrf_token)
    try:
        report = delivered(form.recipient, _proof(form.photo, form.signature))
        delivery_stops.record_stop(page.uow, page.actor, run_id, shipment_id, report)
    except (InvalidInput, Conflict) as error:
        return _refused(page, run_id, shipment_id, error)
    return _back(page, run_id, f"Delivered to {report.recipient}.")


@router.post("/driver/runs/{run_id}/stops/{shipment_id}/failed")
def stop_failed(
    page: PageDep,
    run_id: int,
    shipment_id: int,
    csrf_token: FormText = "",
    reason: FormText = "",
    note: FormText = "",
) -> Response:
    page.check_csrf(csrf_token)
    try:
        result = delivery_stops.record_stop(
            page.uow, page.actor, run_id, shipment_id, failed(reason, note)
        )
    except (InvalidInput, Conflict) as error:
        return _refused(page, run_id, shipment_id, error)
    words = (
        "Not delivered: it goes back to the shelf (last attempt); customer service is told."
        if result.returned
        else "Not delivered: the customer is told, and it waits for the next run."
    )
    return _back(page, run_id, words)


@router.post("/driver/runs/{run_id}/finish")
def finish(page: PageDep, run_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    try:
        delivery_stops.finish_run(page.uow, page.actor, run_id)
    except (InvalidInput, Conflict) as error:
        return _refused(page, run_id, 0, error)
    return _back(page, run_id, f"Run {run_id} finished.")
