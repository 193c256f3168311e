"""`oms import olist` and the stage-times report through the services, on SQLite and
PostgreSQL, over a few made-up orders in Olist's file format (no Olist data is kept here).

Hand-computed (São Paulo is UTC-3 in June 2017, so local differences are UTC ones):
  a1 placed 06-01 10:00, approved 11:00, carrier 06-03 09:00, delivered 06-10 15:00,
     promised 06-08 (late), ship by 06-02 (shipped late)   -> 1 h, 46 h, 174 h, 221 h
  a2 placed 06-02 22:30 (06-03 01:30 UTC), approved 23:30, carrier 06-03 11:30,
     delivered 06-04 23:30, promised 06-10, ship by 06-05    -> 1 h, 12 h, 36 h, 49 h
  a5 placed 06-03 10:00, approved 06-05 10:00, carrier 06-04 10:00 (before approval),
     delivered 06-07 10:00, promised 06-07, ship by 06-05     -> 48 h, -24 h, 72 h, 96 h
  a3 shipped, never delivered (not measured); a4 cancelled without items (skipped).
"""

from __future__ import annotations

import csv
import gzip
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from oms.adapters.db.tables import (
    locations,
    order_events,
    orders,
    outbox,
    products,
    reservations,
    shipments,
    stock,
    stock_ledger,
)
from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import InvalidInput, PermissionDenied
from oms.domain.fulfilment.model import Picked
from oms.domain.insight.aging import Late
from oms.domain.insight.flow import Waiting
from oms.domain.insight.stages import GroupBy, Hours, Stage
from oms.services import catalogue, completion, customer_service, picking, tracking, warehouse
from oms.services import orders as order_service
from oms.services.customer_service import Why
from oms.services.history_import import ImportReport, import_olist
from oms.services.ports.shipments import ShipmentFilter
from oms.services.reports import (
    FlowQuery,
    StageQuery,
    StageTimes,
    open_orders_aging,
    stage_csv,
    stage_times,
    work_in_progress,
)
from tests.builders import draft, new_location, stocked
from tests.conftest import FakeClock

CARRIER = Actor("post-bot", Role.CARRIER, "oms-post")
ORDERS = [
    # id, status, purchase, approved, carrier, delivered, estimate
    ("a1", "delivered", "2017-06-01 10:00:00", "2017-06-01 11:00:00", "2017-06-03 09:00:00",
     "2017-06-10 15:00:00", "2017-06-08 00:00:00"),
    ("a2", "delivered", "2017-06-02 22:30:00", "2017-06-02 23:30:00", "2017-06-03 11:30:00",
     "2017-06-04 23:30:00", "2017-06-10 00:00:00"),
    ("a3", "shipped", "2017-06-05 10:00:00", "2017-06-05 11:00:00", "2017-06-06 10:00:00",
     "", "2017-06-15 00:00:00"),
    ("a4", "canceled", "2017-06-05 12:00:00", "", "", "", "2017-06-20 00:00:00"),
    ("a5", "delivered", "2017-06-03 10:00:00", "2017-06-05 10:00:00", "2017-06-04 10:00:00",
     "2017-06-07 10:00:00", "2017-06-07 00:00:00"),
]  # fmt: skip
ITEMS = [
    # order, item no, product, limit, price, freight
    ("a1", "1", "MUG", "2017-06-02 10:00:00", "10.00", "2.00"),
    ("a2", "1", "p-new", "2017-06-05 10:00:00", "20.00", "3.00"),
    ("a2", "2", "p-new", "2017-06-05 10:00:00", "20.00", "3.00"),
    ("a3", "1", "p-new", "2017-06-07 10:00:00", "20.00", "3.00"),
    ("a5", "1", "MUG", "2017-06-05 10:00:00", "10.00", "2.00"),
]


def write(folder: Path, name: str, header: list[str], rows: list[tuple[str, ...]]) -> None:
    with gzip.open(folder / f"{name}_sample.csv.gz", "wt", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path, "olist_orders", ["order_id", "customer_id", "order_status",
          "order_purchase_timestamp", "order_approved_at", "order_delivered_carrier_date",
          "order_delivered_customer_date", "order_estimated_delivery_date"],
          [(o[0], f"c-{o[0]}", *o[1:]) for o in ORDERS])  # fmt: skip
    write(tmp_path, "olist_order_items", ["order_id", "order_item_id", "product_id",
          "shipping_limit_date", "price", "freight_value"], ITEMS)  # fmt: skip
    write(tmp_path, "olist_order_payments", ["order_id", "payment_value"],
          [("a1", "12.00"), ("a2", "46.00"), ("a3", "23.00"), ("a5", "12.00")])  # fmt: skip
    write(tmp_path, "olist_customers", ["customer_id", "customer_unique_id",
          "customer_zip_code_prefix", "customer_city", "customer_state"],
          [(f"c-{o[0]}", f"who-{o[0]}", "01001", "sao paulo", "SP") for o in ORDERS])  # fmt: skip
    write(tmp_path, "olist_products", ["product_id", "product_category_name",
          "product_weight_g"], [("p-new", "cama_mesa_banho", "500")])  # fmt: skip
    return tmp_path


def run_import(container: Container, folder: Path, batch: int = 2) -> ImportReport:
    """Batches of 2 by default: several transactions even for these few orders."""
    uow = container.uow()
    return import_olist(uow, container.history(uow), container.olist_files(folder), batch=batch)


def count(container: Container, table: sa.Table) -> int:
    with container.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def report(container: Container, q: StageQuery, actor: Actor = SYSTEM) -> StageTimes:
    uow = container.uow()
    return stage_times(uow, container.timelines(uow), actor, q)


def test_history_is_imported_once_without_touching_stock_or_telling_anyone(
    container: Container, folder: Path
) -> None:
    uow = container.uow()
    stocked(uow, "MUG", 5, name="Mug", price="9.00")
    ledger, rows = count(container, stock_ledger), count(container, stock)
    first = run_import(container, folder)
    assert (first.read, first.imported, first.already, first.products_created) == (5, 4, 0, 1)
    assert first.skipped == {"no_items": 1} and first.skipped_examples == {"no_items": ["a4"]}
    assert first.odd.counts == {"carrier_before_approval": 1}
    assert first.odd.examples == {"carrier_before_approval": ["a5"]}
    again = run_import(container, folder)
    assert (again.imported, again.already, again.products_created) == (0, 4, 0)
    assert count(container, orders) == 4
    assert count(container, reservations) == 0
    assert (count(container, stock_ledger), count(container, stock)) == (ledger, rows)
    assert count(container, outbox) == 0
    with container.engine.connect() as conn:
        mug = conn.execute(sa.select(products).where(products.c.sku == "MUG")).one()
        new = conn.execute(sa.select(products).where(products.c.sku == "p-new")).one()
        olist = conn.execute(sa.select(locations).where(locations.c.code == "OLIST")).one()
        on_hand = conn.execute(sa.select(stock.c.on_hand, stock.c.reserved)).one()
    assert (mug.name, mug.price_minor, mug.archived) == ("Mug", 900, False)  # never changed
    assert (new.name, new.archived, new.currency) == ("Olist cama mesa banho p-new", True, "BRL")
    assert (olist.ships, olist.time_zone) == (False, "America/Sao_Paulo")
    assert tuple(on_hand) == (5, 0)


def test_the_timeline_keeps_the_original_times_and_says_where_it_came_from(
    container: Container, folder: Path
) -> None:
    run_import(container, folder)
    with container.engine.connect() as conn:
        a1 = conn.execute(sa.select(orders).where(orders.c.external_id == "a1")).one()
        events = conn.execute(
            sa.select(order_events.c.type, order_events.c.at, order_events.c.actor)
            .where(order_events.c.order_id == a1.id)
            .order_by(order_events.c.id)
        ).all()
        parcel = conn.execute(sa.select(shipments).where(shipments.c.order_id == a1.id)).one()
    assert (a1.channel, a1.status, a1.total_minor, a1.paid_minor) == (
        "olist",
        "delivered",
        1200,
        1200,
    )
    assert a1.created_at == datetime(2017, 6, 1, 13, tzinfo=UTC)
    assert [(t, at.astimezone(UTC).hour, actor) for t, at, actor in events] == [
        ("order.placed", 13, "import:olist"),
        ("order.confirmed", 14, "import:olist"),
        ("order.shipped", 12, "import:olist"),
        ("order.delivered", 18, "import:olist"),
    ]
    assert (parcel.status, parcel.promised_delivery_date, parcel.ship_by) == (
        "delivered",
        date(2017, 6, 8),
        date(2017, 6, 2),
    )


def test_live_jobs_leave_history_alone(container: Container, folder: Path) -> None:
    run_import(container, folder)  # a3 is on its way and long past its promised date
    uow = container.uow()
    assert uow.run(lambda: uow.shipments.late_untold(date(2026, 1, 1), 100), write=False) == []
    # Its parcel that never arrived is history, not work: not late in any list or count.
    found = customer_service.service_queue(uow, container.views(uow), SYSTEM)  # type: ignore[arg-type]
    assert [i for i in found.items if i.why is Why.LATE] == []
    assert tracking.list_shipments(uow, SYSTEM, ShipmentFilter(late_on=date(2026, 1, 1))) == []
    # Delivered history is done already: the completion sweep would date it today.
    assert uow.run(lambda: uow.orders.delivered(None, 100), write=False) == []
    assert completion.complete_due(uow, SYSTEM) == []


def test_the_stage_table_of_imported_history(container: Container, folder: Path) -> None:
    run_import(container, folder)
    found = report(container, StageQuery())
    r = found.report
    by = {s.stage: s.hours for s in r.stages}
    assert r.orders == 3
    assert by[Stage.PLACED_TO_CONFIRMED].mean == pytest.approx(50 / 3)
    assert by[Stage.PLACED_TO_CONFIRMED].p50 == pytest.approx(1.0)
    assert by[Stage.CONFIRMED_TO_SHIPPED].p50 == pytest.approx(12.0)
    assert by[Stage.CONFIRMED_TO_SHIPPED].negative == 1
    assert by[Stage.SHIPPED_TO_DELIVERED].mean == pytest.approx(94.0)
    assert by[Stage.SHIPPED_TO_DELIVERED].p90 == pytest.approx(153.6)  # 72 + 0.8 * 102
    assert by[Stage.PLACED_TO_DELIVERED].p50 == pytest.approx(96.0)
    assert r.bottleneck is Stage.SHIPPED_TO_DELIVERED
    assert (r.late, r.promised) == (1, 3)
    assert (r.shipped_on_time, r.ship_by) == (2, 3)
    lines = stage_csv(found).splitlines()
    assert lines[0] == "group,stage,count,mean_hours,p50_hours,p90_hours,p99_hours,negative"
    assert lines[2] == ",confirmed_to_shipped,3,11.333,12.0,39.2,45.32,1"


def test_days_are_read_in_the_time_zone_asked_for(container: Container, folder: Path) -> None:
    run_import(container, folder)
    june_2 = date(2017, 6, 2)
    local = report(container, StageQuery(june_2, june_2, time_zone="America/Sao_Paulo"))
    assert local.report.orders == 1  # a2, placed at 22:30 that evening
    assert report(container, StageQuery(june_2, june_2)).report.orders == 0  # 01:30 UTC on 06-03
    assert report(container, StageQuery(channel="web")).report.orders == 0
    assert report(container, StageQuery(location="OLIST")).report.orders == 3
    by_week = report(container, StageQuery(group_by=GroupBy.WEEK, time_zone="UTC"))
    assert [(k, g.orders) for k, g in by_week.groups] == [("2017-W22", 3)]


def test_working_hours_leave_out_the_public_holidays_of_the_locations_country(
    container: Container, clock: FakeClock
) -> None:
    """Two live orders placed, shipped and delivered at the same times, one from Paris
    (FR), one from Berlin (DE), both Monday to Friday: placed on Monday 13 July 2026 at
    12:00 (CEST, both zones), delivered on Wednesday 15 July at 12:00. Bastille Day, Tuesday
    14 July, is a French holiday, not a German one: 12 + 12 = 24 working hours from Paris,
    12 + 24 + 12 = 48 from Berlin; 48 calendar hours each."""
    uow = container.uow()
    catalogue.create_location(uow, SYSTEM, new_location("BER", country="DE", postal_code="10115"))
    clock.now = datetime(2026, 7, 13, 10, tzinfo=UTC)
    numbers = []
    for sku, code in (("TEE", "PAR"), ("HAT", "BER")):
        stocked(uow, sku, 1, code)
        order_id = order_service.place_order(uow, SYSTEM, draft((sku, 1))).order.id
        order_service.confirm_order(uow, SYSTEM, order_id)
        pick_list = picking.create_pick_list(uow, SYSTEM, code)
        [sid] = pick_list.shipment_ids
        picking.complete_pick_list(uow, SYSTEM, pick_list.id, [Picked(sid, sku, 1)])
        warehouse.pack_shipment(uow, SYSTEM, sid, [(sku, 1)])
        numbers.append(warehouse.ship_shipment(uow, SYSTEM, sid).tracking_number)
    clock.advance(days=2)
    for number in numbers:
        event = {"tracking_number": number, "status": "delivered", "at": clock.now}
        tracking.record_carrier_event(uow, CARRIER, "oms-post", event)

    def lead_times(hours: Hours) -> dict[str, float | None]:
        found = report(container, StageQuery(hours=hours, group_by=GroupBy.LOCATION))
        return {
            key: {s.stage: s.hours.mean for s in group.stages}[Stage.PLACED_TO_DELIVERED]
            for key, group in found.groups
        }

    assert lead_times(Hours.WORKING) == {"BER": 48.0, "PAR": 24.0}
    assert lead_times(Hours.CALENDAR) == {"BER": 48.0, "PAR": 48.0}


def test_reports_need_report_read_and_a_sound_query(container: Container) -> None:
    with pytest.raises(PermissionDenied):
        report(container, StageQuery(), Actor("sam", Role.SALES))
    assert report(container, StageQuery(), Actor("ana", Role.ANALYST)).report.orders == 0
    with pytest.raises(InvalidInput):
        report(container, StageQuery(date(2017, 6, 3), date(2017, 6, 2)))
    with pytest.raises(InvalidInput):
        report(container, StageQuery(time_zone="Mars/Olympus"))


def test_work_in_progress_of_imported_history(container: Container, folder: Path) -> None:
    """In São Paulo days: on 06-05, a1 is in transit (since 06-03), a2 was delivered on
    06-04, a5 (shipped 06-04 before its approval on 06-05) is in transit, and a3, placed
    and approved on 06-05, waits for its shipment."""
    run_import(container, folder)
    uow = container.uow()
    q = FlowQuery(date(2017, 6, 5), date(2017, 6, 6), time_zone="America/Sao_Paulo")
    found = work_in_progress(uow, container.timelines(uow), SYSTEM, q)
    june_5, june_6 = found.days
    assert [june_5.wip[s] for s in Waiting] == [0, 1, 2]
    # a3 approved; a5's wait for approval ended when it shipped, on 06-04.
    assert [june_5.throughput[s] for s in Waiting] == [1, 0, 0]
    assert [june_6.wip[s] for s in Waiting] == [0, 0, 3]  # a3 handed to the carrier
    assert [june_6.throughput[s] for s in Waiting] == [0, 1, 0]
    with pytest.raises(InvalidInput):
        work_in_progress(uow, container.timelines(uow), SYSTEM,
                         FlowQuery(date(2015, 1, 1), date(2017, 6, 6)))  # fmt: skip


def test_open_orders_by_age_leave_history_out_unless_asked(
    container: Container, folder: Path, clock: FakeClock
) -> None:
    """A live order of 2 lamps with 1 in stock: a backorder, waiting three days for its
    confirmation. History's a3 is open too, in transit since 2017."""
    run_import(container, folder)
    uow = container.uow()
    stocked(uow, "LAMP", 1)
    placed = order_service.place_order(uow, SYSTEM, draft(("LAMP", 2))).order
    clock.advance(days=3)
    found = open_orders_aging(uow, container.open_orders(uow), SYSTEM)
    assert found.open_orders == 1
    [live] = found.oldest
    assert (live.order.order_id, live.order.backordered_units) == (placed.id, 1)
    assert live.waiting_in == "awaiting_confirmation"
    assert [(b.label, b.orders, b.backorders) for b in found.buckets if b.orders] == [
        ("3-7 days", 1, 1)
    ]
    everything = open_orders_aging(uow, container.open_orders(uow), SYSTEM, include_history=True)
    assert [a.order.number for a in everything.oldest][-1] == placed.number
    a3 = everything.oldest[0]
    assert (a3.order.channel, a3.waiting_in, a3.late) == ("olist", "in_transit", Late.TO_DELIVER)
    assert a3.days_late == (clock.now.astimezone(ZoneInfo("America/Sao_Paulo")).date()
                            - date(2017, 6, 15)).days  # fmt: skip
    with pytest.raises(PermissionDenied):
        open_orders_aging(uow, container.open_orders(uow), Actor("w", Role.WAREHOUSE))
