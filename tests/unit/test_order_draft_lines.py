"""How many lines an order may have: 500 for a request (the API, the back office), 5,000
for an order read from a file (a wholesale invoice)."""

from __future__ import annotations

from dataclasses import replace

from oms.domain.errors import FieldErrors
from oms.domain.orders.draft import (
    MAX_IMPORT_LINES,
    MAX_LINES,
    Address,
    Customer,
    DraftLine,
    OrderDraft,
)


def draft(lines: int) -> OrderDraft:
    return OrderDraft(
        "shop",
        Customer("ann@example.com", "Ann"),
        Address("Ann", "1 rue", "Lyon", "69001", "FR"),
        [DraftLine(f"P{i}", 1) for i in range(lines)],
    )


def errors_of(order: OrderDraft) -> list[tuple[str, str]]:
    found = FieldErrors()
    order.check_shape(found)
    return [(e.field, e.message) for e in found.errors]


def test_a_request_holds_at_most_500_lines_a_file_order_5000() -> None:
    assert errors_of(draft(MAX_LINES)) == []
    assert errors_of(draft(MAX_LINES + 1)) == [("lines", "at most 500 lines")]
    assert errors_of(replace(draft(MAX_LINES + 1), max_lines=MAX_IMPORT_LINES)) == []
    too_many = replace(draft(MAX_IMPORT_LINES + 1), max_lines=MAX_IMPORT_LINES)
    assert errors_of(too_many) == [("lines", "at most 5000 lines")]
