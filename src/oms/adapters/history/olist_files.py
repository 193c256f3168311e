"""The public Olist CSV files of a folder, plain or gzip-compressed (`olist_orders_dataset.csv`
as published, or `olist_orders_sample.csv.gz`): orders streamed in file order, each with its
items, payments and customer, which are read into memory first (keyed by order and customer)."""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from oms.domain.insight.olist import OlistOrder, Row

# The files' stems, as Olist names them; the part after it varies (`_dataset`, `_sample`).
ORDERS = "olist_orders"
ITEMS = "olist_order_items"
PAYMENTS = "olist_order_payments"
CUSTOMERS = "olist_customers"
PRODUCTS = "olist_products"
CATEGORIES = "product_category_name_translation"


class MissingFile(Exception):
    pass


def find(folder: Path, stem: str, *, required: bool = True) -> Path | None:
    found = sorted(folder.glob(f"{stem}*.csv")) + sorted(folder.glob(f"{stem}*.csv.gz"))
    if not found:
        if required:
            raise MissingFile(f"no {stem}*.csv or {stem}*.csv.gz in {folder}")
        return None
    return found[0]


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def rows(path: Path) -> Iterator[Row]:
    with _open(path) as f:
        yield from csv.DictReader(f)


class OlistFolder:
    """Implements the OlistFiles port over a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._orders = find(folder, ORDERS)
        self._items: dict[str, list[Row]] = defaultdict(list)
        for r in rows(_need(find(folder, ITEMS))):
            self._items[r["order_id"]].append(r)
        self._payments: dict[str, list[Row]] = defaultdict(list)
        for r in rows(_need(find(folder, PAYMENTS))):
            self._payments[r["order_id"]].append(r)
        self._customers = {r["customer_id"]: r for r in rows(_need(find(folder, CUSTOMERS)))}
        products = find(folder, PRODUCTS, required=False)
        self._products = {r["product_id"]: r for r in rows(products)} if products else {}
        categories = find(folder, CATEGORIES, required=False)
        self.category_names: Mapping[str, str] = (
            {
                r["product_category_name"]: r["product_category_name_english"]
                for r in rows(categories)
            }
            if categories
            else {}
        )
        with _open(_need(self._orders)) as f:
            self.total = max(sum(1 for _ in f) - 1, 0)

    def orders(self) -> Iterator[OlistOrder]:
        for r in rows(_need(self._orders)):
            ref = r["order_id"]
            yield OlistOrder(
                r,
                self._items.get(ref, []),
                self._payments.get(ref, []),
                self._customers.get(r["customer_id"]),
            )

    def product(self, sku: str) -> Row | None:
        return self._products.get(sku)


def _need(path: Path | None) -> Path:
    assert path is not None
    return path
