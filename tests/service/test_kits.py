"""Kits through the services, on every unit of work: catalogue, availability, placing,
confirming, cancelling, shipping and backorders move the components' stock."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from oms.domain.access import SYSTEM
from oms.domain.errors import Conflict, InvalidInput
from oms.domain.fulfilment.model import Picked
from oms.services import (
    catalogue,
    channel_availability,
    documents,
    holds,
    inventory,
    kits,
    orders,
    picking,
    warehouse,
)
from oms.services.holds import HoldRequest
from oms.services.inventory import StockChange, list_stock
from oms.services.ports import UnitOfWork
from tests.builders import draft, new_product, stocked
from tests.service.kits import make_kit


def levels(uow: UnitOfWork, sku: str) -> dict[str, tuple[int, int]]:
    return {r.location: (r.on_hand, r.reserved) for r in list_stock(uow, SYSTEM, sku=sku)}


def clean(uow: UnitOfWork) -> None:
    assert inventory.verify_stock(uow, SYSTEM) == []


def starter(uow: UnitOfWork, kettles: int = 3, mugs: int = 5, location: str = "PAR") -> None:
    stocked(uow, "KETTLE", kettles, location=location)
    stocked(uow, "MUG", mugs, location=location)
    if uow.run(lambda: uow.products.get("STARTER"), write=False) is None:
        make_kit(uow, "STARTER", ("KETTLE", 1), ("MUG", 2))


def test_a_kit_is_stored_with_its_components(each_uow: UnitOfWork) -> None:
    starter(each_uow)
    kit = catalogue.get_product(each_uow, SYSTEM, "STARTER")
    assert kit.is_kit
    assert [(c.sku, c.quantity) for c in kit.components] == [("KETTLE", 1), ("MUG", 2)]
    assert not catalogue.get_product(each_uow, SYSTEM, "MUG").is_kit


@pytest.mark.parametrize(
    ("parts", "field"),
    [
        ((("NOPE", 1),), "components[0].sku"),
        ((("MUG", 0),), "components[0].quantity"),
        ((("MUG", 1), ("MUG", 2)), "components[1].sku"),
        ((("BOX", 1),), "components[0].sku"),  # BOX itself
        ((("STARTER", 1),), "components[0].sku"),  # a kit inside a kit
    ],
)
def test_a_kit_with_bad_components_is_refused_whole(
    each_uow: UnitOfWork, parts: tuple[tuple[str, int], ...], field: str
) -> None:
    starter(each_uow)
    with pytest.raises(InvalidInput) as refused:
        make_kit(each_uow, "BOX", *parts)
    assert field in [e.field for e in refused.value.errors]
    assert each_uow.run(lambda: each_uow.products.get("BOX"), write=False) is None


def test_a_kit_has_no_stock_of_its_own(each_uow: UnitOfWork) -> None:
    starter(each_uow)
    for change in (
        StockChange("PAR", "STARTER", "count", on_hand=4),
        StockChange("PAR", "STARTER", "delivery", delta=4),
    ):
        with pytest.raises(Conflict, match="kit"):
            if change.on_hand is not None:
                inventory.count_stock(each_uow, SYSTEM, change)
            else:
                inventory.adjust_stock(each_uow, SYSTEM, change)
    assert levels(each_uow, "STARTER") == {}


def test_availability_is_what_the_components_make(each_uow: UnitOfWork) -> None:
    starter(each_uow, kettles=3, mugs=5)  # PAR: min(3/1, 5/2) = 2
    starter(each_uow, kettles=1, mugs=9, location="BER")  # BER: min(1, 4) = 1
    found = kits.product_availability(each_uow, SYSTEM, "STARTER")
    assert [(a.location, a.available) for a in found.locations] == [("BER", 1), ("PAR", 2)]
    assert found.total == 3
    assert each_uow.run(lambda: kits.available(each_uow, ["STARTER", "MUG", "NOPE"])) == {
        "MUG": {"BER": 9, "PAR": 5},
        "STARTER": {"BER": 1, "PAR": 2},
    }


def test_a_channel_s_feed_offers_the_kits_the_components_make_less_holds(
    each_uow: UnitOfWork,
) -> None:
    starter(each_uow, kettles=3, mugs=5)  # PAR: 2 kits
    starter(each_uow, kettles=1, mugs=9, location="BER")  # BER: 1 kit
    feed = channel_availability.channel_availability
    ((sku, units),) = [(i.sku, i.available) for i in feed(each_uow, SYSTEM, "web", "STARTER")]
    assert (sku, units) == ("STARTER", 3)
    holds.create_hold(each_uow, SYSTEM, HoldRequest("web", [("MUG", 9)]))  # kits lose mugs
    (item,) = feed(each_uow, SYSTEM, "web", "STARTER")
    mugs = {r.location: r.available for r in list_stock(each_uow, SYSTEM, sku="MUG")}
    kettles = {r.location: r.available for r in list_stock(each_uow, SYSTEM, sku="KETTLE")}
    assert item.available == sum(min(kettles[loc], mugs[loc] // 2) for loc in mugs) < 3


def test_placing_a_kit_reserves_its_components_in_kit_units(each_uow: UnitOfWork) -> None:
    starter(each_uow, kettles=3, mugs=5)
    placed = orders.place_order(each_uow, SYSTEM, draft(("STARTER", 3)))
    [line] = placed.order.lines
    assert (line.allocated_quantity, line.backordered_quantity) == (2, 1)
    assert levels(each_uow, "KETTLE") == {"PAR": (3, 2)}
    assert levels(each_uow, "MUG") == {"PAR": (5, 4)}
    clean(each_uow)
    orders.cancel_order(each_uow, SYSTEM, placed.order.id, "changed mind")
    assert levels(each_uow, "KETTLE") == {"PAR": (3, 0)}
    assert levels(each_uow, "MUG") == {"PAR": (5, 0)}
    clean(each_uow)


def test_a_kit_ships_complete_from_one_location(each_uow: UnitOfWork) -> None:
    # PAR has the kettle but one mug; BER has mugs but no kettle: no kit anywhere.
    starter(each_uow, kettles=1, mugs=1)
    stocked(each_uow, "MUG", 6, location="BER")
    placed = orders.place_order(each_uow, SYSTEM, draft(("STARTER", 1)))
    assert placed.order.lines[0].backordered_quantity == 1
    assert levels(each_uow, "MUG") == {"PAR": (1, 0), "BER": (6, 0)}
    # A kettle arrives in BER: the kit is filled there, whole.
    stocked(each_uow, "KETTLE", 1, location="BER")
    order = orders.get_order(each_uow, SYSTEM, placed.order.id)
    assert order.lines[0].allocated_quantity == 1
    assert levels(each_uow, "MUG") == {"PAR": (1, 0), "BER": (6, 2)}
    assert levels(each_uow, "KETTLE") == {"PAR": (1, 0), "BER": (1, 1)}
    clean(each_uow)


def test_a_kit_and_a_plain_line_of_one_order_never_take_a_unit_twice(
    each_uow: UnitOfWork,
) -> None:
    starter(each_uow, kettles=2, mugs=4)
    placed = orders.place_order(each_uow, SYSTEM, draft(("MUG", 3), ("STARTER", 2)))
    mug, kit = placed.order.lines
    assert mug.allocated_quantity == 3
    assert (kit.allocated_quantity, kit.backordered_quantity) == (0, 2)
    assert levels(each_uow, "MUG") == {"PAR": (4, 3)}
    clean(each_uow)


def test_backordered_kits_are_filled_in_whole_kits_only(each_uow: UnitOfWork) -> None:
    starter(each_uow, kettles=0, mugs=3)
    placed = orders.place_order(each_uow, SYSTEM, draft(("STARTER", 2)))
    assert placed.order.lines[0].backordered_quantity == 2
    inventory.adjust_stock(each_uow, SYSTEM, StockChange("PAR", "KETTLE", "delivery", delta=2))
    line = orders.get_order(each_uow, SYSTEM, placed.order.id).lines[0]
    # Three mugs make one kit of two mugs: one kit filled, one waits, one mug stays free.
    assert (line.allocated_quantity, line.backordered_quantity) == (1, 1)
    assert levels(each_uow, "MUG") == {"PAR": (3, 2)}
    assert levels(each_uow, "KETTLE") == {"PAR": (2, 1)}
    clean(each_uow)


def test_confirming_picking_packing_and_shipping_a_kit_consumes_its_components(
    each_uow: UnitOfWork,
) -> None:
    starter(each_uow, kettles=3, mugs=5)
    stocked(each_uow, "SPOON", 4)
    placed = orders.place_order(each_uow, SYSTEM, draft(("STARTER", 2), ("SPOON", 1)))
    orders.confirm_order(each_uow, SYSTEM, placed.order.id)
    pick_list = picking.create_pick_list(each_uow, SYSTEM, "PAR")
    [sid] = pick_list.shipment_ids
    units = [("STARTER", 2), ("SPOON", 1)]
    picking.complete_pick_list(
        each_uow, SYSTEM, pick_list.id, [Picked(sid, s, q) for s, q in units]
    )
    warehouse.pack_shipment(each_uow, SYSTEM, sid, units)
    shipped = warehouse.ship_shipment(each_uow, SYSTEM, sid)
    assert {ln.sku: ln.quantity for ln in shipped.lines} == {"STARTER": 2, "SPOON": 1}
    assert levels(each_uow, "KETTLE") == {"PAR": (1, 0)}
    assert levels(each_uow, "MUG") == {"PAR": (1, 0)}
    assert levels(each_uow, "SPOON") == {"PAR": (3, 0)}
    order = orders.get_order(each_uow, SYSTEM, placed.order.id)
    assert [ln.shipped_quantity for ln in order.lines] == [2, 1]
    clean(each_uow)


def test_creating_a_plain_product_is_unchanged(each_uow: UnitOfWork) -> None:
    p = catalogue.create_product(each_uow, SYSTEM, new_product("PLAIN"))
    assert not p.is_kit and p.components == ()


def test_kits_the_order_s_own_lines_crowd_out_are_sourced_elsewhere(
    each_uow: UnitOfWork,
) -> None:
    # Found by the state machine: the plain mug and two kits want 5 mugs of PAR's 4; the
    # kit that no longer fits there comes from BER rather than waiting.
    for location in ("PAR", "BER"):
        starter(each_uow, kettles=4, mugs=4, location=location)
    placed = orders.place_order(each_uow, SYSTEM, draft(("MUG", 1), ("STARTER", 2)))
    mug, kit = placed.order.lines
    assert (mug.allocated_quantity, kit.allocated_quantity, kit.backordered_quantity) == (1, 2, 0)
    mugs = levels(each_uow, "MUG")
    assert sum(r for _, r in mugs.values()) == 5
    clean(each_uow)


def test_the_pick_list_and_packing_slip_say_what_a_kit_holds(uow: UnitOfWork) -> None:
    def text(pdf: bytes) -> str:
        return " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)

    starter(uow, kettles=3, mugs=5)
    placed = orders.place_order(uow, SYSTEM, draft(("STARTER", 2)))
    orders.confirm_order(uow, SYSTEM, placed.order.id)
    pick_list = picking.create_pick_list(uow, SYSTEM, "PAR")
    [sid] = pick_list.shipment_ids
    words = "KIT x2: KETTLE x2, MUG x4"
    assert words in " ".join(text(documents.pick_list_pdf(uow, SYSTEM, pick_list.id)).split())
    assert words in " ".join(text(documents.packing_slip_pdf(uow, SYSTEM, sid)).split())
