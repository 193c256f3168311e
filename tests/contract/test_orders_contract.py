"""The order repository's contract: identities, repeats refused, the version check, events
stamped with actor and time, search, backorders and waiting orders."""

from __future__ import annotations

import pytest

from oms.domain.errors import ConcurrentUpdate
from oms.domain.orders.model import Customer, Order
from oms.domain.orders.status import OrderStatus
from oms.services.ports import UnitOfWork
from oms.services.ports.orders import OrderAlreadyPlaced, OrderFilter
from tests.conftest import FakeClock
from tests.contract.seed import order, product


@pytest.fixture
def catalogue(each_uow: UnitOfWork) -> UnitOfWork:
    for sku in ("TEE", "MUG"):
        product(each_uow, sku)
    return each_uow


def get(uow: UnitOfWork, order_id: int) -> Order:
    found = uow.run(lambda: uow.orders.get(order_id, lock=True))
    assert found is not None
    return found


def test_identities_are_new_each_time(catalogue: UnitOfWork) -> None:
    first = order(catalogue, ("TEE", 1), ("MUG", 2))
    second = order(catalogue, ("TEE", 1))
    assert (first.number, second.number) == ("SO-000001", "SO-000002")
    assert second.id > first.id
    assert min(line.id for line in second.lines) > max(line.id for line in first.lines)


def test_an_added_order_reads_back_equal(catalogue: UnitOfWork) -> None:
    placed = order(catalogue, ("TEE", 2), ("MUG", 1), customer=Customer("Ann@Example.com", "Ann"))
    stored = get(catalogue, placed.id)
    assert stored.customer.email == "ann@example.com"  # kept in lower case
    placed.customer = stored.customer
    assert stored == placed and not stored.events
    assert catalogue.run(lambda: catalogue.orders.get(999)) is None


def test_a_repeated_key_or_channel_reference_is_refused(catalogue: UnitOfWork) -> None:
    first = order(catalogue, ("TEE", 1), key="k-1", external_id="web-1")
    with pytest.raises(OrderAlreadyPlaced):
        order(catalogue, ("TEE", 1), key="k-1")
    with pytest.raises(OrderAlreadyPlaced):
        order(catalogue, ("TEE", 1), external_id="web-1")
    other_channel = order(catalogue, ("TEE", 1), external_id="web-1", channel="pos")
    find = catalogue.orders.find_placed
    by_key = catalogue.run(lambda: find("k-1", "x", None))
    assert by_key is not None and (by_key.id, by_key.by_key) == (first.id, True)
    assert by_key.request_hash == f"hash-{first.id}"
    by_ref = catalogue.run(lambda: find(None, "pos", "web-1"))
    assert by_ref is not None and (by_ref.id, by_ref.by_key) == (other_channel.id, False)
    assert catalogue.run(lambda: find("k-2", "web", "web-2")) is None
    assert catalogue.run(lambda: find(None, "web", None)) is None


def test_save_stores_status_and_quantities_and_bumps_the_version(
    catalogue: UnitOfWork, clock: FakeClock
) -> None:
    placed = order(catalogue, ("TEE", 2))
    loaded = get(catalogue, placed.id)
    loaded.confirm()
    loaded.lines[0].allocated_quantity, loaded.lines[0].backordered_quantity = 1, 1
    clock.advance(minutes=5)
    catalogue.run(lambda: catalogue.orders.save(loaded, "ann", clock.now))
    assert (loaded.version, loaded.updated_at, loaded.events) == (2, clock.now, [])
    stored = get(catalogue, placed.id)
    assert stored.status is OrderStatus.CONFIRMED and stored.version == 2
    assert (stored.lines[0].allocated_quantity, stored.lines[0].backordered_quantity) == (1, 1)
    assert stored.updated_at == clock.now


def test_a_stale_save_is_a_concurrent_update(catalogue: UnitOfWork) -> None:
    placed = order(catalogue, ("TEE", 2))
    first, second = get(catalogue, placed.id), get(catalogue, placed.id)
    first.confirm()
    catalogue.run(lambda: catalogue.orders.save(first, "ann", catalogue.now()))
    second.hold("x")
    with pytest.raises(ConcurrentUpdate):
        catalogue.run(lambda: catalogue.orders.save(second, "bob", catalogue.now()))
    assert get(catalogue, placed.id).status is OrderStatus.CONFIRMED
    placed.id = 999
    with pytest.raises(ConcurrentUpdate):
        catalogue.run(lambda: catalogue.orders.save(placed, "bob", catalogue.now()))


def test_events_are_stamped_with_actor_and_time_in_order(
    catalogue: UnitOfWork, clock: FakeClock
) -> None:
    placed = order(catalogue, ("TEE", 2))
    loaded = get(catalogue, placed.id)
    loaded.hold("payment review")
    clock.advance(hours=1)
    catalogue.run(lambda: catalogue.orders.save(loaded, "ann", clock.now))
    events = catalogue.run(lambda: catalogue.orders.events(placed.id))
    assert [(e.type, e.from_status, e.to_status, e.actor) for e in events] == [
        ("order.placed", None, "pending", "tester"),
        ("order.held", "pending", "on_hold", "ann"),
    ]
    assert events[1].at == clock.now and events[1].data == {"reason": "payment review"}
    assert events[0].id < events[1].id and events[0].order_id == placed.id
    assert catalogue.run(lambda: catalogue.orders.events(999)) == []


def test_tracking_tokens_find_their_order(catalogue: UnitOfWork) -> None:
    placed = order(catalogue, ("TEE", 1))
    find = catalogue.orders.id_by_tracking_token
    assert catalogue.run(lambda: find(placed.tracking_token)) == placed.id
    assert catalogue.run(lambda: find("nope")) is None


def test_search_filters_and_pages_newest_first(catalogue: UnitOfWork) -> None:
    ids = [
        order(
            catalogue,
            ("TEE", 1),
            channel="pos" if i % 2 else "web",
            customer=Customer(f"c{i}@example.com", "Zoë Müller" if i == 3 else f"Cust {i}"),
        ).id
        for i in range(5)
    ]

    def search(**kw: object) -> list[int]:
        flt = OrderFilter(**kw)  # type: ignore[arg-type]
        return [o.id for o in catalogue.run(lambda: catalogue.orders.search(flt))]

    assert search() == ids[::-1]
    assert search(limit=2) == [ids[4], ids[3]]
    assert search(before_id=ids[3], limit=2) == [ids[2], ids[1]]
    assert search(channel="pos") == [ids[3], ids[1]]
    assert search(customer_email="C2@Example.com") == [ids[2]]
    assert search(q=" müller ") == [ids[3]]
    assert search(q="so-000002") == [ids[1]]
    assert search(q=" SO-2 ") == [ids[1]]  # the number as people type it
    assert search(q="C4@Example.com") == [ids[4]]
    assert search(q="c4") == []  # part of an email is not a name
    assert search(q="c4@example.com") == [ids[4]]
    assert search(status="confirmed") == []
    assert search(status="pending", channel="web", limit=1) == [ids[4]]
    orders = catalogue.run(lambda: catalogue.orders.search(OrderFilter(limit=1)))
    assert orders[0] == get(catalogue, ids[4])


def test_backorders_and_waiting_orders_are_open_lines_that_wait(catalogue: UnitOfWork) -> None:
    tee = catalogue.run(lambda: catalogue.products.get("TEE"))
    assert tee is not None
    waiting = order(catalogue, ("TEE", 2), ("MUG", 1), priority=5)
    served = order(catalogue, ("TEE", 1), allocated=(1,))
    cancelled = get(catalogue, order(catalogue, ("TEE", 3)).id)
    cancelled.cancel("changed mind")
    catalogue.run(lambda: catalogue.orders.save(cancelled, "ann", catalogue.now()))
    found = catalogue.run(lambda: catalogue.orders.backorders([tee.id]))
    assert [(b.order_id, b.line_key, b.quantity, b.priority) for b in found] == [
        (waiting.id, waiting.lines[0].id, 2, 5)
    ]
    assert found[0].placed_at == waiting.created_at and found[0].product_id == tee.id
    assert catalogue.run(lambda: catalogue.orders.backorders([])) == []
    assert catalogue.run(lambda: catalogue.orders.waiting_orders()) == [waiting.id]
    assert served.id not in catalogue.run(lambda: catalogue.orders.waiting_orders())


def test_search_finds_a_phone_and_an_external_id_each_on_its_own_index(
    catalogue: UnitOfWork,
) -> None:
    """Customer service's searches: a phone however it is written, an external id exactly
    as the channel sent it, and a word that may be a name or an external id, both."""
    ann = order(
        catalogue,
        ("TEE", 1),
        customer=Customer("ann@example.com", "Ann Abel", "+33 6 12-34-56.78"),
        external_id="#1001",
    ).id
    bob = order(
        catalogue,
        ("TEE", 1),
        channel="marketplace",
        customer=Customer("bob@example.com", "Bob Berg", "(030) 123 456"),
        external_id="AMZ-123-456",
    ).id
    cid = order(catalogue, ("TEE", 1), customer=Customer("cid@example.com", "Cid"))
    dan = order(
        catalogue, ("TEE", 1), customer=Customer("dan@example.com", "Dan"), external_id="123456"
    ).id
    eve = order(
        catalogue, ("TEE", 1), customer=Customer("eve@example.com", "Eve"), external_id="Anna"
    ).id

    def search(q: str) -> list[int]:
        flt = OrderFilter(q=q)
        return [o.id for o in catalogue.run(lambda: catalogue.orders.search(flt))]

    assert get(catalogue, ann).customer.phone == "+33612345678"  # stored normalised
    assert get(catalogue, bob).customer.phone == "030123456"
    assert cid.customer.phone is None
    assert search("+33612345678") == [ann]
    assert search(" +33 (6) 12 34 56 78 ") == [ann]
    assert search("030-123-456") == [bob]
    assert search("33612345678") == [ann]  # no +: the last digits of a number
    assert search("#1001") == [ann]
    assert search("1001") == []  # exact: the channel's id is "#1001"
    assert search("AMZ-123-456") == [bob]
    assert search("amz-123-456") == []
    assert search("123456") == [dan, bob]  # an external id, and the end of Bob's phone
    assert search("Anna") == [eve]  # no one's name has "anna" in it: Eve's id
    assert search("ann") == [ann]  # part of a name, not an external id
    assert search("Ann Abel") == [ann]


def test_an_edited_order_reads_back_equal_new_lines_and_header_included(
    catalogue: UnitOfWork,
) -> None:
    """What an edit changes (a line's quantity, discount and tax, a new line, the address,
    the priority, the totals) is stored by add_lines and save, on every implementation."""
    from decimal import Decimal

    from oms.domain.orders.model import Address

    placed = order(catalogue, ("TEE", 2))
    mug = catalogue.run(lambda: catalogue.products.get("MUG"))
    assert mug is not None
    moved = Address("Ann", "2 place Bellecour", "Lyon", "69002", "FR", "3e étage")

    def edit() -> Order:
        o = get(catalogue, placed.id)
        o.lines[0].tax = Decimal("1.00")
        o.change_line_quantity(o.lines[0].id, 4)
        (line_id,) = catalogue.orders.next_line_ids(1)
        assert line_id > max(ln.id for ln in o.lines)
        o.add_line(line_id, mug, 3, (Decimal("6.50"), Decimal("0.30")))
        catalogue.orders.add_lines(o, [line_id])
        o.change_address(moved)
        o.change_priority(-7)
        catalogue.orders.save(o, "carla", catalogue.now())
        return o

    edited = catalogue.run(edit)
    stored = get(catalogue, placed.id)
    assert [(ln.sku, ln.quantity, ln.backordered_quantity, ln.tax) for ln in stored.lines] == [
        ("TEE", 4, 4, Decimal("2.00")),
        ("MUG", 3, 3, Decimal("0.30")),
    ]
    assert (stored.shipping_address, stored.priority) == (moved, -7)
    assert stored.totals == edited.totals
    assert stored.version == edited.version
