"""Customer service through the use cases on SQLite and PostgreSQL: the queue's reasons,
its order and paging, the customer view, and the search by a return's tracking number."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.errors import InvalidInput, NotFound, PermissionDenied
from oms.domain.fulfilment.model import Picked
from oms.domain.orders.model import Customer, DraftLine
from oms.services import customer_service as cs
from oms.services import orders, picking, returns, tracking, warehouse
from oms.services.customer_service import QueueAfter, Why
from oms.services.ports import UnitOfWork
from oms.services.ports.orders import OrderFilter
from oms.services.returns import ReceiveReturn
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.service.test_returns import CS, DRIVER, ask, delivered


def shipped(uow: UnitOfWork, email: str, sku: str = "MUG") -> tuple[int, str]:
    """An order confirmed, picked, packed and shipped from PAR: its id, tracking number."""
    stocked(uow, sku, 1, weight_grams=300)
    customer = Customer(email, "Lea Late")
    order_id = orders.place_order(uow, SYSTEM, draft((sku, 1), customer=customer)).order.id
    orders.confirm_order(uow, SYSTEM, order_id)
    pick_list = picking.create_pick_list(uow, SYSTEM, "PAR")
    [sid] = pick_list.shipment_ids
    picking.complete_pick_list(uow, SYSTEM, pick_list.id, [Picked(sid, sku, 1)])
    warehouse.pack_shipment(uow, SYSTEM, sid, [(sku, 1)])
    number = warehouse.ship_shipment(uow, SYSTEM, sid).tracking_number
    assert number is not None
    return order_id, number


@dataclass(frozen=True)
class Desk:
    late: int
    exception: int
    held: int
    to_inspect: int
    return_tracking: str
    waiting: int
    fresh_wait: int


@pytest.fixture
def desk(container: Container, clock: FakeClock) -> Desk:
    """One order for each reason, and a waiting order too young to be one."""
    uow = container.uow()
    to_inspect = delivered(uow, clock, ("TEE", 2))
    r = returns.start_return(uow, CS, to_inspect, ask(("TEE", 1)))
    approved = returns.approve_return(uow, CS, r.id)
    assert approved.tracking_number is not None
    returns.receive_return(uow, SYSTEM, r.id, ReceiveReturn("PAR", [("TEE", 1)]))
    clock.advance(hours=1)
    late, _ = shipped(uow, "lea@example.com")
    clock.advance(hours=1)
    exception, number = shipped(uow, "eva@example.com")
    event = {"tracking_number": number, "status": "exception", "at": clock.now}
    tracking.record_carrier_event(uow, DRIVER, "oms-post", event)
    clock.advance(hours=1)
    stocked(uow, "BAG", 0)
    waiting = orders.place_order(uow, SYSTEM, draft(("BAG", 2))).order.id
    clock.advance(days=10)  # well past every promised date
    stocked(uow, "CAP", 1)
    held = orders.place_order(uow, SYSTEM, draft(("CAP", 1))).order.id
    orders.hold_order(uow, SYSTEM, held, "customer asked to wait")
    fresh_wait = orders.place_order(uow, SYSTEM, draft(("BAG", 1))).order.id
    clock.advance(days=1)
    return Desk(late, exception, held, to_inspect, approved.tracking_number, waiting, fresh_wait)


def queue(container: Container, **kw: object) -> cs.QueuePage:
    uow = container.uow()
    return cs.service_queue(uow, container.views(uow), CS, **kw)  # type: ignore[arg-type]


def test_every_reason_is_listed_once_per_order_oldest_first(
    container: Container, desk: Desk
) -> None:
    page = queue(container)
    got = [(item.order_id, item.why) for item in page.items]
    assert set(got) == {
        (desk.to_inspect, Why.RETURN_TO_INSPECT),
        (desk.late, Why.LATE),
        (desk.exception, Why.EXCEPTION),
        (desk.exception, Why.LATE),  # an exception still on its way, past its date: both
        (desk.waiting, Why.BACKORDERED_LONG),
        (desk.held, Why.ON_HOLD),
    }
    assert len(got) == len(set(got)) and not page.more
    assert [i.key for i in page.items] == sorted(i.key for i in page.items)
    assert desk.fresh_wait not in {i.order_id for i in page.items}  # one day waiting: fine
    assert all(i.number.startswith("SO-") for i in page.items)
    uow = container.uow()
    counts = cs.service_counts(uow, container.views(uow), CS)  # type: ignore[arg-type]
    assert counts == {
        Why.LATE: 2,
        Why.ON_HOLD: 1,
        Why.EXCEPTION: 1,
        Why.RETURN_TO_INSPECT: 1,
        Why.REFUND_FAILED: 0,
        Why.BACKORDERED_LONG: 1,
        Why.PROBLEM: 0,
    }


def test_the_setting_moves_the_backorder_threshold(container: Container, desk: Desk) -> None:
    def waiting(days: int) -> set[int]:
        items = queue(container, backorder_days=days).items
        return {i.order_id for i in items if i.why is Why.BACKORDERED_LONG}

    assert waiting(0) == {desk.waiting, desk.fresh_wait}
    assert waiting(5) == {desk.waiting}  # eleven days; the other has waited one
    assert waiting(20) == set()


@pytest.mark.parametrize("size", [1, 2, 4])
def test_pages_follow_each_other_without_gaps_or_repeats(
    container: Container, desk: Desk, size: int
) -> None:
    whole = queue(container).items
    seen: list[cs.QueueItem] = []
    after: QueueAfter | None = None
    while True:
        page = queue(container, limit=size, after=after)
        seen += page.items
        if not page.more:
            break
        last = page.items[-1]
        after = cs.read_cursor(cs.cursor_of(last))
    assert seen == whole


def test_a_held_order_leaves_the_queue_when_released(container: Container, desk: Desk) -> None:
    orders.release_order(container.uow(), SYSTEM, desk.held, "she called back")
    assert (desk.held, Why.ON_HOLD) not in {(i.order_id, i.why) for i in queue(container).items}


def test_the_customer_view_adds_up_orders_returns_and_money(
    container: Container, clock: FakeClock
) -> None:
    uow = container.uow()
    first = delivered(uow, clock, ("TEE", 4))  # ann@example.com, as the builders make it
    r = returns.start_return(uow, CS, first, ask(("TEE", 1)))
    returns.approve_return(uow, CS, r.id)
    returns.receive_return(uow, SYSTEM, r.id, ReceiveReturn("PAR", [("TEE", 1)]))
    ann = Customer("ANN@example.com", "Ann Smith-Jones", "+33 6 12 34 56 78")
    stocked(uow, "CAP", 5)
    second = orders.place_order(uow, SYSTEM, draft(("CAP", 1), customer=ann)).order
    in_pounds = replace(
        draft(customer=ann, currency="GBP"), lines=[DraftLine("CAP", 1, Decimal(8))]
    )
    gbp = orders.place_order(uow, SYSTEM, in_pounds).order
    cancelled = orders.place_order(uow, SYSTEM, draft(("CAP", 1), customer=ann)).order
    orders.cancel_order(uow, SYSTEM, cancelled.id, "changed her mind")
    other = Customer("bob@example.com", "Bob")
    orders.place_order(uow, SYSTEM, draft(("CAP", 1), customer=other))

    views = container.views(uow)
    found = cs.customer(uow, views, CS, " Ann@Example.com ")  # type: ignore[arg-type]
    assert found.email == "ann@example.com" and found.name == "Ann Smith-Jones"
    assert found.phone == "+33612345678"
    assert [o.id for o in found.orders] == [cancelled.id, gbp.id, second.id, first]
    assert [x.number for x in found.returns] == [r.number]
    assert found.returns[0].units == 1 and found.returns[0].order_id == first
    placed = orders.get_order(uow, SYSTEM, first)
    eur = placed.totals.total.amount + second.totals.total.amount
    assert found.totals.spent == {"EUR": eur, "GBP": gbp.totals.total.amount}
    assert found.totals.orders == 4
    assert (found.totals.delivered_units, found.totals.returned_units) == (4, 1)
    assert found.totals.return_rate == 0.25
    delivered_where = found.orders[-1].where
    assert delivered_where.shipment_status == "delivered" and not delivered_where.late
    assert found.orders[0].where.status == "cancelled"

    with pytest.raises(NotFound):
        cs.customer(uow, views, CS, "nobody@example.com")  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):  # a carrier reads no orders
        cs.customer(uow, views, DRIVER, "ann@example.com")  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        cs.service_queue(uow, views, DRIVER)  # type: ignore[arg-type]


def test_a_return_tracking_number_finds_its_order(container: Container, desk: Desk) -> None:
    uow = container.uow()
    for q in (desk.return_tracking, desk.return_tracking.lower()):
        found = orders.list_orders(uow, SYSTEM, OrderFilter(q=q))
        assert [o.id for o in found] == [desk.to_inspect]


def test_where_is_a_late_order(container: Container, desk: Desk) -> None:
    uow = container.uow()
    where = cs.where_orders_are(uow, container.views(uow), CS, [desk.late, desk.held])  # type: ignore[arg-type]
    assert where[desk.late].late and where[desk.late].shipment_status == "shipped"
    assert where[desk.late].promised is not None
    assert where[desk.held].status == "on_hold" and where[desk.held].shipment_status is None


@pytest.mark.parametrize(
    "key",
    ["", "nope", "2026-03-02T09:00:00|1", "2026-03-02T09:00:00|1|late", "x|1|late",
     "2026-03-02T09:00:00+00:00|one|late", "2026-03-02T09:00:00+00:00|1|angry",
     "0001-01-01T00:00:00+01:00|1|late"],
)  # fmt: skip
def test_a_cursor_not_given_out_is_invalid_input(key: str) -> None:
    with pytest.raises(InvalidInput):
        cs.read_cursor(key)
