"""Whatever people do with returns, in whatever order, the counts hold: never more asked
back than delivered, the order's returned units are the units received, and the stock
ledger still explains every row (on the in-memory unit of work, fast enough for many runs)."""

from __future__ import annotations

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from oms.domain.access import SYSTEM
from oms.domain.errors import DomainError
from oms.domain.returns.model import Inspected
from oms.domain.returns.status import COUNTS_AGAINST_DELIVERED
from oms.services import inventory, orders, returns
from oms.services.returns import ReceiveReturn
from tests.conftest import FakeClock
from tests.memory.uow import MemoryUnitOfWork
from tests.service.test_returns import CS, WAREHOUSE, ask, delivered

DELIVERED = 4
Op = tuple[str, int, int, int]  # what, which return (index), a count, another count

ops = st.lists(
    st.tuples(
        st.sampled_from(["start", "approve", "reject", "receive", "inspect"]),
        st.integers(0, 1),
        st.integers(0, 5),
        st.integers(0, 5),
    ),
    max_size=20,
)


@settings(max_examples=100, deadline=None)
@given(steps=ops)
@example(  # the whole way, twice, with a rejection between
    steps=[
        ("start", 0, 2, 0), ("approve", 0, 0, 0), ("receive", 0, 2, 2), ("inspect", 0, 1, 3),
        ("start", 1, 3, 0), ("reject", 1, 0, 0), ("start", 1, 2, 0), ("approve", 1, 0, 0),
        ("receive", 1, 1, 0), ("receive", 1, 1, 0), ("inspect", 1, 0, 1),
    ]
)  # fmt: skip
def test_no_sequence_of_steps_breaks_the_counts(steps: list[Op]) -> None:
    clock = FakeClock()
    uow = MemoryUnitOfWork(clock=clock)
    order_id = delivered(uow, clock, ("TEE", DELIVERED))
    made: list[int] = []
    for what, which, a, b in steps:
        target = made[which % len(made)] if made else 0
        try:
            if what == "start":
                made.append(returns.start_return(uow, CS, order_id, ask(("TEE", a))).id)
            elif what == "approve":
                returns.approve_return(uow, CS, target)
            elif what == "reject":
                returns.reject_return(uow, CS, target, "no")
            elif what == "receive":
                if b >= 2:  # mostly what was asked, so receipts happen too
                    a = returns.get_return(uow, SYSTEM, target).lines[0].quantity
                cmd = ReceiveReturn("PAR", [("TEE", a)])
                returns.receive_return(uow, WAREHOUSE, target, cmd)
            else:
                if b >= 3:  # mostly a split that adds up, so inspections happen too
                    got = returns.get_return(uow, SYSTEM, target).lines[0].received_quantity
                    a, b = min(a, got), got - min(a, got)
                returns.inspect_return(uow, WAREHOUSE, target, [Inspected("TEE", a, b)])
        except DomainError:
            pass  # refused whole: the checks below hold all the same
    found = returns.returns_of_order(uow, SYSTEM, order_id)
    asked = sum(
        ln.quantity for r in found if r.status in COUNTS_AGAINST_DELIVERED for ln in r.lines
    )
    received = sum(ln.received_quantity for r in found for ln in r.lines)
    line = orders.get_order(uow, SYSTEM, order_id).lines[0]
    assert asked <= DELIVERED
    assert line.returned_quantity == received <= line.delivered_quantity
    for r in found:
        assert r.is_balanced()
        event(f"a return ends {r.status.value}")
    assert inventory.verify_stock(uow, SYSTEM) == []
