"""`oms allocate` with the greedy plan at service level, on the in-memory unit of work and
on SQL: reservations move to complete the orders stock can complete."""

from __future__ import annotations

import pytest

from oms.domain.access import SYSTEM
from oms.domain.errors import Conflict
from oms.domain.fulfilment.backlog import BacklogProblem, plan_greedy
from oms.services import inventory, picking
from oms.services.backlog import SolverAnswer, allocate_backlog
from oms.services.ports import UnitOfWork
from tests.memory.fixtures import Backend
from tests.service.shop import (
    count,
    event_types,
    levels,
    line_split,
    open_shop,
    place_confirmed,
    where,
)


@pytest.fixture
def stuck(each_uow: UnitOfWork) -> tuple[UnitOfWork, int, int]:
    """The older order holds both MUGs but waits for a TEE nobody has; the newer one needs
    one MUG and could ship now."""
    uow = open_shop(each_uow)
    count(uow, "PAR", "MUG", 2)
    count(uow, "PAR", "TEE", 0)
    old = place_confirmed(uow, ("MUG", 2), ("TEE", 1)).id
    new = place_confirmed(uow, ("MUG", 1)).id
    assert line_split(uow, new) == [("MUG", 0, 1)]
    return uow, old, new


def test_the_greedy_plan_completes_the_order_stock_can_complete(
    stuck: tuple[UnitOfWork, int, int],
) -> None:
    uow, old, new = stuck
    report = allocate_backlog(uow, SYSTEM)
    assert (report.orders, report.applied, report.chosen) == (2, True, "greedy")
    assert report.greedy.orders_complete == 1 and report.orders_changed == 2
    assert line_split(uow, new) == [("MUG", 1, 0)]
    # What was left went back to the older order the usual way.
    assert line_split(uow, old) == [("MUG", 1, 1), ("TEE", 0, 1)]
    assert levels(uow, "PAR", "MUG") == (2, 2)
    assert where(uow, new) == {"PAR": ("open", {"MUG": 1})}
    assert where(uow, old) == {"PAR": ("open", {"MUG": 1})}
    assert event_types(uow, new).count("order.sourced") == 2  # at confirm, and by the plan
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_a_dry_run_reports_and_moves_nothing(stuck: tuple[UnitOfWork, int, int]) -> None:
    uow, old, new = stuck
    report = allocate_backlog(uow, SYSTEM, apply=False)
    assert not report.applied and report.orders_changed == 0
    assert report.greedy.orders_complete == 1
    assert line_split(uow, new) == [("MUG", 0, 1)]
    assert line_split(uow, old) == [("MUG", 2, 0), ("TEE", 0, 1)]


def test_units_being_picked_stay_where_they_are(stuck: tuple[UnitOfWork, int, int]) -> None:
    uow, old, new = stuck
    picking.create_pick_list(uow, SYSTEM, "PAR")
    report = allocate_backlog(uow, SYSTEM)
    assert report.greedy.orders_complete == 0  # the MUGs are in the picker's hands
    assert line_split(uow, old) == [("MUG", 2, 0), ("TEE", 0, 1)]
    assert line_split(uow, new) == [("MUG", 0, 1)]


def test_a_backlog_that_changed_while_it_was_planned_is_refused(
    backend: Backend, stuck: tuple[UnitOfWork, int, int]
) -> None:
    uow, old, _ = stuck

    def meddle_then_plan(problem: BacklogProblem) -> SolverAnswer:
        """Another unit of work finds a TEE while this one thinks."""
        count(backend.another(), "PAR", "TEE", 1)
        return SolverAnswer(plan_greedy(problem), "greedy copy", 0.0)

    with pytest.raises(Conflict, match="changed while it was planned"):
        allocate_backlog(uow, SYSTEM, meddle_then_plan)
    assert line_split(uow, old) == [("MUG", 2, 0), ("TEE", 1, 0)]
