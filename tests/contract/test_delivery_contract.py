"""The delivery repository's contract: local delivery settings stored and replaced, runs
and their stops, a shipment in one unfinished run at most, attempts counted, proofs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from oms.domain.errors import Conflict
from oms.domain.fulfilment.delivery_runs import (
    Delivered,
    DeliveryRun,
    FailureReason,
    Proof,
    RunStatus,
    RunStop,
    StopOutcome,
    delivered,
    failed,
)
from oms.domain.fulfilment.local_delivery import LocalDelivery
from oms.domain.fulfilment.model import Shipment, ShipmentLine
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.money import Money
from oms.services.ports import UnitOfWork
from oms.services.ports.delivery import RunFilter
from tests.contract.seed import location, order, product

AT = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
PNG = Proof(b"\x89PNG\r\n\x1a\n" + b"\x01" * 10, "image/png")


def _shipments(uow: UnitOfWork, location_id: int, n: int) -> list[int]:
    product(uow, "TEE")
    ids = []
    for _ in range(n):
        o = order(uow, ("TEE", 1))
        line = o.lines[0]
        s = Shipment(
            0, o.id, location_id, "", ShipmentStatus.PACKED, AT, AT,
            [ShipmentLine(0, line.id, line.product_id, line.sku, 1)],
        )  # fmt: skip
        uow.run(lambda s=s: uow.shipments.add(s))
        ids.append(s.id)
    return ids


def _run(location_id: int, *shipment_ids: int) -> DeliveryRun:
    stops = [RunStop(sid, seq) for seq, sid in enumerate(shipment_ids, start=1)]
    return DeliveryRun(
        0, location_id, "PAR", date(2026, 12, 4), RunStatus.PLANNED, "clerk", AT, stops
    )


def test_local_delivery_settings_are_stored_and_replaced(each_uow: UnitOfWork) -> None:
    par = location(each_uow, "PAR").id
    settings = LocalDelivery(
        par, frozenset({"75", "921"}), _eur("4.90"), _eur("0.50"), 0, time(11, 0), 2
    )
    each_uow.run(lambda: each_uow.delivery.set_local_delivery(settings))
    assert each_uow.run(lambda: each_uow.delivery.local_delivery([par, par + 99])) == {
        par: settings
    }
    off = replace(settings, postal_prefixes=frozenset(), max_attempts=3, cut_off=time(10, 15))
    each_uow.run(lambda: each_uow.delivery.set_local_delivery(off))
    assert each_uow.run(lambda: each_uow.delivery.local_delivery([par]))[par] == off
    assert each_uow.run(lambda: each_uow.delivery.local_delivery([])) == {}


def _eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def test_a_run_and_its_stops_round_trip_in_stop_order(each_uow: UnitOfWork) -> None:
    par = location(each_uow, "PAR").id
    a, b = _shipments(each_uow, par, 2)
    run = _run(par, a, b)
    run_id = each_uow.run(lambda: each_uow.delivery.add_run(run))
    assert run.id == run_id
    got = each_uow.run(lambda: each_uow.delivery.get_run(run_id, lock=True))
    assert got == run
    got.reorder([b, a])
    got.start("van", AT)
    got.record(a, _delivered("Ann"), 1, AT)
    each_uow.run(lambda: each_uow.delivery.save_run(got, {a: PNG}))
    again = each_uow.run(lambda: each_uow.delivery.get_run(run_id))
    assert again is not None and [s.shipment_id for s in again.stops] == [b, a]
    assert again.status is RunStatus.STARTED and again.driver == "van"
    assert again.stop(a).outcome is StopOutcome.DELIVERED and again.stop(a).has_proof
    assert each_uow.run(lambda: each_uow.delivery.proof_image(a)) == PNG
    assert each_uow.run(lambda: each_uow.delivery.proof_image(b)) is None
    proofs = each_uow.run(lambda: each_uow.delivery.proofs([a, b]))
    assert list(proofs) == [a] and proofs[a].recipient == "Ann" and proofs[a].run_id == run_id
    assert each_uow.run(lambda: each_uow.delivery.get_run(run_id + 99)) is None


def _delivered(name: str) -> Delivered:
    return delivered(name, PNG)


def test_a_shipment_waits_in_one_unfinished_run_at_most(each_uow: UnitOfWork) -> None:
    par = location(each_uow, "PAR").id
    a, b = _shipments(each_uow, par, 2)
    first = _run(par, a, b)
    each_uow.run(lambda: each_uow.delivery.add_run(first))
    assert each_uow.run(lambda: each_uow.delivery.in_unfinished_runs([a, b])) == {
        a: first.id,
        b: first.id,
    }
    with pytest.raises(Conflict):
        each_uow.run(lambda: each_uow.delivery.add_run(_run(par, b)))
    first.start("van", AT)
    first.record(a, failed(FailureReason.NOT_HOME.value, None), 1, AT)
    each_uow.run(lambda: each_uow.delivery.save_run(first))
    assert each_uow.run(lambda: each_uow.delivery.in_unfinished_runs([a, b])) == {b: first.id}
    assert each_uow.run(lambda: each_uow.delivery.failed_attempts(a)) == 1
    first.finish(AT)
    each_uow.run(lambda: each_uow.delivery.save_run(first))
    assert each_uow.run(lambda: each_uow.delivery.in_unfinished_runs([a, b])) == {}
    second = _run(par, a, b)
    each_uow.run(lambda: each_uow.delivery.add_run(second))
    found = each_uow.run(lambda: each_uow.delivery.runs(RunFilter(location="PAR")))
    assert [r.id for r in found] == [second.id, first.id]
    started = each_uow.run(lambda: each_uow.delivery.runs(RunFilter(status="finished")))
    assert [r.id for r in started] == [first.id]
    paged = each_uow.run(lambda: each_uow.delivery.runs(RunFilter(before_id=second.id)))
    assert [r.id for r in paged] == [first.id]
