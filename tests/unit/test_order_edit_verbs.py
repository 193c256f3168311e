"""The order's edit verbs (domain/orders/edits.py): balances, totals, events, refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.catalogue.model import Product
from oms.domain.errors import Conflict, InvalidInput
from oms.domain.orders.edits import StartedShipment, check_editable
from oms.domain.orders.events import OrderEventType
from oms.domain.orders.model import Address, LineOutOfBalance, Order
from oms.domain.orders.status import OrderStatus
from oms.domain.payments.refunds import Basis, PricedLine, for_edit
from tests.unit.test_order_verbs import placed, quantities

CAP = Product(3, "CAP", "Cap", Decimal("12.00"), "EUR", 100, None)
LYON = Address("Ann", "2 place Bellecour", "Lyon", "69002", "FR")


def test_raising_a_quantity_backorders_the_new_units_and_retotals() -> None:
    order = placed(tee=(5, 3), mug=(2, 2))  # tee 10.00, mug 6.50, shipping 4.90
    order.events.clear()
    assert order.change_line_quantity(11, 7) == 0
    assert quantities(order)[0] == (3, 4, 0, 0, 0, 0)
    assert order.lines[0].quantity == 7
    assert order.totals.total.amount == Decimal("87.90")
    [event] = order.events
    assert event.type is OrderEventType.LINE_QUANTITY_CHANGED
    assert event.data == {
        "line_id": 11,
        "sku": "TEE",
        "quantity": {"from": 5, "to": 7},
        "total": {"from": "67.90", "to": "87.90"},
    }


def test_lowering_a_quantity_takes_backordered_units_first_then_allocated() -> None:
    order = placed(tee=(5, 3))
    assert order.change_line_quantity(11, 4) == 0  # one of the two waiting
    assert quantities(order)[0] == (3, 1, 0, 0, 0, 0)
    assert order.change_line_quantity(11, 2) == 1  # the last waiting one, then one reserved
    assert quantities(order)[0] == (2, 0, 0, 0, 0, 0)


def test_the_same_quantity_records_nothing_and_zero_or_too_many_is_invalid() -> None:
    order = placed()
    order.events.clear()
    assert order.change_line_quantity(11, 5) == 0
    assert order.events == []
    for wrong in (0, -1, 1_000_001):
        with pytest.raises(InvalidInput):
            order.change_line_quantity(11, wrong)
    with pytest.raises(LineOutOfBalance):
        order.change_line_quantity(99, 1)


def test_a_quantity_never_falls_below_what_was_cancelled() -> None:
    order = placed(tee=(5, 3))
    order.cancel_line(11, 3, "customer asked")  # 2 backordered, then 1 allocated
    with pytest.raises(InvalidInput, match="between 3"):
        order.change_line_quantity(11, 2)
    assert order.change_line_quantity(11, 3) == 2
    assert quantities(order)[0] == (0, 0, 0, 3, 0, 0)


def test_discount_and_tax_follow_the_quantity_rounded_down() -> None:
    order = placed()
    line = order.lines[0]
    line.discount, line.tax = Decimal("1.00"), Decimal("2.00")  # for 5 units
    order.change_line_quantity(11, 3)
    assert (line.discount, line.tax) == (Decimal("0.60"), Decimal("1.20"))
    order.change_line_quantity(11, 7)
    assert (line.discount, line.tax) == (Decimal("1.40"), Decimal("2.80"))
    assert order.totals.discount.amount == Decimal("1.40")
    assert order.totals.tax.amount == Decimal("2.80")


def test_adding_a_line_backorders_it_and_one_line_per_product() -> None:
    order = placed()
    order.events.clear()
    order.add_line(13, CAP, 2, (Decimal("11.00"), Decimal("0.50")))
    cap = order.lines[2]
    assert (cap.id, cap.sku, cap.quantity, cap.backordered_quantity) == (13, "CAP", 2, 2)
    assert order.totals.subtotal.amount == Decimal("85.00")
    assert order.events[-1].type is OrderEventType.LINE_ADDED
    assert order.events[-1].data["quantity"] == {"from": 0, "to": 2}
    with pytest.raises(Conflict, match="change that line's quantity"):
        order.add_line(14, CAP, 1, (Decimal("11.00"), Decimal(0)))
    with pytest.raises(InvalidInput):
        order.add_line(
            15, Product(4, "HAT", "Hat", Decimal(1), "EUR", 1, None), 0, (Decimal(1), Decimal(0))
        )
    with pytest.raises(InvalidInput):
        order.add_line(
            15,
            Product(4, "HAT", "Hat", Decimal(1), "EUR", 1, None),
            1,
            (
                Decimal("1.001"),
                Decimal(0),
            ),
        )
    assert len(order.lines) == 3


def test_removing_a_line_keeps_it_with_nothing_open_and_never_the_last() -> None:
    order = placed(tee=(5, 3), mug=(2, 2))
    assert order.remove_line(12) == 2
    assert order.lines[1].quantity == 0 and quantities(order)[1] == (0,) * 6
    assert order.totals.subtotal.amount == Decimal("50.00")
    events = len(order.events)
    assert order.remove_line(12) == 0  # removed already: nothing happens
    assert len(order.events) == events
    with pytest.raises(Conflict, match="cancel the order instead"):
        order.remove_line(11)
    # A product removed may come back as a new line.
    order.add_line(
        13,
        Product(2, "MUG", "Mug", Decimal("6.50"), "EUR", 400, None),
        1,
        (
            Decimal("6.50"),
            Decimal(0),
        ),
    )


def test_address_and_priority_are_checked_and_recorded_old_and_new() -> None:
    order = placed()
    order.events.clear()
    assert order.change_address(LYON) is True
    assert order.change_address(LYON) is False
    [event] = order.events
    assert event.type is OrderEventType.ADDRESS_CHANGED
    assert (event.data["from"]["city"], event.data["to"]["city"]) == ("Paris", "Lyon")
    with pytest.raises(InvalidInput) as refused:
        order.change_address(Address(" ", "x", "y", "1", "XX"))
    assert {e.field for e in refused.value.errors} == {
        "shipping_address.name",
        "shipping_address.country",
    }
    assert order.change_priority(10) is True
    assert order.events[-1].data == {"from": 0, "to": 10}
    with pytest.raises(InvalidInput):
        order.change_priority(101)
    assert order.priority == 10


def test_an_order_is_editable_only_before_picking() -> None:
    order = placed()
    check_editable(order, [])
    order.confirm()
    check_editable(order, [])
    order.hold("payment check")
    check_editable(order, [])
    with pytest.raises(Conflict, match="picking has started"):
        check_editable(order, [StartedShipment(4, "PAR", "picking")])
    order.release("ok")
    order.start_processing()
    with pytest.raises(Conflict, match="processing"):
        check_editable(order, [])
    cancelled = placed()
    cancelled.cancel("gone")
    with pytest.raises(Conflict, match="cancelled"):
        check_editable(cancelled, [])
    assert order.status is OrderStatus.PROCESSING


def test_an_edit_refund_is_what_was_paid_beyond_the_new_cost() -> None:
    lines = [PricedLine(11, "TEE", 2, 2000, 0, 0)]
    basis = Basis(lines, 490, paid=3490, claimed=0, refunded_units={}, shipping_refunded=False)
    plan = for_edit(basis, {11: 1000}, due=2490)
    assert plan is not None and plan.amount == 1000
    assert [(x.quantity, x.amount) for x in plan.lines] == [(0, 1000)]
    partly = Basis(lines, 490, paid=2990, claimed=0, refunded_units={}, shipping_refunded=False)
    plan = for_edit(partly, {11: 1000}, due=2490)
    assert plan is not None and (plan.amount, plan.capped) == (500, 500)
    unpaid = Basis(lines, 490, paid=0, claimed=0, refunded_units={}, shipping_refunded=False)
    assert for_edit(unpaid, {11: 1000}, due=2490) is None
    assert for_edit(basis, {}, due=2490) is None


EDITS = st.sampled_from(["quantity", "add", "remove", "cancel_line", "fill", "take_back"])


@given(st.lists(st.tuples(EDITS, st.sampled_from([11, 12, 13]), st.integers(-2, 8)), max_size=25))
def test_no_sequence_of_edits_and_verbs_unbalances_a_line_or_the_totals(
    steps: list[tuple[str, int, int]],
) -> None:
    """Edits mixed with stock verbs: every line stays balanced, a refused step changes
    nothing, and the totals are always the sum of the lines."""
    order = placed(tee=(6, 2), mug=(4, 4))
    for verb, line_id, n in steps:
        before = (quantities(order), [ln.quantity for ln in order.lines])
        try:
            _apply(order, verb, line_id, n)
        except (LineOutOfBalance, InvalidInput, Conflict):
            assert (quantities(order), [ln.quantity for ln in order.lines]) == before
        assert all(ln.is_balanced() for ln in order.lines)
        assert order.totals.subtotal.amount == sum(
            (ln.unit_price * ln.quantity for ln in order.lines), Decimal(0)
        )


def _apply(order: Order, verb: str, line_id: int, n: int) -> None:
    if verb == "quantity":
        order.change_line_quantity(line_id, n)
    elif verb == "add":
        order.add_line(line_id, CAP, n, (CAP.price, Decimal(0)))
    elif verb == "remove":
        order.remove_line(line_id)
    elif verb == "cancel_line":
        order.cancel_line(line_id, n, "customer asked")
    elif verb == "fill":
        order.fill_backorders({line_id: n}, [])
    else:
        order.take_back({line_id: n}, "count", [])
