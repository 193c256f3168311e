"""A property of order edits through the use case (memory unit of work, so that hypothesis
can try many sequences): whatever sequence of edits is asked, every line stays balanced,
each line's reservations are its allocated units, the stock ledger explains every row, and
a confirmed order's open shipments hold exactly what it reserved."""

from __future__ import annotations

import contextlib
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oms.domain.access import SYSTEM
from oms.domain.errors import Conflict, InvalidInput, NotFound
from oms.domain.orders.model import Address
from oms.services import catalogue, inventory, order_edits, orders
from oms.services.order_edits import NewLine, OrderEdit
from oms.services.ports import UnitOfWork
from tests.builders import draft, new_location, stocked
from tests.conftest import FakeClock
from tests.memory.uow import MemoryDatabase, MemoryUnitOfWork

PARIS = Address("Ann Smith", "1 rue de la Paix", "Paris", "75002", "FR")
BERLIN = Address("Ann Smith", "Unter den Linden 1", "Berlin", "10117", "DE")

STEPS = st.one_of(
    st.tuples(st.just("quantity"), st.integers(0, 3), st.integers(0, 6)),
    st.tuples(st.just("add"), st.sampled_from(["TEE", "MUG", "CAP"]), st.integers(1, 4)),
    st.tuples(st.just("remove"), st.integers(0, 3), st.just(0)),
    st.tuples(st.just("address"), st.sampled_from([0, 1]), st.just(0)),
    st.tuples(st.just("confirm"), st.just(0), st.just(0)),
    st.tuples(st.just("restock"), st.sampled_from(["TEE", "MUG", "CAP"]), st.integers(0, 5)),
)


def shop() -> tuple[UnitOfWork, int, int]:
    uow = MemoryUnitOfWork(MemoryDatabase(), FakeClock())
    catalogue.create_location(uow, SYSTEM, new_location("BER", country="DE", postal_code="10115"))
    stocked(uow, "TEE", 3, "PAR")
    stocked(uow, "TEE", 2, "BER")
    stocked(uow, "MUG", 1, "PAR")
    stocked(uow, "CAP", 0, "BER")
    edited = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order.id
    waiting = orders.place_order(uow, SYSTEM, draft(("TEE", 4), ("MUG", 1))).order.id
    return uow, edited, waiting


def step(uow: UnitOfWork, order_id: int, kind: str, a: object, n: int) -> None:
    order = orders.get_order(uow, SYSTEM, order_id)
    line_ids = [ln.id for ln in order.lines]
    if kind == "quantity":
        edit = OrderEdit(quantities={line_ids[int(a) % len(line_ids)]: n})
    elif kind == "add":
        edit = OrderEdit(add=[NewLine(str(a), n)])
    elif kind == "remove":
        edit = OrderEdit(remove=[line_ids[int(a) % len(line_ids)]])
    elif kind == "address":
        edit = OrderEdit(address=BERLIN if a else PARIS)
    elif kind == "confirm":
        orders.confirm_order(uow, SYSTEM, order_id)
        return
    else:
        location = "BER" if a == "CAP" else "PAR"
        change = inventory.StockChange(location, str(a), "delivery", delta=n)
        if n:
            inventory.adjust_stock(uow, SYSTEM, change)
        return
    order_edits.edit_order(uow, SYSTEM, order_id, edit)


def check(uow: UnitOfWork, order_ids: list[int]) -> None:
    assert inventory.verify_stock(uow, SYSTEM) == []

    def read() -> None:
        for order_id in order_ids:
            order = uow.orders.get(order_id)
            assert order is not None
            held: dict[int, int] = defaultdict(int)
            at: dict[tuple[int, int], int] = defaultdict(int)
            for r in uow.stock.reservations_of(order_id):
                held[r.order_line_id] += r.quantity
                at[(r.order_line_id, r.location_id)] += r.quantity
            for line in order.lines:
                assert line.is_balanced()
                assert held.get(line.id, 0) == line.allocated_quantity
            shipped: dict[tuple[int, int], int] = defaultdict(int)
            for s in uow.shipments.of_orders([order_id])[order_id]:
                if s.status.value == "open":
                    for sl in s.lines:
                        shipped[(sl.order_line_id, s.location_id)] += sl.quantity
            if order.status.value == "confirmed":
                assert dict(shipped) == {k: q for k, q in at.items() if q}

    uow.run(read, write=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEPS, max_size=12))
def test_no_sequence_of_edits_breaks_a_balance_a_reservation_or_the_ledger(
    steps: list[tuple[str, object, int]],
) -> None:
    uow, edited, waiting = shop()
    for kind, a, n in steps:
        # A refused step is refused whole: the checks show nothing moved out of line.
        with contextlib.suppress(InvalidInput, Conflict, NotFound):
            step(uow, edited, kind, a, n)
        check(uow, [edited, waiting])
