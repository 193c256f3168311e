"""A CSV file of order lines, read as it streams: the header, then one numbered row at a
time (the csv module over the open file; a `.gz` file is read through gzip). Nothing holds
the whole file: memory stays flat in the file's size."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

from oms.domain.channels.order_rows import Layout, Row, scattered

# A field of a real export can be long (a description, an address); not unbounded.
csv.field_size_limit(1_000_000)


@contextmanager
def opened(source: Path | IO[bytes]) -> Iterator[IO[str]]:
    """The file as text (UTF-8, a byte-order mark skipped), gunzipped when it is gzip."""
    raw: IO[bytes] = source.open("rb") if isinstance(source, Path) else source
    try:
        start = raw.tell()
        head = raw.read(2)
        raw.seek(start)
        binary = cast(IO[bytes], gzip.GzipFile(fileobj=raw)) if head == b"\x1f\x8b" else raw
        yield io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    finally:
        if isinstance(source, Path):
            raw.close()


def header(text: IO[str]) -> list[str]:
    return next(csv.reader(text), [])


def rows(text: IO[str], names: list[str]) -> Iterator[Row]:
    """The rows after the header, numbered from 2 as a spreadsheet shows them."""
    for number, values in enumerate(csv.DictReader(text, fieldnames=names), start=2):
        yield Row(number, values)


def survey(source: Path | IO[bytes], layout: Layout) -> tuple[int, set[str]]:
    """A first pass: how many rows, and the orders whose rows are not together."""
    count = 0

    def refs(found: Iterator[Row]) -> Iterator[str]:
        nonlocal count
        for row in found:
            count += 1
            yield layout.value(row.values, "external_id")

    with opened(source) as text:
        names = header(text)
        apart = scattered(refs(rows(text, names)))
    return count, apart
