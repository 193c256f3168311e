"""Kits through the paths that give units back: a line cancelled, stock counted below
what is reserved, a shipment rejected, a kit returned, lost, on every unit of work."""

from __future__ import annotations

from oms.domain.access import SYSTEM
from oms.domain.fulfilment.model import Picked
from oms.domain.inventory.model import LedgerKind
from oms.domain.returns.model import Inspected
from oms.domain.returns.reasons import ReturnReason
from oms.services import inventory, orders, picking, returns, tracking, warehouse
from oms.services.inventory import StockChange
from oms.services.ports import UnitOfWork
from oms.services.returns import ReceiveReturn
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.service.test_kits import clean, levels, starter
from tests.service.test_returns import CS, DRIVER, WAREHOUSE, ask


def test_cancelling_part_of_a_kit_line_releases_whole_kits(each_uow: UnitOfWork) -> None:
    starter(each_uow, kettles=3, mugs=6)
    placed = orders.place_order(each_uow, SYSTEM, draft(("STARTER", 4)))
    line = placed.order.lines[0]
    assert (line.allocated_quantity, line.backordered_quantity) == (3, 1)
    # Backordered kits go first, then one reserved kit.
    order = orders.cancel_line(
        each_uow, SYSTEM, placed.order.id, orders.CancelLine(line.id, 2, "too many")
    )
    assert (order.lines[0].allocated_quantity, order.lines[0].cancelled_quantity) == (2, 2)
    assert levels(each_uow, "KETTLE") == {"PAR": (3, 2)}
    assert levels(each_uow, "MUG") == {"PAR": (6, 4)}
    clean(each_uow)


def test_a_count_below_reserved_takes_back_whole_kits(each_uow: UnitOfWork) -> None:
    starter(each_uow, kettles=2, mugs=4)
    placed = orders.place_order(each_uow, SYSTEM, draft(("STARTER", 2)))
    # One mug broke: a kit can no longer be made; it goes back to waiting whole.
    inventory.count_stock(each_uow, SYSTEM, StockChange("PAR", "MUG", "broken", on_hand=3))
    line = orders.get_order(each_uow, SYSTEM, placed.order.id).lines[0]
    assert (line.allocated_quantity, line.backordered_quantity) == (1, 1)
    assert levels(each_uow, "MUG") == {"PAR": (3, 2)}
    assert levels(each_uow, "KETTLE") == {"PAR": (2, 1)}
    clean(each_uow)


def test_a_rejected_kit_shipment_is_sourced_whole_elsewhere(each_uow: UnitOfWork) -> None:
    starter(each_uow, kettles=1, mugs=2)
    starter(each_uow, kettles=1, mugs=2, location="BER")
    placed = orders.place_order(each_uow, SYSTEM, draft(("STARTER", 1)))
    orders.confirm_order(each_uow, SYSTEM, placed.order.id)
    detail = orders.order_detail(each_uow, SYSTEM, placed.order.id)
    [s] = detail.shipments
    warehouse.reject_shipment(each_uow, SYSTEM, s.id, "flooded")
    other = "BER" if s.location == "PAR" else "PAR"
    assert levels(each_uow, "MUG")[s.location] == (2, 0)
    assert levels(each_uow, "MUG")[other] == (2, 2)
    assert levels(each_uow, "KETTLE")[other] == (1, 1)
    clean(each_uow)


def test_a_returned_kit_puts_its_components_back(each_uow: UnitOfWork, clock: FakeClock) -> None:
    uow = each_uow
    starter(uow, kettles=2, mugs=4)
    order_id = orders.place_order(uow, SYSTEM, draft(("STARTER", 2))).order.id
    orders.confirm_order(uow, SYSTEM, order_id)
    pick_list = picking.create_pick_list(uow, SYSTEM, "PAR")
    [sid] = pick_list.shipment_ids
    picking.complete_pick_list(uow, SYSTEM, pick_list.id, [Picked(sid, "STARTER", 2)])
    warehouse.pack_shipment(uow, SYSTEM, sid, [("STARTER", 2)])
    shipped = warehouse.ship_shipment(uow, SYSTEM, sid)
    assert levels(uow, "MUG") == {"PAR": (0, 0)}
    clock.advance(days=2)
    event = {"tracking_number": shipped.tracking_number, "status": "delivered", "at": clock.now}
    tracking.record_carrier_event(uow, DRIVER, "oms-post", event)
    r = returns.start_return(uow, CS, order_id, ask(("STARTER", 2)))
    returns.approve_return(uow, CS, r.id)
    returns.receive_return(uow, WAREHOUSE, r.id, ReceiveReturn("PAR", [("STARTER", 2)]))
    returns.inspect_return(uow, WAREHOUSE, r.id, [Inspected("STARTER", 1, 1)])
    # Two kits back: one resellable (1 kettle, 2 mugs), one damaged and written off.
    assert levels(uow, "KETTLE") == {"PAR": (1, 0)}
    assert levels(uow, "MUG") == {"PAR": (2, 0)}
    assert levels(uow, "STARTER") == {}
    kinds = [x.entry.kind for x in inventory.stock_ledger(uow, SYSTEM, "PAR", "MUG")]
    assert LedgerKind.RETURN in kinds and LedgerKind.WRITE_OFF in kinds
    assert ReturnReason.DAMAGED  # the reason `ask` gives
    clean(uow)


def test_shipping_a_kit_with_a_plain_line_of_its_component(each_uow: UnitOfWork) -> None:
    starter(each_uow, kettles=2, mugs=6)
    placed = orders.place_order(each_uow, SYSTEM, draft(("STARTER", 2), ("MUG", 2)))
    assert [ln.allocated_quantity for ln in placed.order.lines] == [2, 2]
    orders.confirm_order(each_uow, SYSTEM, placed.order.id)
    pick_list = picking.create_pick_list(each_uow, SYSTEM, "PAR")
    [sid] = pick_list.shipment_ids
    units = [("STARTER", 2), ("MUG", 2)]
    picking.complete_pick_list(
        each_uow, SYSTEM, pick_list.id, [Picked(sid, s, q) for s, q in units]
    )
    warehouse.pack_shipment(each_uow, SYSTEM, sid, units)
    warehouse.ship_shipment(each_uow, SYSTEM, sid)
    assert levels(each_uow, "MUG") == {"PAR": (0, 0)}
    assert levels(each_uow, "KETTLE") == {"PAR": (0, 0)}
    clean(each_uow)


def test_a_short_picked_kit_is_released_and_sourced_again(each_uow: UnitOfWork) -> None:
    starter(each_uow, kettles=2, mugs=4)
    stocked(each_uow, "KETTLE", 1, location="BER")
    stocked(each_uow, "MUG", 2, location="BER")
    placed = orders.place_order(each_uow, SYSTEM, draft(("STARTER", 2)))
    orders.confirm_order(each_uow, SYSTEM, placed.order.id)
    pick_list = picking.create_pick_list(each_uow, SYSTEM, "PAR")
    [sid] = pick_list.shipment_ids
    picking.complete_pick_list(each_uow, SYSTEM, pick_list.id, [Picked(sid, "STARTER", 1)])
    line = orders.get_order(each_uow, SYSTEM, placed.order.id).lines[0]
    assert line.allocated_quantity == 2
    assert levels(each_uow, "MUG") == {"PAR": (4, 2), "BER": (2, 2)}
    clean(each_uow)
