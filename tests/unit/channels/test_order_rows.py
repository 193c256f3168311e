"""Rows of a CSV into orders, without a database: the layout and its mapping, grouping,
one bad row refusing its order with row and column, merged lines, scattered orders."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.domain.channels.order_rows import (
    Layout,
    MappingError,
    OrderFromRows,
    Row,
    RowError,
    group,
    read_order,
    scattered,
)

HEADER = ["external_id", "sku", "quantity", "unit_price", "customer_email", "customer_name",
          "ship_line1", "ship_city", "ship_postal_code", "ship_country"]  # fmt: skip
BASE = {"customer_email": "a@b.fr", "customer_name": "Ann", "ship_line1": "1 rue",
        "ship_city": "Lyon", "ship_postal_code": "69001", "ship_country": "FR"}  # fmt: skip


def rows(*lines: dict[str, str]) -> list[Row]:
    return [Row(i + 2, {**BASE, **line}) for i, line in enumerate(lines)]


def one(layout: Layout, *lines: dict[str, str]) -> OrderFromRows | list[RowError]:
    (found,) = list(group(rows(*lines), layout))
    return read_order(found, layout, "shop")


def test_rows_of_one_reference_are_one_order_with_a_line_each() -> None:
    layout = Layout.make(HEADER)
    found = list(
        group(
            rows(
                {"external_id": "A", "sku": "MUG", "quantity": "2"},
                {"external_id": "A", "sku": "TEE", "quantity": "1", "unit_price": "9.50"},
                {"external_id": "B", "sku": "MUG", "quantity": "1"},
            ),
            layout,
        )
    )
    assert [(o.external_id, [r.number for r in o.rows]) for o in found] == [
        ("A", [2, 3]),
        ("B", [4]),
    ]
    read = read_order(found[0], layout, "shop")
    assert isinstance(read, OrderFromRows)
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in read.lines] == [
        ("MUG", 2, None),
        ("TEE", 1, Decimal("9.50")),
    ]
    assert read.line_rows == [2, 3] and read.address.country == "FR"
    assert read.customer.email == "a@b.fr" and read.address.name == "Ann"


def test_a_bad_row_refuses_its_order_naming_row_and_column_as_in_the_file() -> None:
    layout = Layout.make(
        ["ref", "code", "qty", *HEADER[3:]], "external_id=ref,sku=code,quantity=qty"
    )
    got = one(
        layout,
        {"ref": "A", "code": "MUG", "qty": "2"},
        {"ref": "A", "code": "TEE", "qty": "two", "unit_price": "-1"},
        {"ref": "A", "code": "", "qty": "0"},
    )
    assert got == [
        RowError(3, "qty", "'two' is not a whole number"),
        RowError(3, "unit_price", "'-1' is not an amount (a decimal such as 19.90, not negative)"),
        RowError(4, "code", "empty"),
        RowError(4, "qty", "0: an order line needs at least 1 unit"),
    ]


def test_same_sku_same_price_adds_up() -> None:
    layout = Layout.make(HEADER)
    merged = one(
        layout,
        {"external_id": "A", "sku": "MUG", "quantity": "2", "unit_price": "3"},
        {"external_id": "A", "sku": "MUG", "quantity": "5", "unit_price": "3"},
    )
    assert isinstance(merged, OrderFromRows) and merged.lines[0].quantity == 7
    assert (merged.lines[0].unit_price, merged.lines[0].discount) == (Decimal(3), Decimal(0))


def test_same_sku_at_two_prices_is_one_line_at_the_higher_price_less_the_difference() -> None:
    """A price break: 2 at 3.00, then 5 at 2.50 and 1 free (0.00) are 8 at 3.00 = 24.00
    less 5 x 0.50 + 1 x 3.00 = 5.50, so the line costs 18.50 = 6.00 + 12.50, what the rows
    cost; its own discount of 0.20 is kept on top."""
    layout = Layout.make([*HEADER, "discount"])
    read = one(
        layout,
        {"external_id": "A", "sku": "MUG", "quantity": "5", "unit_price": "2.50"},
        {"external_id": "A", "sku": "TEE", "quantity": "1", "unit_price": "9"},
        {"external_id": "A", "sku": "MUG", "quantity": "2", "unit_price": "3.00",
         "discount": "0.20"},
        {"external_id": "A", "sku": "MUG", "quantity": "1", "unit_price": "0"},
    )  # fmt: skip
    assert isinstance(read, OrderFromRows)
    assert [(ln.sku, ln.quantity, ln.unit_price, ln.discount) for ln in read.lines] == [
        ("MUG", 8, Decimal("3.00"), Decimal("5.70")),
        ("TEE", 1, Decimal(9), Decimal(0)),
    ]
    mug = read.lines[0]
    assert mug.unit_price is not None
    assert mug.unit_price * mug.quantity - mug.discount == Decimal("18.30")  # 18.50 - 0.20
    assert read.line_rows == [2, 3]  # each line named by its first row


def test_same_sku_with_a_price_on_one_row_and_none_on_another_is_an_error() -> None:
    layout = Layout.make(HEADER)
    refused = one(
        layout,
        {"external_id": "A", "sku": "MUG", "quantity": "2", "unit_price": "3"},
        {"external_id": "A", "sku": "MUG", "quantity": "5"},
    )
    assert refused == [
        RowError(3, "unit_price", "SKU MUG is on an earlier row of this order with a price")
    ]


def test_defaults_customer_ref_country_names_and_local_times() -> None:
    header = ["InvoiceNo", "StockCode", "Quantity", "CustomerID", "Country", "InvoiceDate"]
    layout = Layout.make(
        header,
        "external_id=InvoiceNo,sku=StockCode,quantity=Quantity,customer_ref=CustomerID,"
        "ship_country=Country,placed_at=InvoiceDate",
        "customer_ref=guest,ship_line1=unknown,ship_city=unknown,ship_postal_code=unknown",
    )
    values = dict(
        zip(
            header,
            ["536365", "85123A", "6", "", "United Kingdom", "2011-07-01 08:26:00"],
            strict=True,
        )
    )
    (found,) = list(group([Row(2, values)], layout))
    read = read_order(found, layout, "uci", ZoneInfo("Europe/London"))
    assert isinstance(read, OrderFromRows)
    assert (read.customer.email, read.customer.name) == ("guest@uci.invalid", "customer guest")
    assert read.address.country == "GB"
    assert read.placed_at == datetime(2011, 7, 1, 7, 26, tzinfo=UTC)  # BST


def test_a_layout_needs_the_required_columns_and_known_names() -> None:
    with pytest.raises(MappingError, match="no column for quantity"):
        Layout.make(["external_id", "sku"])
    with pytest.raises(MappingError, match="no such header"):
        Layout.make(HEADER, "sku=Code")
    with pytest.raises(MappingError, match="our=theirs"):
        Layout.make(HEADER, "colour=x")
    assert Layout.make(["external_id", "sku"], "", "quantity=1").value({}, "quantity") == "1"


@given(st.lists(st.sampled_from("ABCD"), max_size=30))
def test_scattered_finds_exactly_the_references_seen_in_two_runs(refs: list[str]) -> None:
    runs = [r for i, r in enumerate(refs) if i == 0 or refs[i - 1] != r]
    assert scattered(refs) == {r for r in set(runs) if runs.count(r) > 1}
