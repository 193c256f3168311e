"""The order aggregate: shape checks, totals and the verbs that move its status."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from oms.domain.catalogue.model import Product
from oms.domain.errors import FieldErrors, InvalidInput, TransitionNotAllowed
from oms.domain.money import Money
from oms.domain.orders.events import OrderEventType
from oms.domain.orders.model import (
    Address,
    Customer,
    DraftLine,
    Order,
    OrderDraft,
    OrderLine,
    compute_totals,
)
from oms.domain.orders.status import OrderStatus

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
ADDRESS = Address("Ann", "1 rue", "Paris", "75002", "FR")


def draft(*lines: DraftLine, **kw: object) -> OrderDraft:
    return OrderDraft(
        channel=kw.pop("channel", "web"),  # type: ignore[arg-type]
        customer=kw.pop("customer", Customer("ann@example.com", "Ann")),  # type: ignore[arg-type]
        shipping_address=kw.pop("address", ADDRESS),  # type: ignore[arg-type]
        lines=list(lines),
        **kw,  # type: ignore[arg-type]
    )


def shape_errors(d: OrderDraft) -> dict[str, str]:
    errors = FieldErrors()
    d.check_shape(errors)
    return {e.field: e.message for e in errors.errors}


def test_a_good_draft_has_no_shape_errors() -> None:
    assert shape_errors(draft(DraftLine("A", 1), DraftLine("B", 2))) == {}


def test_every_broken_rule_is_reported_at_once() -> None:
    bad = draft(
        DraftLine("A", 0),
        DraftLine("A", -1),
        customer=Customer("not-an-email", " "),
        currency="XXX",
        address=Address("", "1 rue", "Paris", "75002", "ZZ"),
    )
    errors = shape_errors(bad)
    assert set(errors) >= {
        "customer.email",
        "customer.name",
        "currency",
        "shipping_address.name",
        "shipping_address.country",
        "lines[0].quantity",
        "lines[1].quantity",
        "lines[1].sku",
    }


def test_an_order_without_lines_is_refused() -> None:
    assert "lines" in shape_errors(draft())


def test_a_repeated_sku_is_refused_not_merged() -> None:
    errors = shape_errors(draft(DraftLine("A", 1), DraftLine("A", 2)))
    assert "repeats line 0" in errors["lines[1].sku"]


def product(sku: str, price: str = "10.00", currency: str = "EUR") -> Product:
    return Product(1, sku, sku, Decimal(price), currency, None, None)


def test_unknown_skus_and_foreign_prices_are_reported() -> None:
    errors = FieldErrors()
    d = draft(DraftLine("A", 1), DraftLine("NOPE", 1), DraftLine("USD", 1), currency="EUR")
    d.priced_lines({"A": product("A"), "USD": product("USD", currency="USD")}, errors)
    fields = {e.field for e in errors.errors}
    assert fields == {"lines[1].sku", "lines[2].unit_price"}


def test_prices_default_to_the_catalogue_and_currency_to_the_first_product() -> None:
    errors = FieldErrors()
    d = draft(DraftLine("A", 2), DraftLine("B", 1, Decimal("5.50")))
    currency, priced = d.priced_lines({"A": product("A", "19.90"), "B": product("B")}, errors)
    assert errors.errors == []
    assert currency == "EUR"
    assert [(q, p) for _, q, p in priced] == [(2, Decimal("19.90")), (1, Decimal("5.50"))]


def test_a_price_finer_than_the_currency_is_refused() -> None:
    errors = FieldErrors()
    draft(DraftLine("A", 1, Decimal("1.001"))).priced_lines({"A": product("A")}, errors)
    assert [e.field for e in errors.errors] == ["lines[0].unit_price"]


def test_totals_are_computed_in_decimal() -> None:
    totals = compute_totals(
        "EUR",
        [
            (3, Decimal("0.10"), Decimal(0), Decimal(0)),
            (1, Decimal("19.90"), Decimal(0), Decimal(0)),
        ],
        Decimal("4.95"),
    )
    assert totals.subtotal == Money(Decimal("20.20"), "EUR")
    assert totals.total == Money(Decimal("25.15"), "EUR")
    assert totals.tax == Money.zero("EUR")


def order(status: OrderStatus = OrderStatus.PENDING) -> Order:
    totals = compute_totals("EUR", [(2, Decimal(10), Decimal(0), Decimal(0))], Decimal(0))
    line = OrderLine(7, "A", 1, 5, Decimal(10), allocated_quantity=3, backordered_quantity=2)
    return Order(
        1,
        "SO-000001",
        "web",
        None,
        status,
        Customer("a@b.co", "A"),
        ADDRESS,
        "EUR",
        0,
        totals,
        NOW,
        NOW,
        lines=[line],
    )


def test_confirm_records_an_event_from_and_to() -> None:
    o = order()
    o.confirm()
    assert o.status is OrderStatus.CONFIRMED
    assert [(e.type, e.from_status, e.to_status) for e in o.events] == [
        (OrderEventType.CONFIRMED, OrderStatus.PENDING, OrderStatus.CONFIRMED)
    ]


def test_release_returns_to_the_status_the_order_was_held_from() -> None:
    o = order(OrderStatus.CONFIRMED)
    o.hold("payment review")
    assert (o.status, o.held_from) == (OrderStatus.ON_HOLD, OrderStatus.CONFIRMED)
    o.release("paid")
    assert (o.status, o.held_from) == (OrderStatus.CONFIRMED, None)
    assert o.events[0].data == {"reason": "payment review"}


def test_releasing_an_order_that_is_not_on_hold_is_refused() -> None:
    o = order()
    with pytest.raises(TransitionNotAllowed, match="applies only to an order that is on_hold"):
        o.release("why")
    assert o.events == []


def test_cancel_cancels_every_open_unit_and_says_what_to_release() -> None:
    o = order()
    assert o.cancel("customer asked") == {7: 3}
    line = o.lines[0]
    assert (line.allocated_quantity, line.backordered_quantity, line.cancelled_quantity) == (
        0,
        0,
        5,
    )
    assert line.is_balanced()


def test_a_refused_transition_changes_nothing() -> None:
    o = order(OrderStatus.CANCELLED)
    with pytest.raises(TransitionNotAllowed):
        o.confirm()
    assert o.status is OrderStatus.CANCELLED and o.events == []


def test_invalid_input_lists_its_fields() -> None:
    error = InvalidInput([])
    assert error.errors == []
