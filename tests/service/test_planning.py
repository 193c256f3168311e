"""Demand history from the orders oms keeps, on SQLite and PostgreSQL (hand-computed).

The shop's locations work Monday to Friday in France (FakeClock starts Monday 2026-03-02).
  Mon 03-02  TEE 2 (confirmed), MUG 5 (cancelled two hours later: a mistake, counts 0)
  Tue 03-03  TEE 3, its order cancelled two days later (counts: the customer asked)
  Sat 03-07  TEE 4 (the shop is closed: counts on Monday 03-09)
  Mon 03-09  TEE 1
"""

from __future__ import annotations

from datetime import date

import pytest

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import InvalidInput, PermissionDenied
from oms.services import orders
from oms.services.planning import HistoryQuery, demand_history
from tests.conftest import FakeClock
from tests.service.shop import count, open_shop

WEEK = HistoryQuery(date(2026, 3, 2), date(2026, 3, 10), "Europe/Paris")


def _history(container: Container) -> None:
    uow = open_shop(container.uow())
    for sku in ("TEE", "MUG"):
        count(uow, "PAR", sku, 100)


def test_demand_history_counts_what_was_asked_for_on_open_days(
    container: Container, clock: FakeClock
) -> None:
    from tests.builders import draft

    _history(container)
    uow = container.uow()
    orders.place_order(uow, SYSTEM, draft(("TEE", 2)))
    mistake = orders.place_order(uow, SYSTEM, draft(("MUG", 5)))
    clock.advance(hours=2)
    orders.cancel_order(uow, SYSTEM, mistake.order.id, "wrong quantity")
    clock.advance(days=1)
    later = orders.place_order(uow, SYSTEM, draft(("TEE", 3)))
    clock.advance(days=2)
    orders.cancel_order(uow, SYSTEM, later.order.id, "customer changed their mind")
    clock.advance(days=2)  # Saturday
    orders.place_order(uow, SYSTEM, draft(("TEE", 4)))
    clock.advance(days=2)  # Monday
    orders.place_order(uow, SYSTEM, draft(("TEE", 1)))

    series = demand_history(uow, container.demand_lines(uow), SYSTEM, WEEK)

    assert [s.key for s in series] == ["TEE"]  # MUG's only order was a mistake
    (tee,) = series
    assert tee.days == (
        date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5),
        date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 10),
    )  # fmt: skip
    assert tee.units == (2.0, 3.0, 0.0, 0.0, 0.0, 5.0, 0.0)


def test_demand_history_needs_report_read_and_a_sane_window(container: Container) -> None:
    uow = container.uow()
    with pytest.raises(PermissionDenied):
        demand_history(uow, container.demand_lines(uow), Actor("w", Role.WAREHOUSE), WEEK)
    backwards = HistoryQuery(date(2026, 3, 9), date(2026, 3, 2))
    with pytest.raises(InvalidInput):
        demand_history(uow, container.demand_lines(uow), SYSTEM, backwards)
