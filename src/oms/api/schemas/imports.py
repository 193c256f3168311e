"""The answer of a CSV import of orders: what was read and placed, and the row errors."""

from __future__ import annotations

from pydantic import BaseModel

from oms.services.order_import import ImportReport


class RowErrorOut(BaseModel):
    row: int
    column: str
    message: str


class ImportOut(BaseModel):
    """`errors` holds the first 1,000 row errors (row 1 is the header); `error_count` all.
    An order with an error was skipped whole (`skipped`); `already` were placed by an
    earlier import and left alone; `cancellations` were skipped by `skip_prefix`."""

    lines: int
    orders: int
    imported: int
    already: int
    skipped: int
    cancellations: int
    products_created: int
    error_count: int
    errors: list[RowErrorOut]
    seconds: float

    @classmethod
    def of(cls, r: ImportReport) -> ImportOut:
        return cls(
            lines=r.lines,
            orders=r.orders,
            imported=r.imported,
            already=r.already,
            skipped=r.skipped,
            cancellations=r.cancellations,
            products_created=r.products_created,
            error_count=r.error_count,
            errors=[RowErrorOut(row=e.row, column=e.column, message=e.message) for e in r.errors],
            seconds=round(r.seconds, 3),
        )
