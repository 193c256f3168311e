"""Local delivery: a location's settings, its delivery runs, their stops and proofs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from oms.api.deps import ActorDep, IdPath, UowDep
from oms.api.pagination import after_id, page, whole
from oms.api.schemas.common import Page
from oms.api.schemas.delivery import (
    DeliveredIn,
    FailedIn,
    LocalDeliveryIn,
    LocalDeliveryOut,
    RunIn,
    RunOut,
    RunQuery,
    RunSummaryOut,
    StartIn,
    StopOut,
    StopResultOut,
    StopsIn,
)
from oms.domain.errors import NotFound
from oms.services import delivery_runs, delivery_stops, local_delivery

router = APIRouter(tags=["delivery"])
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "A PDF document"}
}
IMAGE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {}, "image/jpeg": {}}, "description": "The proof image"}
}


@router.put("/locations/{code}/local-delivery")
def set_local_delivery(
    code: str, body: LocalDeliveryIn, uow: UowDep, actor: ActorDep
) -> LocalDeliveryOut:
    """Where the location's own drivers deliver, at what price and speed (admin)."""
    stored = local_delivery.set_local_delivery(uow, actor, code, body.to_domain())
    return LocalDeliveryOut.of(code, stored)


@router.get("/locations/{code}/local-delivery")
def get_local_delivery(code: str, uow: UowDep, actor: ActorDep) -> LocalDeliveryOut:
    """404 if the location does not deliver locally (no settings)."""
    found = local_delivery.get_local_delivery(uow, actor, code)
    if found is None:
        raise NotFound(f"location {code} has no local delivery")
    return LocalDeliveryOut.of(code, found)


@router.get("/locations/{code}/waiting-parcels")
def waiting_parcels(code: str, uow: UowDep, actor: ActorDep) -> Page[StopOut]:
    """The local parcels a new run of the location would take, in the default order."""
    return whole(delivery_runs.waiting(uow, actor, code), StopOut.of)


@router.post("/delivery-runs", status_code=201)
def create_run(body: RunIn, uow: UowDep, actor: ActorDep) -> RunOut:
    """A run of today: the shipments named, or every parcel waiting at the location. 409 if
    none waits, or one named does not (not local, not packed, or in another run)."""
    run = delivery_runs.create_run(uow, actor, body.location, body.shipment_ids, body.driver)
    return RunOut.of(delivery_runs.run_sheet(uow, actor, run.id))


@router.get("/delivery-runs")
def list_runs(
    query: Annotated[RunQuery, Query()], uow: UowDep, actor: ActorDep
) -> Page[RunSummaryOut]:
    """Newest first; a driver sees their own location's runs only."""
    found = delivery_runs.list_runs(uow, actor, query.to_filter(after_id(query)))
    return page(found, RunSummaryOut.of, query, key=lambda r: r.id)


@router.get("/delivery-runs/{run_id}")
def get_run(run_id: IdPath, uow: UowDep, actor: ActorDep) -> RunOut:
    return RunOut.of(delivery_runs.run_sheet(uow, actor, run_id))


@router.put("/delivery-runs/{run_id}/stops")
def reorder_stops(run_id: IdPath, body: StopsIn, uow: UowDep, actor: ActorDep) -> RunOut:
    """The stops in this order of shipment ids (each once; 422 otherwise)."""
    return RunOut.of(delivery_runs.reorder_stops(uow, actor, run_id, body.order))


@router.post("/delivery-runs/{run_id}/start")
def start_run(run_id: IdPath, uow: UowDep, actor: ActorDep, body: StartIn | None = None) -> RunOut:
    """Packed parcels ship by local delivery; every parcel goes out for delivery."""
    driver = body.driver if body else None
    return RunOut.of(delivery_stops.start_run(uow, actor, run_id, driver))


@router.post("/delivery-runs/{run_id}/stops/{shipment_id}/delivered")
def stop_delivered(
    run_id: IdPath, shipment_id: IdPath, body: DeliveredIn, uow: UowDep, actor: ActorDep
) -> StopResultOut:
    """Delivered: who took it, and a signature or photo. The same report again is 200 and
    changes nothing; another outcome for the stop is 409."""
    report = body.to_domain()
    return StopResultOut.of(delivery_stops.record_stop(uow, actor, run_id, shipment_id, report))


@router.post("/delivery-runs/{run_id}/stops/{shipment_id}/failed")
def stop_failed(
    run_id: IdPath, shipment_id: IdPath, body: FailedIn, uow: UowDep, actor: ActorDep
) -> StopResultOut:
    """Not delivered: the customer is told; the parcel waits for the next run, or after
    the location's last attempt comes back to its stock (`returned: true`)."""
    report = body.to_domain()
    return StopResultOut.of(delivery_stops.record_stop(uow, actor, run_id, shipment_id, report))


@router.post("/delivery-runs/{run_id}/finish")
def finish_run(run_id: IdPath, uow: UowDep, actor: ActorDep) -> RunOut:
    """The driver is back; stops not attempted wait for another run (no attempt counted)."""
    return RunOut.of(delivery_stops.finish_run(uow, actor, run_id))


@router.get("/delivery-runs/{run_id}/manifest.pdf", response_class=Response, responses=PDF)
def manifest_pdf(run_id: IdPath, uow: UowDep, actor: ActorDep) -> Response:
    pdf = delivery_runs.manifest(uow, actor, run_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="run-{run_id}.pdf"'},
    )


@router.get("/shipments/{shipment_id}/proof", response_class=Response, responses=IMAGE)
def proof_of_delivery(shipment_id: IdPath, uow: UowDep, actor: ActorDep) -> Response:
    """The signature or photo taken at delivery (staff who read orders; never public)."""
    proof = delivery_stops.proof_image(uow, actor, shipment_id)
    return Response(
        proof.image,
        media_type=proof.content_type,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )
