"""A CSV file of order lines, read as it streams: the header, then one numbered row at a
time (the csv module over the open file; a `.gz` file is read through gzip). Nothing holds
the whole file: memory stays flat in the file's size."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, tzinfo
from pathlib import Path
from typing import IO, cast

from oms.domain.access import Actor
from oms.domain.channels.order_rows import Layout, Row, scattered
from oms.services.order_import import ImportOptions, ImportReport, import_orders
from oms.services.ports import UnitOfWork

# A field of a real export can be long (a description, an address); not unbounded.
csv.field_size_limit(1_000_000)


@contextmanager
def opened(source: Path | IO[bytes]) -> Iterator[IO[str]]:
    """The file as text (UTF-8, a byte-order mark skipped), gunzipped when it is gzip."""
    raw: IO[bytes] = source.open("rb") if isinstance(source, Path) else source
    start = raw.tell()
    head = raw.read(2)
    raw.seek(start)
    binary = cast(IO[bytes], gzip.GzipFile(fileobj=raw)) if head == b"\x1f\x8b" else raw
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        yield text
    finally:
        if isinstance(source, Path):
            text.close()
        else:  # the caller's file stays open: let go of it without closing it
            text.detach()


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


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """An import as a person asks for it: the file's layout options and the import's."""

    mapping: str = ""
    defaults: str = ""
    create_products: bool = False
    skip_prefix: str | None = None
    zone: tzinfo = UTC


def layout_of(source: Path | IO[bytes], asked: ImportRequest) -> Layout:
    """The file's layout from its header and the options; MappingError if unusable."""
    with opened(source) as text:
        return Layout.make(header(text), asked.mapping, asked.defaults)


def import_file(  # noqa: PLR0913
    uow: UnitOfWork,
    actor: Actor,
    channel: str,
    source: Path | IO[bytes],
    asked: ImportRequest,
    progress: Callable[[int], None] = lambda n: None,
    on_total: Callable[[int], None] = lambda n: None,
    fresh: Callable[[], UnitOfWork] | None = None,
) -> ImportReport:
    """The whole import of a file (a path, or a seekable binary file such as an upload):
    a first pass for the row count and the scattered orders, then the rows streamed.
    Raises MappingError (the header or options) before anything is placed."""
    layout = layout_of(source, asked)
    if not isinstance(source, Path):
        source.seek(0)
    total, apart = survey(source, layout)
    on_total(total)
    if not isinstance(source, Path):
        source.seek(0)
    options = ImportOptions(
        asked.create_products, asked.skip_prefix or None, frozenset(apart), asked.zone
    )
    with opened(source) as text:
        names = header(text)
        return import_orders(
            uow, actor, channel, rows(text, names), layout, options, progress, fresh=fresh
        )
