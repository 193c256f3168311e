"""Checkout holds on every database: what they keep, how orders take them, how they end."""

from __future__ import annotations

import pytest

from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from oms.domain.inventory.holds import HoldNotUsable, HoldRequest
from oms.services import channel_availability, holds, inventory, orders
from oms.services.inventory import StockChange
from oms.services.ports import UnitOfWork
from tests.builders import draft, stocked
from tests.conftest import FakeClock


def hold(uow: UnitOfWork, *lines: tuple[str, int], channel: str = "web", secs: int | None = None):  # type: ignore[no-untyped-def]
    return holds.create_hold(uow, SYSTEM, HoldRequest(channel, list(lines), secs))


def row(uow: UnitOfWork, sku: str, location: str = "PAR") -> tuple[int, int, int, int]:
    (r,) = inventory.list_stock(uow, SYSTEM, sku=sku, location=location)
    return r.on_hand, r.reserved, r.held, r.available


def feed(uow: UnitOfWork, sku: str, channel: str = "web") -> int:
    (item,) = channel_availability.channel_availability(uow, SYSTEM, channel, sku)
    return item.available


def test_a_hold_takes_units_out_of_available_at_once(uow: UnitOfWork, clock: FakeClock) -> None:
    stocked(uow, "TEE", 5)
    h = hold(uow, ("TEE", 3))
    assert [(x.sku, x.quantity, x.held_quantity) for x in h.lines] == [("TEE", 3, 3)]
    assert h.expires_at == clock.now.replace() + (h.expires_at - clock.now)
    assert (h.expires_at - clock.now).total_seconds() == 15 * 60
    assert row(uow, "TEE") == (5, 0, 3, 2)
    assert feed(uow, "TEE") == 2
    # An order without the hold gets only what is not held; the rest is backordered.
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 4))).order
    assert (placed.lines[0].allocated_quantity, placed.lines[0].backordered_quantity) == (2, 2)
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_a_hold_keeps_what_there_is_and_never_backorders(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 2)
    stocked(uow, "CAP", 0)
    h = hold(uow, ("TEE", 5), ("CAP", 1), secs=60)
    assert [(x.sku, x.quantity, x.held_quantity) for x in h.lines] == [
        ("TEE", 5, 2),
        ("CAP", 1, 0),
    ]
    assert row(uow, "TEE") == (2, 0, 2, 0)


def test_a_hold_past_its_expiry_holds_nothing_without_any_worker(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stocked(uow, "TEE", 5)
    hold(uow, ("TEE", 4), secs=120)
    clock.advance(seconds=119)
    assert row(uow, "TEE")[2:] == (4, 1)
    clock.advance(seconds=1)
    assert row(uow, "TEE")[2:] == (0, 5)
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 5))).order
    assert placed.lines[0].allocated_quantity == 5


def test_an_order_with_the_hold_takes_its_units_and_the_hold_is_gone(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 3)
    stocked(uow, "CAP", 10)
    h = hold(uow, ("TEE", 3))
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 3), ("CAP", 2), hold_id=h.id)).order
    assert [(ln.allocated_quantity, ln.backordered_quantity) for ln in placed.lines] == [
        (3, 0),
        (2, 0),
    ]
    assert row(uow, "TEE") == (3, 3, 0, 0)
    with pytest.raises(HoldNotUsable):
        orders.place_order(uow, SYSTEM, draft(("TEE", 1), hold_id=h.id))
    with pytest.raises(Conflict):
        holds.release_hold(uow, SYSTEM, h.id)
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_lines_beyond_the_hold_are_placed_as_usual(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 4)
    h = hold(uow, ("TEE", 2))
    placed = orders.place_order(uow, SYSTEM, draft(("TEE", 5), hold_id=h.id)).order
    assert (placed.lines[0].allocated_quantity, placed.lines[0].backordered_quantity) == (4, 1)


def test_units_the_order_did_not_want_are_free_again(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 4)
    h = hold(uow, ("TEE", 4))
    orders.place_order(uow, SYSTEM, draft(("TEE", 1), hold_id=h.id))
    assert row(uow, "TEE") == (4, 1, 0, 3)


def test_an_expired_unknown_or_foreign_hold_is_refused_and_nothing_is_placed(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stocked(uow, "TEE", 4)
    h = hold(uow, ("TEE", 2), secs=10)
    with pytest.raises(InvalidInput) as foreign:
        orders.place_order(uow, SYSTEM, draft(("TEE", 1), channel="market", hold_id=h.id))
    assert foreign.value.errors[0].field == "hold_id"
    with pytest.raises(InvalidInput):
        orders.place_order(uow, SYSTEM, draft(("TEE", 1), hold_id=h.id + 1000))
    clock.advance(seconds=10)
    with pytest.raises(HoldNotUsable):
        orders.place_order(uow, SYSTEM, draft(("TEE", 1), hold_id=h.id))
    assert row(uow, "TEE") == (4, 0, 0, 4)
    assert orders.list_orders(uow, SYSTEM, orders.OrderFilter()) == []


def test_a_retry_of_an_order_that_took_its_hold_returns_the_first_order(
    uow: UnitOfWork,
) -> None:
    stocked(uow, "TEE", 4)
    h = hold(uow, ("TEE", 2))
    first = orders.place_order(uow, SYSTEM, draft(("TEE", 2), hold_id=h.id), "key-1")
    again = orders.place_order(uow, SYSTEM, draft(("TEE", 2), hold_id=h.id), "key-1")
    assert (again.order.id, again.created) == (first.order.id, False)
    assert row(uow, "TEE") == (4, 2, 0, 2)


def test_releasing_a_hold_frees_its_units_for_waiting_orders(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 2)
    h = hold(uow, ("TEE", 2))
    waiting = orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order
    assert waiting.lines[0].backordered_quantity == 1
    holds.release_hold(uow, SYSTEM, h.id)
    holds.release_hold(uow, SYSTEM, h.id)  # a repeat changes nothing
    assert orders.get_order(uow, SYSTEM, waiting.id).lines[0].allocated_quantity == 1
    assert row(uow, "TEE") == (2, 1, 0, 1)
    with pytest.raises(NotFound):
        holds.release_hold(uow, SYSTEM, h.id + 1000)


def test_the_sweep_gives_expired_units_to_backorders(uow: UnitOfWork, clock: FakeClock) -> None:
    stocked(uow, "TEE", 2)
    hold(uow, ("TEE", 2), secs=60)
    waiting = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order
    clock.advance(seconds=61)
    assert holds.sweep_expired(uow) == 1
    assert orders.get_order(uow, SYSTEM, waiting.id).lines[0].allocated_quantity == 2
    assert holds.sweep_expired(uow) == 0


def test_the_next_hold_on_the_product_serves_backorders_first(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stocked(uow, "TEE", 2)
    hold(uow, ("TEE", 2), secs=60)
    waiting = orders.place_order(uow, SYSTEM, draft(("TEE", 1))).order
    clock.advance(seconds=61)
    later = hold(uow, ("TEE", 2))
    assert later.lines[0].held_quantity == 1
    assert orders.get_order(uow, SYSTEM, waiting.id).lines[0].allocated_quantity == 1


def test_stock_counted_below_reserved_and_held_makes_the_newest_hold_give_way(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stocked(uow, "TEE", 6)
    orders.place_order(uow, SYSTEM, draft(("TEE", 2)))
    hold(uow, ("TEE", 2))
    clock.advance(seconds=1)
    hold(uow, ("TEE", 2))
    inventory.count_stock(uow, SYSTEM, StockChange("PAR", "TEE", "count", on_hand=5))
    assert row(uow, "TEE") == (5, 2, 3, 0)
    inventory.adjust_stock(uow, SYSTEM, StockChange("PAR", "TEE", "broken", delta=-2))
    assert row(uow, "TEE") == (3, 2, 1, 0)
    assert inventory.verify_stock(uow, SYSTEM) == []


def test_hold_requests_are_checked_whole(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 2)
    with pytest.raises(InvalidInput) as refused:
        holds.create_hold(uow, SYSTEM, HoldRequest(" ", [("TEE", 0), ("TEE", 1), ("NOPE", 1)], 0))
    fields = {e.field for e in refused.value.errors}
    assert fields == {"channel", "lines[0].quantity", "lines[1].sku", "expires_in"}
    with pytest.raises(InvalidInput) as unknown:
        hold(uow, ("NOPE", 1))
    assert unknown.value.errors[0].field == "lines[0].sku"


def test_who_may_hold_and_read_the_feed(uow: UnitOfWork) -> None:
    stocked(uow, "TEE", 2)
    with pytest.raises(PermissionDenied):
        holds.create_hold(uow, Actor("w", Role.WAREHOUSE), HoldRequest("web", [("TEE", 1)]))
    with pytest.raises(PermissionDenied):
        channel_availability.channel_availability(uow, Actor("w", Role.WAREHOUSE), "web")
    assert holds.create_hold(uow, Actor("s", Role.SALES), HoldRequest("web", [("TEE", 1)]))
    assert channel_availability.channel_availability(uow, Actor("a", Role.ANALYST), "web")


def test_the_feed_pages_the_catalogue_by_sku(uow: UnitOfWork) -> None:
    for i, sku in enumerate(["A1", "B2", "C3"]):
        stocked(uow, sku, i + 1)
    first = channel_availability.channel_availability(uow, SYSTEM, "web", page=(None, 2))
    assert [(s.sku, s.available) for s in first] == [("A1", 1), ("B2", 2)]
    rest = channel_availability.channel_availability(uow, SYSTEM, "web", page=("B2", 2))
    assert [(s.sku, s.available) for s in rest] == [("C3", 3)]
    with pytest.raises(NotFound):
        channel_availability.channel_availability(uow, SYSTEM, "web", "NOPE")


def test_releasing_an_expired_hold_still_serves_waiting_orders(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stocked(uow, "TEE", 2)
    h = hold(uow, ("TEE", 2), secs=60)
    waiting = orders.place_order(uow, SYSTEM, draft(("TEE", 2))).order
    clock.advance(seconds=61)
    holds.release_hold(uow, SYSTEM, h.id)
    assert orders.get_order(uow, SYSTEM, waiting.id).lines[0].allocated_quantity == 2
