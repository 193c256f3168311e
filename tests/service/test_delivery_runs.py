"""Local delivery and delivery runs, through the services, on every unit of work: the
local service in quotes and shipping, runs made and started, stops delivered or not, the
parcel that comes back after the location's last attempt."""

from __future__ import annotations

import base64

import pytest

from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from oms.domain.fulfilment.delivery_runs import (
    FailureReason,
    RunStatus,
    delivered,
    failed,
    proof_from_data_url,
)
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.orders.problems import ProblemReason
from oms.domain.orders.status import OrderStatus
from oms.services import availability, delivery_runs, delivery_stops, orders, warehouse
from oms.services.ports import UnitOfWork
from oms.services.ports.delivery import RunFilter
from tests.service.local_runs import CLERK, FAR, NEAR, NEARER, VAN, local_shop, packed
from tests.service.shop import levels

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG).decode()


def _shipment(uow: UnitOfWork, shipment_id: int) -> ShipmentStatus:
    return warehouse.get_shipment(uow, SYSTEM, shipment_id).status


def test_a_parcel_whose_address_the_location_serves_ships_by_local_delivery(
    each_uow: UnitOfWork,
) -> None:
    local_shop(each_uow)
    s = warehouse.ship_shipment(each_uow, SYSTEM, packed(each_uow).id)
    assert (s.carrier, s.service) == ("local", "local")
    assert s.tracking_number is not None and s.tracking_number.startswith("LD")
    assert s.shipping_cost is not None and str(s.shipping_cost.amount) == "4.90"
    assert s.promised_delivery_date == s.ship_date  # transit 0: the same day
    far = warehouse.ship_shipment(each_uow, SYSTEM, packed(each_uow, FAR).id)
    assert far.carrier == "oms-post"


def test_availability_promises_the_local_service_where_it_goes(each_uow: UnitOfWork) -> None:
    local_shop(each_uow)
    near = availability.availability(each_uow, SYSTEM, "TEE", "FR", "75011")
    far = availability.availability(each_uow, SYSTEM, "TEE", "FR", "69002")
    [par_near] = [p for p in near.locations if p.location == "PAR"]
    [par_far] = [p for p in far.locations if p.location == "PAR"]
    assert par_near.note == "local delivery" and par_near.cost is not None
    assert par_near.promised_delivery_date == par_near.ship_date
    assert par_far.note is None and par_far.promised_delivery_date > par_far.ship_date  # type: ignore[operator]


def test_a_run_takes_the_waiting_parcels_in_postal_code_order(each_uow: UnitOfWork) -> None:
    local_shop(each_uow)
    first, second = packed(each_uow, NEAR), packed(each_uow, NEARER)
    packed(each_uow, FAR)  # not local: not in the run
    run = delivery_runs.create_run(each_uow, CLERK, "PAR")
    assert [s.shipment_id for s in run.stops] == [second.id, first.id]  # 75003 before 75011
    assert run.status is RunStatus.PLANNED
    with pytest.raises(Conflict, match="no local parcel"):
        delivery_runs.create_run(each_uow, CLERK, "PAR")
    sheet = delivery_runs.reorder_stops(each_uow, CLERK, run.id, [first.id, second.id])
    assert [p.shipment.id for p in sheet.parcels] == [first.id, second.id]
    with pytest.raises(InvalidInput):
        delivery_runs.reorder_stops(each_uow, CLERK, run.id, [first.id, first.id])


def test_starting_a_run_ships_its_parcels_and_sends_them_out(each_uow: UnitOfWork) -> None:
    local_shop(each_uow)
    s = packed(each_uow, NEAR, quantity=2)
    run = delivery_runs.create_run(each_uow, CLERK, "PAR")
    sheet = delivery_stops.start_run(each_uow, VAN, run.id)
    assert sheet.run.driver == "van" and sheet.run.status is RunStatus.STARTED
    [parcel] = sheet.parcels
    assert parcel.shipment.status is ShipmentStatus.OUT_FOR_DELIVERY
    assert parcel.shipment.carrier == "local"
    assert levels(each_uow, "PAR", "TEE") == (18, 0)  # the stock left with the van
    with pytest.raises(Conflict):
        delivery_stops.start_run(each_uow, VAN, run.id)
    assert orders.get_order(each_uow, SYSTEM, s.order_id).status is OrderStatus.SHIPPED


def test_a_delivered_stop_delivers_the_order_and_keeps_its_proof(each_uow: UnitOfWork) -> None:
    local_shop(each_uow)
    s = packed(each_uow)
    run = delivery_runs.create_run(each_uow, CLERK, "PAR")
    delivery_stops.start_run(each_uow, VAN, run.id)
    report = delivered("Ann Smith", proof_from_data_url(SIGNATURE))
    done = delivery_stops.record_stop(each_uow, VAN, run.id, s.id, report)
    assert done.recorded and done.shipment.status is ShipmentStatus.DELIVERED
    assert orders.get_order(each_uow, SYSTEM, s.order_id).status is OrderStatus.DELIVERED
    again = delivery_stops.record_stop(each_uow, VAN, run.id, s.id, report)
    assert not again.recorded
    with pytest.raises(Conflict):
        delivery_stops.record_stop(each_uow, VAN, run.id, s.id, failed("not_home", None))
    proof = delivery_stops.proofs(each_uow, SYSTEM, [s.id])[s.id]
    assert proof.recipient == "Ann Smith" and proof.has_image
    assert delivery_stops.proof_image(each_uow, SYSTEM, s.id).image == PNG
    events = [str(e.type) for e in orders.order_events(each_uow, SYSTEM, s.order_id)]
    assert events.count("shipment.out_for_delivery") == 1 and "shipment.delivered" in events


def test_a_failed_stop_waits_for_the_next_run_and_comes_back_after_the_last_attempt(
    each_uow: UnitOfWork,
) -> None:
    local_shop(each_uow)
    s = packed(each_uow, quantity=2)
    first = delivery_runs.create_run(each_uow, CLERK, "PAR")
    delivery_stops.start_run(each_uow, VAN, first.id)
    out = delivery_stops.record_stop(each_uow, VAN, first.id, s.id, failed("not_home", None))
    assert out.shipment.status is ShipmentStatus.EXCEPTION and out.stop.attempt == 1
    assert not out.returned
    delivery_stops.finish_run(each_uow, VAN, first.id)
    second = delivery_runs.create_run(each_uow, CLERK, "PAR")  # it waits for the next run
    assert [st.shipment_id for st in second.stops] == [s.id]
    delivery_stops.start_run(each_uow, CLERK, second.id, driver="van")
    why = failed("refused", "said they never ordered it")
    back = delivery_stops.record_stop(each_uow, VAN, second.id, s.id, why)
    assert back.returned and back.stop.attempt == 2
    assert _shipment(each_uow, s.id) is ShipmentStatus.RETURNED
    order = orders.get_order(each_uow, SYSTEM, s.order_id)
    [line] = order.lines
    assert line.shipped_quantity == 0 and line.allocated_quantity == 2  # filled again
    assert levels(each_uow, "PAR", "TEE") == (20, 2)  # back on the shelf, reserved again
    problems = each_uow.run(lambda: each_uow.problems.of_order(order.id), write=False)
    assert [p.reason for p in problems] == [ProblemReason.UNDELIVERABLE]
    events = [str(e.type) for e in orders.order_events(each_uow, SYSTEM, s.order_id)]
    assert events.count("shipment.delivery_failed") == 2 and "shipment.returned" in events
    with pytest.raises(Conflict, match="no local parcel"):
        delivery_runs.create_run(each_uow, CLERK, "PAR")  # the new shipment is not packed


def test_finishing_a_run_leaves_the_stops_not_attempted_waiting_without_an_attempt(
    each_uow: UnitOfWork,
) -> None:
    local_shop(each_uow)
    s = packed(each_uow)
    run = delivery_runs.create_run(each_uow, CLERK, "PAR")
    delivery_stops.start_run(each_uow, VAN, run.id)
    finished = delivery_stops.finish_run(each_uow, VAN, run.id)
    assert finished.run.status is RunStatus.FINISHED
    with pytest.raises(Conflict):
        delivery_stops.record_stop(each_uow, VAN, run.id, s.id, failed("not_home", None))
    again = delivery_runs.create_run(each_uow, CLERK, "PAR")
    delivery_stops.start_run(each_uow, VAN, again.id)
    out = delivery_stops.record_stop(each_uow, VAN, again.id, s.id, failed("not_home", None))
    assert out.stop.attempt == 1 and not out.returned


def test_a_driver_works_only_at_their_location_and_on_their_own_run(
    each_uow: UnitOfWork,
) -> None:
    local_shop(each_uow)
    s = packed(each_uow)
    run = delivery_runs.create_run(each_uow, CLERK, "PAR")
    lyon = Actor("lyon-van", Role.DRIVER, location_code="LYO")
    with pytest.raises(PermissionDenied):
        delivery_runs.run_sheet(each_uow, lyon, run.id)
    with pytest.raises(PermissionDenied):
        delivery_stops.start_run(each_uow, lyon, run.id)
    with pytest.raises(PermissionDenied):
        delivery_runs.create_run(each_uow, VAN, "PAR")  # drivers do not dispatch
    assert delivery_runs.list_runs(each_uow, lyon, RunFilter()) == []
    delivery_stops.start_run(each_uow, VAN, run.id)
    other = Actor("other-van", Role.DRIVER, location_code="PAR")
    with pytest.raises(PermissionDenied):
        delivery_stops.record_stop(each_uow, other, run.id, s.id, failed("not_home", None))
    with pytest.raises(NotFound):
        delivery_stops.record_stop(each_uow, VAN, run.id, s.id + 999, failed("not_home", None))


def test_a_dispatcher_names_a_driver_of_the_location(each_uow: UnitOfWork) -> None:
    local_shop(each_uow)
    packed(each_uow)
    run = delivery_runs.create_run(each_uow, CLERK, "PAR")
    with pytest.raises(InvalidInput, match="driver"):
        delivery_stops.start_run(each_uow, CLERK, run.id)
    with pytest.raises(InvalidInput, match="drives from LYO"):
        delivery_stops.start_run(each_uow, CLERK, run.id, driver="lyon-van")
    with pytest.raises(InvalidInput, match="not a driver"):
        delivery_runs.create_run(each_uow, CLERK, "PAR", driver="nobody")


def test_a_shipment_is_in_one_unfinished_run_at_most(each_uow: UnitOfWork) -> None:
    local_shop(each_uow)
    s = packed(each_uow)
    delivery_runs.create_run(each_uow, CLERK, "PAR", [s.id])
    with pytest.raises(Conflict, match="do not wait"):
        delivery_runs.create_run(each_uow, CLERK, "PAR", [s.id])


def test_the_manifest_is_a_pdf_of_the_run(each_uow: UnitOfWork) -> None:
    local_shop(each_uow)
    packed(each_uow)
    run = delivery_runs.create_run(each_uow, CLERK, "PAR")
    pdf = delivery_runs.manifest(each_uow, CLERK, run.id)
    assert pdf.startswith(b"%PDF")


def test_reasons_are_checked(each_uow: UnitOfWork) -> None:
    with pytest.raises(InvalidInput):
        failed("lost_keys", None)
    with pytest.raises(InvalidInput):
        failed(FailureReason.OTHER.value, "  ")


def test_a_parcel_cancelled_since_the_run_was_made_is_dropped_when_it_starts(
    each_uow: UnitOfWork,
) -> None:
    local_shop(each_uow)
    kept, cancelled = packed(each_uow, NEAR), packed(each_uow, NEARER)
    run = delivery_runs.create_run(each_uow, CLERK, "PAR")
    orders.cancel_order(each_uow, SYSTEM, cancelled.order_id, "customer changed their mind")
    sheet = delivery_stops.start_run(each_uow, VAN, run.id)
    assert [(p.shipment.id, p.stop.seq if p.stop else 0) for p in sheet.parcels] == [(kept.id, 1)]
    assert _shipment(each_uow, cancelled.id) is ShipmentStatus.CANCELLED
    alone = delivery_runs.create_run(each_uow, CLERK, "PAR", [packed(each_uow, NEAR).id])
    orders.cancel_order(
        each_uow,
        SYSTEM,
        warehouse.get_shipment(each_uow, SYSTEM, alone.stops[0].shipment_id).order_id,
        "no",
    )
    with pytest.raises(Conflict, match="none of its parcels"):
        delivery_stops.start_run(each_uow, VAN, alone.id)
