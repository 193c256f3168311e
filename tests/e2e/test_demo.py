"""`oms demo`: the demo loader on both databases, and the command itself."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from stdnum import ean
from typer.testing import CliRunner

from oms.adapters.db.migrate import upgrade
from oms.bootstrap import Container, bootstrap
from oms.config import Settings, get_settings
from oms.demo import load_demo
from oms.demo.data import ALREADY_LOADED
from oms.demo.delivery import CUSTOMERS as VAN_CUSTOMERS
from oms.demo.loader import demo_products
from oms.demo.report import all_orders
from oms.domain.access import SYSTEM
from oms.domain.fulfilment.model import LateKind
from oms.domain.fulfilment.shipment import ShipmentStatus
from oms.domain.orders.model import Order
from oms.domain.payments.model import RefundStatus
from oms.services import (
    catalogue,
    inventory,
    order_problems,
    orders,
    payments,
    returns,
    tracking,
)
from oms.services.ports.returns import ReturnFilter
from oms.services.ports.shipments import ShipmentFilter
from tests.conftest import FakeClock

ORDERS = 60


def _snapshot(container: Container) -> tuple[list[Any], list[Any]]:
    """What a user could see change: every order with its lines, and every stock row."""
    uow = container.uow()
    placed = [
        (
            o.number,
            o.status,
            o.channel,
            o.external_id,
            o.customer.email,
            o.created_at,
            o.updated_at,
            [(x.sku, x.quantity, x.allocated_quantity, x.backordered_quantity) for x in o.lines],
        )
        for o in all_orders(uow)
    ]
    rows = inventory.list_stock(uow, SYSTEM, limit=200)
    return placed, [(r.location, r.sku, r.on_hand, r.reserved) for r in rows]


def _events(container: Container, placed: list[Order]) -> list[str]:
    uow = container.uow()
    return [e.type for o in placed for e in orders.order_events(uow, SYSTEM, o.id)]


def test_demo_orders_reach_every_status_with_backorders_and_a_balanced_ledger(
    container: Container, clock: FakeClock
) -> None:
    load_demo(container, orders=ORDERS, seed=7)

    placed = all_orders(container.uow())
    # The orders asked for, and the Paris van's own (local delivery, demo/delivery.py).
    assert len([o for o in placed if o.exchange_of is None]) == ORDERS + len(VAN_CUSTOMERS)
    statuses = {o.status for o in placed}
    assert {"pending", "confirmed", "on_hold", "cancelled", "delivered", "completed"} <= statuses
    ends = [
        e.data.get("by")
        for o in placed
        if o.status == "completed"
        for e in orders.order_events(container.uow(), SYSTEM, o.id)
        if e.type == "order.completed"
    ]
    assert {"customer", "window"} <= set(ends)
    problems = [
        p for o in placed for p in order_problems.problems_of(container.uow(), SYSTEM, o.id)
    ]
    assert {p.is_open for p in problems} == {True, False}  # one waits, one was resolved
    assert {o.channel for o in placed} == {"web", "marketplace", "phone", "b2b", "pos"}
    open_lines = [x for o in placed if o.status != "cancelled" for x in o.lines]
    assert any(x.backordered_quantity for x in open_lines)
    assert any(
        any(x.allocated_quantity + x.shipped_quantity for x in o.lines)
        and any(x.backordered_quantity for x in o.lines)
        for o in placed
        if o.status != "cancelled"
    )  # partly backordered: some units reserved or shipped, the rest waiting
    assert all(x.is_balanced() for o in placed for x in o.lines)
    events = _events(container, placed)
    assert "order.released" in events
    assert "order.backorder_filled" in events  # receipts served waiting lines
    assert inventory.verify_stock(container.uow(), SYSTEM) == []

    now = clock.now
    assert all(now - timedelta(days=43) <= o.created_at <= o.updated_at <= now for o in placed)
    assert len({o.created_at.date() for o in placed}) > 20  # spread over weeks, not one day
    assert any(o.external_id for o in placed) and any(not o.external_id for o in placed)
    assert any(o.priority > 0 for o in placed)
    assert {o.shipping_address.country for o in placed} >= {"FR", "DE"}
    assert len({o.customer.email for o in placed}) < ORDERS  # some customers come back

    # Money: most orders paid, wholesale invoices not all; discounts and tax as each
    # channel sends them, the shop's prices with tax included, the wholesale list without.
    assert {"unpaid", "partially_paid", "paid", "refunded"} <= {o.payment_status for o in placed}
    assert sum(o.payment_status == "paid" for o in placed) > ORDERS // 2
    assert any(o.totals.discount.amount for o in placed if o.channel == "b2b")
    assert any(o.totals.discount.amount for o in placed if o.channel == "web")
    sold = [o for o in placed if o.exchange_of is None]  # an exchange order is free
    assert all(o.prices_include_tax == (o.channel != "b2b") for o in sold)
    assert all(o.totals.tax.amount > 0 for o in placed if o.totals.subtotal.amount)
    for o in placed:
        gross = o.totals.subtotal.amount - o.totals.discount.amount + o.totals.shipping.amount
        assert o.totals.total.amount == gross + (0 if o.prices_include_tax else o.totals.tax.amount)
    uow = container.uow()
    paid = [p for o in placed for p in payments.payments_of_order(uow, SYSTEM, o.id)]
    assert paid and all(p.provider == "manual" for p in paid)
    assert any(p.reference.startswith("SEPA-") for p in paid)  # bank transfers
    for o in placed:  # a cancelled paid order is refunded what it paid
        if o.status == "cancelled" and o.paid_total:
            assert o.payment_status == "refunded" and o.refunded_total == o.paid_total


def test_demo_runs_orders_through_fulfilment_to_every_shipment_state(
    container: Container, clock: FakeClock, db_url: str
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the full-size demo runs once, on the embedded default")
    load_demo(container, orders=300, seed=7)
    uow = container.uow()
    found: list[Any] = []
    while len(found) % 200 == 0:
        before = found[-1].id if found else None
        page = tracking.list_shipments(uow, SYSTEM, ShipmentFilter(before_id=before, limit=200))
        found.extend(page)
        if not page:
            break
    # Lost and replaced (the carrier loses some), returned (after a driver's failed attempts).
    assert {s.status for s in found} == set(ShipmentStatus)
    today = clock.now.date()
    assert any(s.late_kind(today) is LateKind.TO_DELIVER for s in found)
    assert any(s.late_kind(today) is LateKind.TO_SHIP for s in found)  # Berlin's stock-take
    replaced = {s.id for s in found if s.status is ShipmentStatus.REPLACED}
    assert (
        replaced
        and all(
            s.status is not ShipmentStatus.CANCELLED for s in found if s.replaces_id in replaced
        )
        and {s.replaces_id for s in found if s.replaces_id} == replaced
    )
    by_order: dict[int, set[str]] = {}
    for s in found:
        if s.status is not ShipmentStatus.CANCELLED:
            by_order.setdefault(s.order_id, set()).add(s.location)
    assert any(len(places) > 1 for places in by_order.values())  # split orders
    placed = all_orders(uow)
    assert {"partially_shipped", "shipped", "delivered"} <= {o.status for o in placed}
    events = _events(container, placed)
    assert "shipment.short_picked" in events and "shipment.exception" in events
    assert {"shipment.lost", "shipment.replaced"} <= set(events)
    made = returns.list_returns(uow, SYSTEM, ReturnFilter(limit=50))
    assert {r.status.value for r in made} == {
        "requested",
        "approved",
        "rejected",
        "received",
        "inspected",
        "refunded",
        "exchanged",
        "closed",
    }
    assert any(ln.damaged_quantity for r in made for ln in r.lines)  # a unit written off
    assert "return.inspected" in events
    assert inventory.verify_stock(uow, SYSTEM) == []
    assert all(x.is_balanced() for o in placed for x in o.lines)
    _assert_money_ends(container, placed, made)


def _assert_money_ends(container: Container, placed: list[Order], made: list[Any]) -> None:
    """Returns refunded in part and in full (the shipping too), an exchange linked both
    ways, a line cancelled on a paid order and refunded: every refund succeeded."""
    uow = container.uow()
    by_id = {o.id: o for o in placed}
    refunds = [r for o in placed for r in payments.refunds_of_order(uow, SYSTEM, o.id)]
    assert refunds and all(r.status is RefundStatus.SUCCEEDED for r in refunds)
    of_returns = [r for r in refunds if r.return_id is not None]
    assert len(of_returns) == 2
    assert any(r.shipping > 0 for r in of_returns)  # the seller's fault, all sent back
    assert {by_id[r.order_id].payment_status for r in of_returns} == {
        "partially_refunded",
        "refunded",
    }
    assert any(r.reason.startswith("cancelled:") for r in refunds)
    [line_cancelled] = [
        o
        for o in placed
        if o.status != "cancelled"
        and any(x.cancelled_quantity for x in o.lines)
        and o.refunded_total
    ]
    assert line_cancelled.payment_status == "partially_refunded"
    [exchanged] = [r for r in made if r.status.value == "exchanged"]
    new = by_id[exchanged.exchange_order_id]
    assert new.exchange_of == exchanged.order_id
    assert new.exchanges == [] and by_id[exchanged.order_id].exchanges == [new.id]
    assert all(x.unit_price == 0 for x in new.lines)


def test_demo_catalogue_and_locations_look_like_a_real_shop(container: Container) -> None:
    load_demo(container, orders=0, seed=7)

    uow = container.uow()
    products = catalogue.list_products(uow, SYSTEM, limit=200)
    assert 45 <= len(products) <= 60
    assert "TSH-ORG-M-BLK" in {p.sku for p in products}
    for product in products:
        assert product.currency == "EUR" and product.price > 0
        assert (product.price * 100) % 1 == 0  # whole cents
        assert product.weight_grams and product.weight_grams > 0
        assert product.barcode and len(product.barcode) == 13 and ean.is_valid(product.barcode)
    locations = catalogue.list_locations(uow, SYSTEM)
    assert len(locations) == 3
    assert {loc.country for loc in locations} == {"FR", "DE"}
    assert len({loc.priority for loc in locations}) == 3


def test_a_second_demo_load_changes_nothing(container: Container) -> None:
    load_demo(container, orders=ORDERS, seed=7)
    before = _snapshot(container)

    assert load_demo(container, orders=ORDERS, seed=8) == ALREADY_LOADED

    assert _snapshot(container) == before


def test_the_same_seed_gives_the_same_orders_on_a_fresh_database(
    container: Container, clock: FakeClock, sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "again.db"
    shutil.copy(sqlite_template, path)
    again = bootstrap(Settings(database_url=f"sqlite:///{path}"), clock=clock)
    try:
        load_demo(container, orders=40, seed=11)
        load_demo(again, orders=40, seed=11)
        first, second = _snapshot(container), _snapshot(again)
    finally:
        again.close()

    assert first == second
    assert first[0][-1][0] == "SO-000001"


def test_demo_products_are_unique_and_well_formed() -> None:
    products = demo_products()
    assert len({p.sku for p in products}) == len(products)
    assert len({p.barcode for p in products}) == len(products)
    for product in products:
        product.validate()


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    monkeypatch.setenv("OMS_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_oms_demo_then_stock_verify_on_the_command_line(cli_database: str) -> None:
    from oms.cli import app

    runner = CliRunner()

    loaded = runner.invoke(app, ["demo", "--orders", "20"])
    assert loaded.exit_code == 0, loaded.output
    assert "Demo data loaded" in loaded.output
    assert "20 orders" in loaded.output

    repeated = runner.invoke(app, ["demo", "--orders", "20"])
    assert repeated.exit_code == 0, repeated.output
    assert "already loaded" in repeated.output

    verified = runner.invoke(app, ["stock", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "agrees" in verified.output
