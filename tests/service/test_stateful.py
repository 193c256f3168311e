"""A hypothesis state machine drives orders, stock and fulfilment at random and checks
every invariant.

Invariants after every step: 0 <= reserved <= on hand; the ledger sums to each stock row;
open reservations sum to each row's reserved; each line's allocated + backordered +
shipped + cancelled equals its quantity; allocated over all lines equals reserved over all
rows; no line waits on backorder while its product is available where it could ship; the
unshipped shipments of each line at each location hold what is reserved there, and the
shipments that left hold what the lines say was shipped.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from oms.bootstrap import Container, bootstrap
from oms.config import Settings
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import Conflict, StockBelowReserved, TransitionNotAllowed
from oms.domain.fulfilment.model import Picked
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.orders.status import WAITS_FOR_STOCK
from oms.services import catalogue, inventory, orders, picking, tracking, warehouse
from oms.services.inventory import StockChange
from oms.services.ports.orders import OrderFilter
from oms.services.ports.shipments import ShipmentFilter
from tests.builders import draft, new_location, new_product
from tests.conftest import FakeClock

DRIVER = Actor("driver", Role.CARRIER, "oms-post")

SKUS = ["A", "B", "C"]
LOCATIONS = ["PAR", "BER", "SHOP"]  # SHOP does not ship


class OrdersAndStock(RuleBasedStateMachine):
    placed = Bundle("orders")
    make_url: Callable[[], str]  # set by the test: a fresh, migrated database per run

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.container: Container = bootstrap(
            Settings(database_url=type(self).make_url(), db_pool_size=2), clock=self.clock
        )
        self.uow = self.container.uow()
        for code in LOCATIONS:
            catalogue.create_location(self.uow, SYSTEM, new_location(code, ships=code != "SHOP"))
        for sku in SKUS:
            catalogue.create_product(self.uow, SYSTEM, new_product(sku))

    def teardown(self) -> None:
        self.container.close()

    def tick(self) -> None:
        self.clock.advance(minutes=1)

    @rule(
        target=placed,
        lines=st.lists(
            st.tuples(st.sampled_from(SKUS), st.integers(1, 4)),
            min_size=1,
            max_size=3,
            unique_by=lambda t: t[0],
        ),
        priority=st.integers(0, 2),
    )
    def place(self, lines: list[tuple[str, int]], priority: int) -> int:
        self.tick()
        return orders.place_order(self.uow, SYSTEM, draft(*lines, priority=priority)).order.id

    @rule(order_id=placed)
    def confirm(self, order_id: int) -> None:
        self._tolerate(lambda: orders.confirm_order(self.uow, SYSTEM, order_id))

    @rule(order_id=placed)
    def hold(self, order_id: int) -> None:
        self._tolerate(lambda: orders.hold_order(self.uow, SYSTEM, order_id, "check"))

    @rule(order_id=placed)
    def release(self, order_id: int) -> None:
        self._tolerate(lambda: orders.release_order(self.uow, SYSTEM, order_id, "ok"))

    @rule(order_id=placed)
    def cancel(self, order_id: int) -> None:
        self._tolerate(lambda: orders.cancel_order(self.uow, SYSTEM, order_id, "bye"))

    @rule(
        sku=st.sampled_from(SKUS),
        location=st.sampled_from(LOCATIONS),
        delta=st.integers(-4, 6).filter(bool),
    )
    def adjust(self, sku: str, location: str, delta: int) -> None:
        self.tick()
        with contextlib.suppress(StockBelowReserved):
            inventory.adjust_stock(
                self.uow, SYSTEM, StockChange(location, sku, "test", delta=delta)
            )

    @rule(
        sku=st.sampled_from(SKUS),
        location=st.sampled_from(LOCATIONS),
        on_hand=st.integers(0, 8),
    )
    def count(self, sku: str, location: str, on_hand: int) -> None:
        self.tick()
        inventory.count_stock(
            self.uow, SYSTEM, StockChange(location, sku, "count", on_hand=on_hand)
        )

    # -- fulfilment: waves, (short) picks, packing and shipping ---------------------------

    @initialize()
    def opening_stock(self) -> None:
        for sku in SKUS:
            for code in ("PAR", "BER"):
                inventory.count_stock(self.uow, SYSTEM, StockChange(code, sku, "open", on_hand=4))

    @rule(order_id=placed, wave=st.integers(1, 3))
    def start_pick_lists(self, order_id: int, wave: int) -> None:
        """Confirm an order (if it may be) and start a wave at every shipping location."""
        self._tolerate(lambda: orders.confirm_order(self.uow, SYSTEM, order_id))
        for location in ("PAR", "BER"):
            with contextlib.suppress(Conflict):
                picking.create_pick_list(self.uow, SYSTEM, location, max_orders=wave)

    @rule(shorts=st.lists(st.integers(0, 2), min_size=8, max_size=8), ship=st.booleans())
    def complete_pick_list(self, shorts: list[int], ship: bool) -> None:
        """Complete the oldest open pick list, short by `shorts`; maybe pack and ship it."""
        self.tick()
        open_lists = picking.list_pick_lists(self.uow, SYSTEM, None, "open", None, 10)
        if not open_lists:
            return
        pick_list = open_lists[-1]
        picked: list[Picked] = []
        for sid in pick_list.shipment_ids:
            s = warehouse.get_shipment(self.uow, SYSTEM, sid)
            if s.status is ShipmentStatus.PICKING:
                for line in s.lines:
                    short = shorts[len(picked) % len(shorts)]
                    picked.append(Picked(sid, line.sku, max(line.quantity - short, 0)))
        picking.complete_pick_list(self.uow, SYSTEM, pick_list.id, picked)
        if ship:
            self.pack_and_ship()

    @rule()
    def pack_and_ship(self) -> None:
        self.tick()
        for status in ("packed", "picked"):
            found = tracking.list_shipments(self.uow, SYSTEM, ShipmentFilter(status=status))
            for s in found[:2]:
                with contextlib.suppress(Conflict):
                    if s.status is ShipmentStatus.PICKED:
                        scanned = [(ln.sku, ln.quantity) for ln in s.lines]
                        warehouse.pack_shipment(self.uow, SYSTEM, s.id, scanned)
                    warehouse.ship_shipment(self.uow, SYSTEM, s.id)

    @rule()
    def deliver(self) -> None:
        self.tick()
        found = tracking.list_shipments(self.uow, SYSTEM, ShipmentFilter(status="shipped"))
        for s in found[:2]:
            event = {
                "tracking_number": s.tracking_number,
                "status": "delivered",
                "at": self.clock.now,
            }
            tracking.record_carrier_event(self.uow, DRIVER, "oms-post", event)

    def _tolerate(self, action: Callable[[], object]) -> None:
        self.tick()
        with contextlib.suppress(TransitionNotAllowed):
            action()

    @invariant()
    def shipments_hold_what_is_reserved_and_what_left(self) -> None:
        """Per order line and location: units in unshipped shipments = units reserved there;
        per line: units in shipments that left = shipped quantity."""
        with self.container.engine.connect() as conn:
            reserved = dict(
                conn.execute(
                    sa.text(
                        "SELECT r.order_line_id || '@' || s.location_id, sum(r.quantity) "
                        "FROM reservations r JOIN stock s ON s.id = r.stock_id "
                        "JOIN orders o ON o.id = r.order_id "
                        "WHERE o.status NOT IN ('pending') AND NOT (o.status = 'on_hold' "
                        "AND o.held_from = 'pending') GROUP BY 1"
                    )
                ).all()
            )
            in_work = dict(
                conn.execute(
                    sa.text(
                        "SELECT l.order_line_id || '@' || s.location_id, sum(l.quantity) "
                        "FROM shipment_lines l JOIN shipments s ON s.id = l.shipment_id "
                        "WHERE s.status IN ('open', 'picking', 'picked', 'packed') GROUP BY 1"
                    )
                ).all()
            )
            assert reserved == in_work
            left = dict(
                conn.execute(
                    sa.text(
                        "SELECT l.order_line_id, sum(l.quantity) FROM shipment_lines l "
                        "JOIN shipments s ON s.id = l.shipment_id WHERE s.status NOT IN "
                        "('open', 'picking', 'picked', 'packed', 'cancelled') GROUP BY 1"
                    )
                ).all()
            )
            shipped = dict(
                conn.execute(
                    sa.text(
                        "SELECT id, shipped_quantity FROM order_lines WHERE shipped_quantity > 0"
                    )
                ).all()
            )
            assert left == shipped

    @invariant()
    def every_line_of_every_order_is_balanced(self) -> None:
        """Through the aggregate: allocated + backordered + shipped + cancelled = quantity,
        delivered <= shipped, returned <= delivered; delivered units are those of delivered
        shipments."""
        for order in orders.list_orders(self.uow, SYSTEM, OrderFilter(limit=200)):
            for line in order.lines:
                assert line.is_balanced(), line
            parcels = tracking.list_shipments(self.uow, SYSTEM, ShipmentFilter(order_id=order.id))
            delivered: dict[int, int] = {}
            for p in parcels:
                if p.status is ShipmentStatus.DELIVERED:
                    for ln in p.lines:
                        delivered[ln.order_line_id] = (
                            delivered.get(ln.order_line_id, 0) + ln.quantity
                        )
            assert {
                ln.id: ln.delivered_quantity for ln in order.lines if ln.delivered_quantity
            } == (delivered)

    @invariant()
    def stock_rows_agree_with_ledger_and_reservations(self) -> None:
        assert inventory.verify_stock(self.uow, SYSTEM) == []

    @invariant()
    def quantities_balance(self) -> None:
        open_statuses = ", ".join(f"'{s.value}'" for s in WAITS_FOR_STOCK)
        with self.container.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT on_hand, reserved FROM stock")).all()
            assert all(0 <= r <= h for h, r in rows)
            lines = conn.execute(
                sa.text(
                    "SELECT quantity, allocated_quantity, backordered_quantity, "
                    "shipped_quantity, cancelled_quantity FROM order_lines"
                )
            ).all()
            assert all(a >= 0 and b >= 0 and a + b + s + c == q for q, a, b, s, c in lines)
            assert sum(r for _, r in rows) == sum(line[1] for line in lines)
            waiting = (
                conn.execute(
                    sa.text(
                        "SELECT DISTINCT l.product_id FROM order_lines l JOIN orders o "
                        "ON o.id = l.order_id WHERE l.backordered_quantity > 0 "
                        f"AND o.status IN ({open_statuses})"
                    )
                )
                .scalars()
                .all()
            )
            for product_id in waiting:
                free = conn.execute(
                    sa.text(
                        "SELECT coalesce(sum(s.on_hand - s.reserved), 0) FROM stock s JOIN "
                        "locations l ON l.id = s.location_id WHERE l.ships AND "
                        "s.product_id = :p"
                    ),
                    {"p": product_id},
                ).scalar_one()
                assert free == 0, f"product {product_id} waits while {free} are free"


def test_orders_and_stock_keep_their_invariants(
    db_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if db_url.startswith("sqlite"):
        template = request.getfixturevalue("sqlite_template")
        n = iter(range(10**6))

        def make_url() -> str:
            path = tmp_path / f"state-{next(n)}.db"
            shutil.copy(template, path)
            return f"sqlite:///{path}"
    else:
        from tests.conftest import _reset_postgres

        def make_url() -> str:
            _reset_postgres(db_url)
            return db_url

    OrdersAndStock.make_url = staticmethod(make_url)  # type: ignore[assignment]
    machine = OrdersAndStock
    machine.TestCase.settings = settings(
        max_examples=(25 if db_url.startswith("sqlite") else 6)
        * int(__import__("os").environ.get("OMS_STATEFUL_SCALE", "1")),
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    machine.TestCase().runTest()
