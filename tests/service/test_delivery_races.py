"""Delivery runs under concurrency: dispatchers taking the same parcel, drivers reporting
the same stop."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from oms.bootstrap import Container
from oms.domain.errors import Conflict
from oms.domain.fulfilment.delivery_runs import DeliveryRun, failed
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.services import delivery_runs, delivery_stops, orders
from oms.services.delivery_stops import StopResult
from tests.service.local_runs import CLERK, VAN, local_shop, packed
from tests.service.test_concurrency import race

THREADS = 6


@pytest.mark.slow
def test_racing_dispatchers_never_put_a_parcel_in_two_runs(container: Container) -> None:
    uow = local_shop(container.uow())
    s = packed(uow)

    def make(_: int) -> DeliveryRun | None:
        try:
            return delivery_runs.create_run(container.uow(), CLERK, "PAR", [s.id])
        except Conflict:
            return None

    made = [run for run in race(THREADS, make) if run is not None]
    assert len(made) == 1
    with container.engine.connect() as conn:
        stops = conn.execute(sa.text("SELECT count(*) FROM run_stops")).scalar()
    assert stops == 1


@pytest.mark.slow
def test_the_same_failed_stop_reported_at_once_counts_one_attempt(container: Container) -> None:
    uow = local_shop(container.uow())
    s = packed(uow)
    run = delivery_runs.create_run(uow, CLERK, "PAR")
    delivery_stops.start_run(uow, VAN, run.id)
    why = failed("not_home", None)

    def report(_: int) -> StopResult:
        return delivery_stops.record_stop(container.uow(), VAN, run.id, s.id, why)

    results = race(THREADS, report)
    assert Counter(r.recorded for r in results) == {True: 1, False: THREADS - 1}
    assert {r.shipment.status for r in results} == {ShipmentStatus.EXCEPTION}
    timeline = [str(e.type) for e in orders.order_events(container.uow(), CLERK, s.order_id)]
    assert timeline.count("shipment.delivery_failed") == 1
