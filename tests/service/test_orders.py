"""Placing, reading and moving orders through the service layer, on every database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.errors import IdempotencyKeyReused, InvalidInput, NotFound, TransitionNotAllowed
from oms.domain.orders.status import OrderStatus
from oms.services import orders
from oms.services.inventory import list_stock
from oms.services.ports import UnitOfWork
from oms.services.ports.orders import OrderFilter
from tests.builders import draft, stocked


def counts(container: Container) -> dict[str, int]:
    with container.engine.connect() as conn:
        return {
            t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("orders", "order_lines", "reservations", "stock_ledger", "order_events")
        }


def stock_of(uow: UnitOfWork, sku: str) -> dict[str, tuple[int, int]]:
    return {r.location: (r.on_hand, r.reserved) for r in list_stock(uow, SYSTEM, sku=sku)}


def test_placing_reserves_what_is_available_and_backorders_the_rest(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 5)
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 7)))
    line = placed.order.lines[0]
    assert placed.created
    assert placed.order.status is OrderStatus.PENDING
    assert placed.order.number == "SO-000001"
    assert (line.allocated_quantity, line.backordered_quantity) == (5, 2)
    assert stock_of(uow, "TEE") == {"PAR": (5, 5)}
    assert orders.get_order(uow, SYSTEM, placed.order.id) == placed.order


def test_an_order_is_served_from_the_location_that_can_ship_most_of_it(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 10, location="PAR")
    stocked(uow, "TEE", 10, location="BER")
    stocked(uow, "MUG", 2, location="BER")
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 3), ("MUG", 1)))
    assert stock_of(uow, "TEE") == {"PAR": (10, 0), "BER": (10, 3)}
    assert stock_of(uow, "MUG") == {"BER": (2, 1)}
    assert all(line.backordered_quantity == 0 for line in placed.order.lines)


def test_a_line_splits_over_locations_when_one_is_not_enough(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 3, location="PAR")
    stocked(uow, "TEE", 2, location="BER")
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 6)))
    assert stock_of(uow, "TEE") == {"PAR": (3, 3), "BER": (2, 2)}
    assert placed.order.lines[0].backordered_quantity == 1


def test_totals_and_numbers(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 10, price="19.90")
    first = orders.place_order(uow, SYSTEM, draft(("TEE", 3)))
    second = orders.place_order(uow, SYSTEM, draft(("TEE", 1)))
    assert str(first.order.totals.total.amount) == "59.70"
    assert (first.order.number, second.order.number) == ("SO-000001", "SO-000002")


def test_bad_input_is_refused_whole_and_writes_nothing(
    uow: UnitOfWork, container: Container
) -> None:
    stocked(uow, "TEE", 5)
    before = counts(container)
    with pytest.raises(InvalidInput) as refused:
        orders.place_order(uow, SYSTEM, draft(("TEE", 1), ("NOPE", 1)))
    assert [e.field for e in refused.value.errors] == ["lines[1].sku"]
    assert counts(container) == before
    assert stock_of(uow, "TEE") == {"PAR": (5, 0)}


def test_the_same_idempotency_key_returns_the_first_order(
    uow: UnitOfWork, container: Container
) -> None:
    stocked(uow, "TEE", 5)
    first = orders.place_order(uow, SYSTEM, draft(("TEE", 2)), idempotency_key="k-1")
    before = counts(container)
    again = orders.place_order(uow, SYSTEM, draft(("TEE", 2)), idempotency_key="k-1")
    assert (again.created, again.order.id) == (False, first.order.id)
    assert counts(container) == before
    assert stock_of(uow, "TEE") == {"PAR": (5, 2)}


def test_a_reused_key_with_another_body_is_refused(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 5)
    orders.place_order(uow, SYSTEM, draft(("TEE", 2)), idempotency_key="k-1")
    with pytest.raises(IdempotencyKeyReused):
        orders.place_order(uow, SYSTEM, draft(("TEE", 3)), idempotency_key="k-1")


def test_the_same_channel_reference_returns_the_first_order(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 5)
    first = orders.place_order(uow, SYSTEM, draft(("TEE", 2), external_id="shop-1"))
    again = orders.place_order(uow, SYSTEM, draft(("TEE", 2), external_id="shop-1"))
    other = orders.place_order(
        uow, SYSTEM, draft(("TEE", 2), external_id="shop-1", channel="marketplace")
    )
    assert again.order.id == first.order.id and not again.created
    assert other.created and other.order.id != first.order.id


def test_cancelling_releases_every_reservation(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 3, location="PAR")
    stocked(uow, "TEE", 2, location="BER")
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 6)))
    cancelled = orders.cancel_order(uow, SYSTEM, placed.order.id, "customer changed mind")
    line = cancelled.lines[0]
    assert cancelled.status is OrderStatus.CANCELLED
    assert (line.allocated_quantity, line.backordered_quantity, line.cancelled_quantity) == (
        0,
        0,
        6,
    )
    assert stock_of(uow, "TEE") == {"PAR": (3, 0), "BER": (2, 0)}


def test_a_forbidden_transition_is_refused_and_changes_nothing(
    uow: UnitOfWork, container: Container
) -> None:
    stocked(uow, "TEE", 3)
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 1)))
    orders.cancel_order(uow, SYSTEM, placed.order.id, "duplicate")
    before = counts(container)
    for action in (
        lambda: orders.confirm_order(uow, SYSTEM, placed.order.id),
        lambda: orders.hold_order(uow, SYSTEM, placed.order.id, "x"),
        lambda: orders.release_order(uow, SYSTEM, placed.order.id, "x"),
        lambda: orders.cancel_order(uow, SYSTEM, placed.order.id, "again"),
    ):
        with pytest.raises(TransitionNotAllowed):
            action()
    assert counts(container) == before


def test_a_held_order_cannot_be_confirmed_past_its_release(
    uow: UnitOfWork, container: Container
) -> None:
    """Found by the state machine test: confirming an order held while it was being picked
    moved it back to confirmed, and shipping it then failed."""
    from oms.services import picking

    stocked(uow, "TEE", 3)
    order_id = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order.id
    orders.confirm_order(uow, SYSTEM, order_id)
    picking.create_pick_list(uow, SYSTEM, "PAR")
    orders.hold_order(uow, SYSTEM, order_id, "fraud check")
    before = counts(container)
    with pytest.raises(TransitionNotAllowed, match="confirm applies only to an order that is"):
        orders.confirm_order(uow, SYSTEM, order_id)
    assert counts(container) == before
    released = orders.release_order(uow, SYSTEM, order_id, "cleared")
    assert released.status is OrderStatus.PROCESSING


def test_hold_and_release_keep_the_reservation_and_tell_the_timeline(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 3)
    order_id = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order.id
    orders.confirm_order(uow, SYSTEM, order_id)
    held = orders.hold_order(uow, SYSTEM, order_id, "payment review")
    assert held.status is OrderStatus.ON_HOLD
    assert stock_of(uow, "TEE") == {"PAR": (3, 2)}
    released = orders.release_order(uow, SYSTEM, order_id, "paid")
    assert released.status is OrderStatus.CONFIRMED
    timeline = [
        e for e in orders.order_events(uow, SYSTEM, order_id) if e.type.startswith("order.")
    ]
    assert [(e.type, e.from_status, e.to_status) for e in timeline] == [
        ("order.placed", None, "pending"),
        ("order.confirmed", "pending", "confirmed"),
        ("order.sourced", None, None),
        ("order.held", "confirmed", "on_hold"),
        ("order.released", "on_hold", "confirmed"),
    ]
    assert timeline[3].data == {"reason": "payment review"}
    assert {e.actor for e in timeline} == {"system"}


def test_an_unknown_order_is_not_found(uow: UnitOfWork) -> None:
    with pytest.raises(NotFound):
        orders.get_order(uow, SYSTEM, 999)
    with pytest.raises(NotFound):
        orders.confirm_order(uow, SYSTEM, 999)


def test_listing_filters_and_pages_stably(uow: UnitOfWork) -> None:
    from oms.domain.orders.model import Customer

    stocked(uow, "TEE", 100)
    ids = []
    for i in range(7):
        who = Customer(f"c{i}@example.com", "Zoë Müller" if i == 3 else f"Cust {i}")
        d = draft(("TEE", 1), customer=who, channel="pos" if i % 2 else "web")
        ids.append(orders.place_order(uow, SYSTEM, d).order.id)
    seen: list[int] = []
    before = None
    while True:
        page = orders.list_orders(uow, SYSTEM, OrderFilter(before_id=before, limit=3))
        seen += [o.id for o in page]
        if len(page) < 3:
            break
        before = page[-1].id
    assert seen == sorted(ids, reverse=True)
    pos = orders.list_orders(uow, SYSTEM, OrderFilter(channel="pos"))
    assert {o.channel for o in pos} == {"pos"} and len(pos) == 3
    assert [o.id for o in orders.list_orders(uow, SYSTEM, OrderFilter(q="müller"))] == [ids[3]]
    assert [o.id for o in orders.list_orders(uow, SYSTEM, OrderFilter(q="so-000002"))] == [ids[1]]
    by_mail = orders.list_orders(uow, SYSTEM, OrderFilter(customer_email="C5@example.com"))
    assert [o.id for o in by_mail] == [ids[5]]
    orders.confirm_order(uow, SYSTEM, ids[0])
    confirmed = orders.list_orders(uow, SYSTEM, OrderFilter(status="confirmed"))
    assert [o.id for o in confirmed] == [ids[0]]
