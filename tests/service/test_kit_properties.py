"""The state machine of `test_stateful` with a kit in the catalogue: any sequence of
placing, confirming, cancelling, counting, picking (short), shipping and delivering kits
and plain lines keeps 0 <= reserved <= on hand on every component row, the ledger equal to
the rows, every line balanced, and a kit line's reservations whole kits on each of its
components' rows (decision 0008)."""

from __future__ import annotations

import os
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from oms.domain.access import SYSTEM
from oms.domain.orders.status import WAITS_FOR_STOCK
from oms.services import orders
from tests.builders import draft
from tests.service.kits import make_kit
from tests.service.test_stateful import OrdersAndStock

KIT = {"A": 1, "B": 2}  # the kit K: one A and two Bs
ALL = ["A", "B", "C", "K"]


class KitsAndStock(OrdersAndStock):
    def __init__(self) -> None:
        super().__init__()
        make_kit(self.uow, "K", *KIT.items())

    @rule(
        target=OrdersAndStock.placed,
        lines=st.lists(
            st.tuples(st.sampled_from(ALL), st.integers(1, 3)),
            min_size=1,
            max_size=3,
            unique_by=lambda t: t[0],
        ),
    )
    def place_with_kits(self, lines: list[tuple[str, int]]) -> int:
        self.tick()
        return orders.place_order(self.uow, SYSTEM, draft(*lines)).order.id

    def _held(self) -> dict[tuple[int, int], int]:
        """Units of each line reserved per (line, location), kits counted whole; asserts
        that a kit line's rows at a location hold the same number of kits."""
        with self.container.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT r.order_line_id, s.location_id, r.stock_id, sum(r.quantity), "
                    "min(r.per_unit), max(r.per_unit) FROM reservations r "
                    "JOIN stock s ON s.id = r.stock_id GROUP BY 1, 2, 3"
                )
            ).all()
        per: dict[tuple[int, int], set[int]] = defaultdict(set)
        for line_id, location_id, _, quantity, low, high in rows:
            assert low == high and quantity % low == 0
            per[(line_id, location_id)].add(quantity // low)
        for key, units in per.items():
            assert len(units) == 1, f"kit line {key} holds unequal kits: {units}"
        return {key: next(iter(units)) for key, units in per.items()}

    @invariant()
    def shipments_hold_what_is_reserved_and_what_left(self) -> None:
        held = self._held()
        with self.container.engine.connect() as conn:
            fulfilling = {
                (line_id, location_id)
                for line_id, location_id in conn.execute(
                    sa.text(
                        "SELECT r.order_line_id, s.location_id FROM reservations r "
                        "JOIN stock s ON s.id = r.stock_id JOIN orders o ON o.id = r.order_id "
                        "WHERE o.status NOT IN ('pending') AND NOT (o.status = 'on_hold' "
                        "AND o.held_from = 'pending')"
                    )
                ).all()
            }
            in_work = {
                (a, b): q
                for a, b, q in conn.execute(
                    sa.text(
                        "SELECT l.order_line_id, s.location_id, sum(l.quantity) "
                        "FROM shipment_lines l JOIN shipments s ON s.id = l.shipment_id "
                        "WHERE s.status IN ('open', 'picking', 'picked', 'packed') GROUP BY 1, 2"
                    )
                ).all()
            }
        assert {k: held[k] for k in fulfilling} == in_work

    @invariant()
    def quantities_balance(self) -> None:
        open_statuses = ", ".join(f"'{s.value}'" for s in WAITS_FOR_STOCK)
        with self.container.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT on_hand, reserved FROM stock")).all()
            assert all(0 <= r <= h for h, r in rows)
            lines = conn.execute(
                sa.text(
                    "SELECT l.quantity, l.allocated_quantity, l.backordered_quantity, "
                    "l.shipped_quantity, l.cancelled_quantity, p.sku FROM order_lines l "
                    "JOIN products p ON p.id = l.product_id"
                )
            ).all()
            assert all(a >= 0 and b >= 0 and a + b + s + c == q for q, a, b, s, c, _ in lines)
            # Every reserved unit is a plain line's unit or a kit's component unit.
            per_kit = sum(KIT.values())
            promised = sum(a * (per_kit if sku == "K" else 1) for _, a, _, _, _, sku in lines)
            assert sum(r for _, r in rows) == promised
            free = {
                (loc, sku): n
                for loc, sku, n in conn.execute(
                    sa.text(
                        "SELECT s.location_id, p.sku, s.on_hand - s.reserved FROM stock s "
                        "JOIN products p ON p.id = s.product_id JOIN locations l "
                        "ON l.id = s.location_id WHERE l.ships"
                    )
                ).all()
            }
            waiting = (
                conn.execute(
                    sa.text(
                        "SELECT DISTINCT p.sku FROM order_lines l JOIN orders o "
                        "ON o.id = l.order_id JOIN products p ON p.id = l.product_id "
                        f"WHERE l.backordered_quantity > 0 AND o.status IN ({open_statuses})"
                    )
                )
                .scalars()
                .all()
            )
        for sku in waiting:
            for loc in {loc for loc, _ in free}:
                if sku == "K":
                    kits = min(free.get((loc, c), 0) // q for c, q in KIT.items())
                    assert kits == 0, f"kits wait while {kits} can be made at {loc}"
                else:
                    assert free.get((loc, sku), 0) == 0, f"{sku} waits while free at {loc}"


def test_kits_and_plain_lines_keep_every_invariant(
    db_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if db_url.startswith("sqlite"):
        template = request.getfixturevalue("sqlite_template")
        n = iter(range(10**6))

        def make_url() -> str:
            path = tmp_path / f"kits-{next(n)}.db"
            shutil.copy(template, path)
            return f"sqlite:///{path}"
    else:
        from tests.conftest import _reset_postgres

        def make_url() -> str:
            _reset_postgres(db_url)
            return db_url

    KitsAndStock.make_url = staticmethod(make_url)  # type: ignore[assignment]
    machine = KitsAndStock
    machine.TestCase.settings = settings(
        max_examples=(25 if db_url.startswith("sqlite") else 5)
        * int(os.environ.get("OMS_STATEFUL_SCALE", "1")),
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    machine.TestCase().runTest()
