"""`oms allocate` as a service: re-planning waiting orders to ship the most complete."""

from __future__ import annotations

import pytest

from oms.adapters.solver.milp import plan_optimal
from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import PermissionDenied
from oms.domain.fulfilment.backlog import BacklogProblem
from oms.services import inventory, orders, tracking
from oms.services.backlog import SolverAnswer, allocate_backlog
from oms.services.inventory import StockChange
from oms.services.ports.shipments import ShipmentFilter
from tests.builders import draft, stocked


def optimiser(problem: BacklogProblem) -> SolverAnswer:
    result = plan_optimal(problem, time_limit_s=10, isolate=False)
    return SolverAnswer(result.plan, result.status, result.seconds)


def lines_of(container: Container, order_id: int) -> list[tuple[str, int, int]]:
    order = orders.get_order(container.uow(), SYSTEM, order_id)
    return [(x.sku, x.allocated_quantity, x.backordered_quantity) for x in order.lines]


def stuck_backlog(container: Container) -> tuple[int, int]:
    """The older order holds both MUGs but waits for a TEE nobody has; the newer one needs
    one MUG and could ship now."""
    uow = container.uow()
    stocked(uow, "MUG", 2)
    stocked(uow, "TEE", 0)
    old = orders.place_order(uow, SYSTEM, draft(("MUG", 2), ("TEE", 1))).order.id
    new = orders.place_order(uow, SYSTEM, draft(("MUG", 1))).order.id
    orders.confirm_order(uow, SYSTEM, old)
    orders.confirm_order(uow, SYSTEM, new)
    assert lines_of(container, new) == [("MUG", 0, 1)]
    return old, new


@pytest.mark.parametrize("with_optimiser", [False, True], ids=["greedy", "optimiser"])
def test_allocate_completes_the_orders_stock_can_complete(
    container: Container, with_optimiser: bool
) -> None:
    old, new = stuck_backlog(container)
    report = allocate_backlog(container.uow(), SYSTEM, optimiser if with_optimiser else None)
    assert report.orders == 2 and report.applied
    assert report.greedy.orders_complete == 1
    if with_optimiser:
        assert report.optimal is not None and report.optimal.orders_complete == 1
    assert lines_of(container, new) == [("MUG", 1, 0)]
    # What was left went back to the older order the usual way.
    assert lines_of(container, old) == [("MUG", 1, 1), ("TEE", 0, 1)]
    uow = container.uow()
    assert inventory.verify_stock(uow, SYSTEM) == []
    ships = tracking.list_shipments(uow, SYSTEM, ShipmentFilter(order_id=new))
    assert [(s.status.value, s.contents()) for s in ships] == [("open", {"MUG": 1})]
    events = [e.type for e in orders.order_events(uow, SYSTEM, new)]
    assert events.count("order.sourced") == 2  # at confirm, and by the backlog plan


def test_a_dry_run_reports_and_changes_nothing(container: Container) -> None:
    old, new = stuck_backlog(container)
    report = allocate_backlog(container.uow(), SYSTEM, optimiser, apply=False)
    assert not report.applied and report.orders_changed == 0
    assert report.greedy.orders_complete == 1
    assert lines_of(container, new) == [("MUG", 0, 1)]
    assert lines_of(container, old) == [("MUG", 2, 0), ("TEE", 0, 1)]


def test_units_being_picked_stay_where_they_are(container: Container) -> None:
    from oms.services import picking

    old, new = stuck_backlog(container)
    picking.create_pick_list(container.uow(), SYSTEM, "PAR")
    report = allocate_backlog(container.uow(), SYSTEM)
    assert report.greedy.orders_complete == 0  # the MUGs are in the picker's hands
    assert lines_of(container, old) == [("MUG", 2, 0), ("TEE", 0, 1)]
    assert lines_of(container, new) == [("MUG", 0, 1)]


def test_a_backlog_changed_since_planning_is_refused(container: Container) -> None:
    from oms.domain.errors import Conflict

    stuck_backlog(container)

    def meddling_solver(problem: BacklogProblem) -> SolverAnswer:
        inventory.count_stock(
            container.uow(), SYSTEM, StockChange("PAR", "TEE", "found one", on_hand=1)
        )
        return optimiser(problem)

    with pytest.raises(Conflict, match="changed while it was planned"):
        allocate_backlog(container.uow(), SYSTEM, meddling_solver)


def test_only_the_warehouse_and_admins_allocate(container: Container) -> None:
    with pytest.raises(PermissionDenied):
        allocate_backlog(container.uow(), Actor("sam", Role.SALES))
    allocate_backlog(container.uow(), Actor("wes", Role.WAREHOUSE), apply=False)
