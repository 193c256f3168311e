"""Discounts and tax on an order as the channel sends them: checks, the order discount
spread over the lines at placement, and the totals."""

from __future__ import annotations

from decimal import Decimal

from oms.domain.errors import FieldErrors
from oms.domain.orders.model import (
    DraftLine,
    InitialAllocation,
    Order,
    OrderIdentity,
)
from tests.unit.test_order_model import NOW, draft, product


def priced_errors(*lines: DraftLine, **kw: object) -> dict[str, str]:
    d = draft(*lines, **kw)
    errors = FieldErrors()
    d.check_shape(errors)
    d.priced_lines({line.sku: product(line.sku) for line in lines}, errors)
    return {e.field: e.message for e in errors.errors}


def test_discounts_and_tax_are_checked() -> None:
    assert priced_errors(DraftLine("A", 2, None, Decimal("20.01"))) == {
        "lines[0].discount": "at most 20.00, the line's price before discount"
    }
    bad = priced_errors(
        DraftLine("A", 1, None, Decimal("-1"), Decimal("0.001")), discount=Decimal("-2")
    )
    assert set(bad) == {"lines[0].discount", "lines[0].tax", "discount"}
    too_much = priced_errors(DraftLine("A", 1, None, Decimal("4")), discount=Decimal("6.01"))
    assert too_much == {"discount": "at most 6.00, what the lines cost after discounts"}
    assert priced_errors(DraftLine("A", 1), discount=Decimal("10.00")) == {}


def place(*lines: DraftLine, **kw: object) -> Order:
    d = draft(*lines, **kw)
    errors = FieldErrors()
    currency, priced = d.priced_lines({line.sku: product(line.sku) for line in lines}, errors)
    errors.raise_if_any()
    n = len(lines)
    identity = OrderIdentity(1, "SO-000001", tuple(range(1, n + 1)))
    allocated = InitialAllocation(tuple(q for _, q, _ in priced), (1,))
    return Order.place(identity, d, (currency, priced), allocated, NOW, "token")


def test_an_order_discount_is_spread_over_the_lines_by_what_they_cost() -> None:
    # Lines of 30.00 and 10.00 share a 10.00 voucher 3:1; cents go by largest remainder.
    order = place(
        DraftLine("A", 3),
        DraftLine("B", 1),
        discount=Decimal("10.00"),
        shipping=Decimal("4.95"),
    )
    assert [line.discount for line in order.lines] == [Decimal("7.50"), Decimal("2.50")]
    t = order.totals
    assert (t.subtotal.amount, t.discount.amount, t.total.amount) == (
        Decimal("40.00"),
        Decimal("10.00"),
        Decimal("34.95"),
    )
    odd = place(DraftLine("A", 1), DraftLine("B", 1), DraftLine("C", 1), discount=Decimal("0.10"))
    assert sum(line.discount for line in odd.lines) == Decimal("0.10")
    assert sorted(line.discount for line in odd.lines) == [
        Decimal("0.03"),
        Decimal("0.03"),
        Decimal("0.04"),
    ]


def test_tax_is_added_unless_prices_include_it() -> None:
    excl = place(DraftLine("A", 2, None, Decimal(0), Decimal("4.00")))
    incl = place(DraftLine("A", 2, None, Decimal(0), Decimal("3.33")), prices_include_tax=True)
    assert (excl.totals.tax.amount, excl.totals.total.amount) == (Decimal("4.00"), Decimal("24.00"))
    assert (incl.totals.tax.amount, incl.totals.total.amount) == (Decimal("3.33"), Decimal("20.00"))
    assert incl.due() == Decimal("20.00") and excl.due() == Decimal("24.00")
