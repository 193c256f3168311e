"""Refund arithmetic, table-driven and by property: no database, no I/O.

Amounts are in minor units (cents; yen for JPY), as the domain computes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.orders.model import OrderLine
from oms.domain.payments.amounts import spread, to_minor, units_cost
from oms.domain.payments.model import PaymentStatus, payment_status
from oms.domain.payments.refunds import (
    Basis,
    NothingToRefund,
    PricedLine,
    ReturnTerms,
    for_cancelled,
    for_return,
)


def line(
    quantity: int, price: str, discount: str = "0", tax: str = "0", *, line_id: int = 1
) -> OrderLine:
    return OrderLine(
        line_id,
        f"SKU{line_id}",
        line_id,
        quantity,
        Decimal(price),
        shipped_quantity=quantity,
        delivered_quantity=quantity,
        discount=Decimal(discount),
        tax=Decimal(tax),
    )


@pytest.mark.parametrize(
    ("order_line", "currency", "include_tax", "charged"),
    [
        (line(3, "20.00"), "EUR", False, 6000),
        (line(3, "20.00", "3.00"), "EUR", False, 5700),
        (line(3, "20.00", "3.00", "11.40"), "EUR", False, 6840),  # tax added
        (line(3, "20.00", "3.00", "9.50"), "EUR", True, 5700),  # tax inside the price
        (line(2, "1500", "100", "140"), "JPY", False, 3040),  # yen: no decimals
        (line(1, "0.000", tax="0.100"), "KWD", False, 100),  # three decimals
    ],
)
def test_what_a_line_charged(
    order_line: OrderLine, currency: str, include_tax: bool, charged: int
) -> None:
    assert order_line.charged(currency, include_tax) == charged


def basis(*lines: PricedLine, shipping: int = 0, paid: int | None = None, **kw: object) -> Basis:
    paid = sum(x.charged for x in lines) + shipping if paid is None else paid
    return Basis(
        lines=list(lines),
        shipping=shipping,
        paid=paid,
        claimed=kw.get("claimed", 0),  # type: ignore[arg-type]
        refunded_units=kw.get("refunded_units", {}),  # type: ignore[arg-type]
        shipping_refunded=kw.get("shipping_refunded", False),  # type: ignore[arg-type]
    )


def priced(line_id: int, quantity: int, charged: int, cancelled: int = 0) -> PricedLine:
    shipped = quantity - cancelled
    return PricedLine(line_id, f"SKU{line_id}", quantity, charged, cancelled, shipped)


CHOICE = ReturnTerms(sellers_fault=False, customer_pays=True, return_shipping=450)
FAULT = ReturnTerms(sellers_fault=True, customer_pays=False, return_shipping=450)
FREE = ReturnTerms(sellers_fault=False, customer_pays=False, return_shipping=450)


@pytest.mark.parametrize(
    ("name", "b", "units", "terms", "lines", "shipping", "deducted", "capped", "amount"),
    [
        # 3 units for 100.00 (a discount made it uneven): 33.33 each, the last gets a cent more
        ("a third", basis(priced(1, 3, 10000)), {1: 1}, FREE, [3333], 0, 0, 0, 3333),
        ("two thirds", basis(priced(1, 3, 10000)), {1: 2}, FREE, [6666], 0, 0, 0, 6666),
        (
            "the last unit after two",
            basis(priced(1, 3, 10000), refunded_units={1: 2}, claimed=6666),
            {1: 1},
            FREE,
            [3334],
            0,
            0,
            0,
            3334,
        ),
        # the customer's choice: the return parcel (4.50) is theirs to pay
        (
            "return shipping deducted",
            basis(priced(1, 2, 4000)),
            {1: 1},
            CHOICE,
            [2000],
            0,
            450,
            0,
            1550,
        ),
        # the seller's fault, nothing else left: the outbound shipping comes back too
        (
            "seller's fault, last units",
            basis(priced(1, 2, 4000), shipping=495),
            {1: 2},
            FAULT,
            [4000],
            495,
            0,
            0,
            4495,
        ),
        # the seller's fault but another line is still with the customer: no shipping
        (
            "seller's fault, more to come",
            basis(priced(1, 2, 4000), priced(2, 1, 800), shipping=495),
            {1: 2},
            FAULT,
            [4000],
            0,
            0,
            0,
            4000,
        ),
        # a cancelled line counts as gone: the return is the last of the order
        (
            "the rest was cancelled",
            basis(priced(1, 2, 4000), priced(2, 1, 800, cancelled=1), shipping=495, paid=4495),
            {1: 2},
            FAULT,
            [4000],
            495,
            0,
            0,
            4495,
        ),
        # shipping is given back once only
        (
            "shipping already refunded",
            basis(priced(1, 2, 4000), shipping=495, shipping_refunded=True, claimed=495),
            {1: 2},
            FAULT,
            [4000],
            0,
            0,
            0,
            4000,
        ),
        # paid a deposit only: never more than was paid and not refunded
        (
            "capped by the payments",
            basis(priced(1, 2, 4000), paid=1000),
            {1: 2},
            FREE,
            [4000],
            0,
            0,
            3000,
            1000,
        ),
        (
            "capped by earlier refunds",
            basis(priced(1, 2, 4000), paid=4000, claimed=3500),
            {1: 1},
            FREE,
            [2000],
            0,
            0,
            1500,
            500,
        ),
        # the parcel costs more than the refund: nothing, never below zero
        (
            "deduction larger than the refund",
            basis(priced(1, 10, 300)),
            {1: 1},
            CHOICE,
            [30],
            0,
            30,
            0,
            0,
        ),
        # yen: whole units only; 1000 yen over 3 units
        ("yen", basis(priced(1, 3, 1000)), {1: 1}, FREE, [333], 0, 0, 0, 333),
    ],
)
def test_refund_of_a_return(
    name: str,
    b: Basis,
    units: dict[int, int],
    terms: ReturnTerms,
    lines: list[int],
    shipping: int,
    deducted: int,
    capped: int,
    amount: int,
) -> None:
    plan = for_return(b, units, terms)
    assert [x.amount for x in plan.lines] == lines, name
    assert (plan.shipping, plan.deducted, plan.capped, plan.amount) == (
        shipping,
        deducted,
        capped,
        amount,
    ), name


def test_units_cancelled_and_refunded_count_once_for_the_shipping_rule() -> None:
    """3 ordered, 1 cancelled (and refunded), 2 delivered: returning 1 leaves 1 with the
    customer, so the shipping stays; returning both gives it back."""
    b = Basis(
        lines=[priced(1, 3, 3000, cancelled=1)],
        shipping=500,
        paid=3500,
        claimed=1000,
        refunded_units={1: 1},
        shipping_refunded=False,
        returned_units={},
    )
    assert for_return(b, {1: 1}, FAULT).shipping == 0
    assert for_return(b, {1: 2}, FAULT).shipping == 500


def test_more_units_than_remain_unrefunded_are_refused() -> None:
    with pytest.raises(NothingToRefund, match="1 not refunded yet"):
        for_return(basis(priced(1, 2, 4000), refunded_units={1: 1}), {1: 2}, FREE)
    with pytest.raises(NothingToRefund):
        for_return(basis(priced(1, 2, 4000)), {1: 0}, FREE)


def test_cancelled_units_get_shipping_back_only_when_nothing_shipped() -> None:
    whole = basis(
        PricedLine(1, "A", 2, 4000, cancelled=2, shipped=0),
        PricedLine(2, "B", 1, 800, cancelled=1, shipped=0),
        shipping=495,
    )
    assert for_cancelled(whole, {1: 2, 2: 1}).amount == 5295
    part = basis(PricedLine(1, "A", 2, 4000, cancelled=1, shipped=0), shipping=495, paid=4495)
    assert (for_cancelled(part, {1: 1}).amount, for_cancelled(part, {1: 1}).shipping) == (2000, 0)
    after_shipping = basis(
        PricedLine(1, "A", 1, 4000, cancelled=0, shipped=1),
        PricedLine(2, "B", 1, 800, cancelled=1, shipped=0),
        shipping=495,
    )
    assert for_cancelled(after_shipping, {2: 1}).shipping == 0


@pytest.mark.parametrize(
    ("due", "paid", "refunded", "status"),
    [
        ("10.00", "0", "0", PaymentStatus.UNPAID),
        ("10.00", "4.00", "0", PaymentStatus.PARTIALLY_PAID),
        ("10.00", "10.00", "0", PaymentStatus.PAID),
        ("0", "0", "0", PaymentStatus.PAID),  # an exchange: nothing to pay
        ("10.00", "10.00", "3.00", PaymentStatus.PARTIALLY_REFUNDED),
        ("10.00", "10.00", "10.00", PaymentStatus.REFUNDED),
    ],
)
def test_payment_status(due: str, paid: str, refunded: str, status: PaymentStatus) -> None:
    assert payment_status(Decimal(due), Decimal(paid), Decimal(refunded)) is status


def test_to_minor_of_each_currency() -> None:
    assert (to_minor(Decimal("19.90"), "EUR"), to_minor(Decimal(1500), "JPY")) == (1990, 1500)
    assert to_minor(Decimal("1.234"), "KWD") == 1234


# -- properties ---------------------------------------------------------------------------------


@given(
    total=st.integers(0, 10**9),
    quantity=st.integers(1, 50),
    data=st.data(),
)
def test_any_split_of_a_line_adds_up_to_what_it_cost(
    total: int, quantity: int, data: st.DataObject
) -> None:
    """Refunded in any number of goes, the parts sum to the line's cost exactly, and no
    prefix of them ever exceeds it."""
    left, before, parts = quantity, 0, []
    while left:
        n = data.draw(st.integers(1, left))
        part = units_cost(total, quantity, before, n)
        assert abs(part * quantity - total * n) < quantity  # within a minor unit of fair
        parts.append(part)
        before += n
        left -= n
        assert sum(parts) <= total
    assert sum(parts) == total


@given(
    amount=st.integers(0, 10**7),
    weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=20).filter(lambda w: sum(w) > 0),
)
def test_a_spread_discount_adds_up_and_follows_the_weights(amount: int, weights: list[int]) -> None:
    shares = spread(amount, weights)
    assert sum(shares) == amount
    total = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        exact = amount * weight / total
        assert abs(share - exact) < 1  # each within a minor unit of its exact share
        if weight == 0:
            assert share == 0


@given(
    quantity=st.integers(1, 6),
    charged=st.integers(0, 100_000),
    paid_share=st.floats(0, 1),
    splits=st.lists(st.integers(1, 6), min_size=1, max_size=6),
    deduction=st.integers(0, 2000),
)
def test_refunds_of_a_paid_order_never_exceed_what_was_paid(
    quantity: int, charged: int, paid_share: float, splits: list[int], deduction: int
) -> None:
    """Whatever the returns, their order and the deductions, refunds add up to at most the
    payments, and each is 0 or more."""
    paid = int(charged * paid_share)
    claimed, refunded_units = 0, 0
    for n in splits:
        n = min(n, quantity - refunded_units)
        if n <= 0:
            break
        b = basis(
            priced(1, quantity, charged),
            paid=paid,
            claimed=claimed,
            refunded_units={1: refunded_units},
        )
        terms = ReturnTerms(sellers_fault=False, customer_pays=True, return_shipping=deduction)
        plan = for_return(b, {1: n}, terms)
        assert plan.amount >= 0
        claimed += plan.amount
        refunded_units += n
        assert claimed <= paid
