"""`oms import olist DIR`: Olist's orders loaded as history, in batches of one transaction
each. Idempotent by (channel, external id): an order already stored is counted, not added.
Writes no reservation, no ledger row and no outbox row (adapters/db/history.py)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from oms.domain.insight import olist
from oms.domain.insight.history import HistoryOrder, Oddities
from oms.domain.insight.olist import OlistOrder, Skip
from oms.services.ports import UnitOfWork
from oms.services.ports.insight import HistoryLocation, HistoryStore, OlistFiles

BATCH = 1000
OLIST_LOCATION = HistoryLocation(
    olist.LOCATION_CODE, "Olist sellers (history)", "BR", olist.TIME_ZONE
)


@dataclass
class ImportReport:
    read: int = 0
    imported: int = 0
    already: int = 0  # stored by an earlier run
    products_created: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_examples: dict[str, list[str]] = field(default_factory=dict)
    odd: Oddities = field(default_factory=Oddities)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


def import_olist(
    uow: UnitOfWork,
    store: HistoryStore,
    files: OlistFiles,
    progress: Callable[[int], None] = lambda n: None,
    batch: int = BATCH,
) -> ImportReport:
    """Read every order of the files; store those not stored yet; `progress(n)` after each
    batch of n rows. The command line is `system`: no permission to check."""
    report = ImportReport()
    started = time.perf_counter()
    location_id = uow.run(lambda: store.location(OLIST_LOCATION, uow.now()))
    for chunk in _chunks(files.orders(), batch):
        _one_batch(uow, store, files, chunk, location_id, report)
        progress(len(chunk))
    report.seconds = time.perf_counter() - started
    return report


def _chunks(found: Iterator[OlistOrder], size: int) -> Iterator[list[OlistOrder]]:
    while chunk := list(islice(found, size)):
        yield chunk


def _one_batch(
    uow: UnitOfWork,
    store: HistoryStore,
    files: OlistFiles,
    chunk: list[OlistOrder],
    location_id: int,
    report: ImportReport,
) -> None:
    report.read += len(chunk)
    refs = [o.row["order_id"] for o in chunk]
    known = uow.run(lambda: store.known(olist.CHANNEL, refs), write=False)
    odd = Oddities()
    ready: list[HistoryOrder] = []
    for o in chunk:
        if o.row["order_id"] in known:
            continue
        try:
            ready.append(olist.read_order(o, odd))
        except Skip as why:
            report.skipped[str(why)] += 1
            examples = report.skipped_examples.setdefault(str(why), [])
            if len(examples) < odd.examples_kept:
                examples.append(o.row["order_id"])

    def work() -> tuple[int, int]:
        # Again inside the transaction: another run may have stored some in the meantime.
        stored = store.known(olist.CHANNEL, [h.external_id for h in ready])
        new = [h for h in ready if h.external_id not in stored]
        prices = {line.sku: line.unit_price_minor for h in new for line in h.lines}
        missing = sorted(store.missing_products(prices))
        store.add_products(
            [
                olist.read_product(s, files.product(s), files.category_names, prices[s])
                for s in missing
            ],
            uow.now(),
        )
        store.add_orders(new, location_id, olist.ACTOR, uow.now())
        return len(new), len(missing)

    added, products = uow.run(work) if ready else (0, 0)
    report.products_created += products
    report.imported += added
    report.already += len(known) + len(ready) - added
    report.odd.merge(odd)
