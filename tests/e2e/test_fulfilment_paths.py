"""Fulfilment's unhappy paths and rules over HTTP: splits, short picks, rejections,
cancellations, scan mismatches, carrier events, late shipments, dates, availability."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import order_body
from tests.conftest import FakeClock
from tests.e2e.test_fulfilment_api import (
    API,
    carrier_client,
    location,
    place_confirmed,
    product,
    shipments_of,
    stock,
)


@pytest.fixture
def shop(client: TestClient) -> TestClient:
    location(client, "PAR", "FR", "75011", priority=10)
    location(client, "LYO", "FR", "69001")
    location(client, "BER", "DE", "10115")
    for sku in ("TEE", "MUG", "CAP"):
        product(client, sku)
    return client


def levels(client: TestClient, loc: str) -> dict[str, tuple[int, int]]:
    rows = client.get(f"{API}/stock", params={"location": loc}).json()["items"]
    return {r["sku"]: (r["on_hand"], r["reserved"]) for r in rows}


def pick_all(client: TestClient, loc: str, short: dict[str, int] | None = None) -> dict[str, Any]:
    """Make a pick list at loc and complete it, picking everything but `short` per SKU."""
    r = client.post(f"{API}/pick-lists", json={"location": loc})
    assert r.status_code == 201, r.text
    pick = r.json()
    picked = []
    for sid in pick["shipments"]:
        s = client.get(f"{API}/shipments/{sid}").json()
        for ln in s["lines"]:
            missing = (short or {}).get(ln["sku"], 0)
            picked.append(
                {"shipment_id": sid, "sku": ln["sku"], "quantity": ln["quantity"] - missing}
            )
    r = client.post(f"{API}/pick-lists/{pick['id']}/complete", json={"picked": picked})
    assert r.status_code == 200, r.text
    return pick


def pack_and_ship(client: TestClient, sid: int) -> dict[str, Any]:
    s = client.get(f"{API}/shipments/{sid}").json()
    scanned = [{"sku": ln["sku"], "quantity": ln["quantity"]} for ln in s["lines"]]
    r = client.post(f"{API}/shipments/{sid}/pack", json={"scanned": scanned})
    assert r.status_code == 200, r.text
    r = client.post(f"{API}/shipments/{sid}/ship")
    assert r.status_code == 200, r.text
    return r.json()


def test_an_order_no_location_can_ship_alone_is_split_over_the_fewest(shop: TestClient) -> None:
    stock(shop, "PAR", "TEE", 3)
    stock(shop, "LYO", "MUG", 3)
    stock(shop, "BER", "MUG", 3)
    stock(shop, "BER", "CAP", 3)
    order = place_confirmed(shop, ("TEE", 1), ("MUG", 1), ("CAP", 1))
    ships = shipments_of(shop, order["id"])
    assert sorted(s["location"] for s in ships) == ["BER", "PAR"]  # 2 shipments, not 3
    detail = shop.get(f"{API}/orders/{order['id']}").json()
    assert sorted(detail["sourcing"]["chosen"]) == ["BER", "PAR"]
    assert {c["location"] for c in detail["sourcing"]["candidates"]} == {"PAR", "LYO", "BER"}
    types = [e["type"] for e in shop.get(f"{API}/orders/{order['id']}/events").json()["items"]]
    assert "order.sourced" in types and types.count("shipment.created") == 2

    first = pick_all(shop, "PAR")
    assert first["shipments"]
    pack_and_ship(shop, first["shipments"][0])
    assert shop.get(f"{API}/orders/{order['id']}").json()["status"] == "partially_shipped"
    second = pick_all(shop, "BER")
    pack_and_ship(shop, second["shipments"][0])
    assert shop.get(f"{API}/orders/{order['id']}").json()["status"] == "shipped"


BERLIN = {
    "name": "Jonas Weber",
    "line1": "Kastanienallee 1",
    "city": "Berlin",
    "postal_code": "10435",
    "country": "DE",
}


def test_placing_reserves_where_the_order_will_ship_from_and_confirming_moves_nothing(
    shop: TestClient,
) -> None:
    stock(shop, "PAR", "TEE", 3)  # PAR has the higher priority, but BER is cheaper to Berlin
    stock(shop, "BER", "TEE", 3)
    r = shop.post(f"{API}/orders", json=order_body(("TEE", 2), shipping_address=BERLIN))
    order = r.json()
    assert levels(shop, "PAR")["TEE"] == (3, 0) and levels(shop, "BER")["TEE"] == (3, 2)
    before = {loc: ledger_kinds(shop, loc) for loc in ("PAR", "BER")}
    shop.post(f"{API}/orders/{order['id']}/confirm")
    # Both could ship it whole (1 kg); Berlin to Berlin costs 4.99, Paris to Berlin 12.90.
    assert [s["location"] for s in shipments_of(shop, order["id"])] == ["BER"]
    assert {loc: ledger_kinds(shop, loc) for loc in ("PAR", "BER")} == before
    assert before["BER"] == ["count", "reservation"]
    sourcing = shop.get(f"{API}/orders/{order['id']}").json()["sourcing"]
    assert sourcing["rule"] == "one location ships the whole order; lowest cost"
    costs = {c["location"]: c["cost"] for c in sourcing["candidates"]}
    assert costs == {"BER": "4.99", "PAR": "12.90"}


def test_confirm_moves_the_reservation_when_stock_changed_since_placing(
    shop: TestClient,
) -> None:
    stock(shop, "PAR", "TEE", 3)
    r = shop.post(f"{API}/orders", json=order_body(("TEE", 2), shipping_address=BERLIN))
    order = r.json()
    assert levels(shop, "PAR")["TEE"] == (3, 2)  # the only stock there was
    stock(shop, "BER", "TEE", 3)  # then Berlin, cheaper to Berlin, receives some
    shop.post(f"{API}/orders/{order['id']}/confirm")
    assert [s["location"] for s in shipments_of(shop, order["id"])] == ["BER"]
    assert levels(shop, "PAR")["TEE"] == (3, 0) and levels(shop, "BER")["TEE"] == (3, 2)
    ledger = shop.get(f"{API}/stock/PAR/TEE/ledger").json()["items"]
    assert [(e["kind"], e["reserved_delta"], e["reason"]) for e in ledger[-2:]] == [
        ("reservation", 2, None),
        ("release", -2, "order confirmed"),
    ]


def ledger_kinds(shop: TestClient, location: str) -> list[str]:
    rows = shop.get(f"{API}/stock/{location}/TEE/ledger").json()["items"]
    return [e["kind"] for e in rows]


def test_a_holiday_at_the_destination_moves_the_promise(shop: TestClient, clock: FakeClock) -> None:
    stock(shop, "BER", "TEE", 3)
    # Monday 13 July 2026, 09:00 UTC: Berlin ships today; Germany to France takes 3
    # business days of France, and 14 July (Bastille Day) is not one of them.
    clock.now = datetime(2026, 7, 13, 9, 0, tzinfo=UTC)
    place_confirmed(shop, ("TEE", 1))
    sid = pick_all(shop, "BER")["shipments"][0]
    shipped = pack_and_ship(shop, sid)
    assert shipped["tracking_number"].endswith("DE")
    assert (shipped["ship_date"], shipped["promised_delivery_date"]) == (
        "2026-07-13",
        "2026-07-17",
    )


def test_short_pick_counts_the_bin_and_sources_the_rest_elsewhere(shop: TestClient) -> None:
    stock(shop, "PAR", "TEE", 4)
    stock(shop, "LYO", "TEE", 4)
    order = place_confirmed(shop, ("TEE", 3))
    assert [s["location"] for s in shipments_of(shop, order["id"])] == ["PAR"]
    pick_all(shop, "PAR", short={"TEE": 2})
    # The count: PAR had 4, 2 were missing -> 2 on hand, 1 reserved by the picked unit.
    assert levels(shop, "PAR")["TEE"] == (2, 1)
    ledger = shop.get(f"{API}/stock/PAR/TEE/ledger").json()["items"]
    assert any(e["kind"] == "count" and e["on_hand_delta"] == -2 for e in ledger)
    ships = {s["location"]: s for s in shipments_of(shop, order["id"])}
    assert ships["PAR"]["status"] == "picked" and ships["PAR"]["lines"][0]["quantity"] == 1
    assert ships["LYO"]["status"] == "open" and ships["LYO"]["lines"][0]["quantity"] == 2
    assert levels(shop, "LYO")["TEE"] == (4, 2)
    line = shop.get(f"{API}/orders/{order['id']}").json()["lines"][0]
    assert (line["allocated_quantity"], line["backordered_quantity"]) == (3, 0)
    types = [e["type"] for e in shop.get(f"{API}/orders/{order['id']}/events").json()["items"]]
    assert "shipment.short_picked" in types


def test_short_pick_with_no_other_stock_backorders_never_cancels(shop: TestClient) -> None:
    stock(shop, "PAR", "TEE", 2)
    order = place_confirmed(shop, ("TEE", 2))
    pick_all(shop, "PAR", short={"TEE": 2})
    ships = shipments_of(shop, order["id"])
    assert [s["status"] for s in ships] == ["cancelled"]
    line = shop.get(f"{API}/orders/{order['id']}").json()["lines"][0]
    assert (line["allocated_quantity"], line["backordered_quantity"]) == (0, 2)
    assert line["cancelled_quantity"] == 0
    # Stock arrives elsewhere: the backorder is filled and gets a shipment there.
    stock(shop, "LYO", "TEE", 5)
    ships = {s["location"]: s["status"] for s in shipments_of(shop, order["id"])}
    assert ships == {"PAR": "cancelled", "LYO": "open"}


def test_a_rejected_shipment_is_sourced_from_the_other_locations(shop: TestClient) -> None:
    stock(shop, "PAR", "TEE", 2)
    stock(shop, "LYO", "TEE", 2)
    order = place_confirmed(shop, ("TEE", 2))
    (ship,) = shipments_of(shop, order["id"])
    r = shop.post(f"{API}/shipments/{ship['id']}/reject", json={"reason": "water damage"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    now = {s["location"]: s["status"] for s in shipments_of(shop, order["id"])}
    assert now == {"PAR": "cancelled", "LYO": "open"}
    assert levels(shop, "PAR")["TEE"] == (2, 0) and levels(shop, "LYO")["TEE"] == (2, 2)
    events = shop.get(f"{API}/orders/{order['id']}/events").json()["items"]
    rejected = [e for e in events if e["type"] == "shipment.rejected"]
    assert rejected and rejected[0]["data"]["reason"] == "water damage"
    # Only before picking: a shipment on a pick list cannot be rejected.
    pick_all(shop, "LYO")
    lyo = next(s for s in shipments_of(shop, order["id"]) if s["location"] == "LYO")
    r = shop.post(f"{API}/shipments/{lyo['id']}/reject", json={"reason": "late"})
    assert r.status_code == 409


def test_cancel_after_picking_started_releases_and_cancels_the_shipment(shop: TestClient) -> None:
    stock(shop, "PAR", "TEE", 3)
    order = place_confirmed(shop, ("TEE", 2))
    pick = shop.post(f"{API}/pick-lists", json={"location": "PAR"}).json()
    r = shop.post(f"{API}/orders/{order['id']}/cancel", json={"reason": "customer asked"})
    assert r.status_code == 200, r.text
    assert [s["status"] for s in shipments_of(shop, order["id"])] == ["cancelled"]
    assert levels(shop, "PAR")["TEE"] == (3, 0)
    # The picker reports nothing for the cancelled shipment; the list still completes.
    r = shop.post(f"{API}/pick-lists/{pick['id']}/complete", json={"picked": []})
    assert r.status_code == 200, r.text


def test_cancel_after_shipping_is_refused(shop: TestClient) -> None:
    stock(shop, "PAR", "TEE", 3)
    order = place_confirmed(shop, ("TEE", 1))
    pick = pick_all(shop, "PAR")
    pack_and_ship(shop, pick["shipments"][0])
    r = shop.post(f"{API}/orders/{order['id']}/cancel", json={"reason": "too late"})
    assert r.status_code == 409


def test_pick_report_must_cover_every_line_and_stay_within_it(shop: TestClient) -> None:
    stock(shop, "PAR", "TEE", 3)
    stock(shop, "PAR", "MUG", 3)
    order = place_confirmed(shop, ("TEE", 1), ("MUG", 1))
    pick = shop.post(f"{API}/pick-lists", json={"location": "PAR"}).json()
    sid = pick["shipments"][0]
    r = shop.post(
        f"{API}/pick-lists/{pick['id']}/complete",
        json={"picked": [{"shipment_id": sid, "sku": "TEE", "quantity": 5}]},
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"picked[0].quantity", "picked"}
    assert [s["status"] for s in shipments_of(shop, order["id"])] == ["picking"]
    again = shop.post(f"{API}/pick-lists", json={"location": "PAR"})
    assert again.status_code == 409  # nothing left to pick


def test_pick_list_takes_priority_then_age_and_walks_bins_in_order(
    shop: TestClient, clock: FakeClock
) -> None:
    shop.put(f"{API}/stock/PAR/TEE", json={"on_hand": 10, "bin": "B-10"})
    shop.put(f"{API}/stock/PAR/MUG", json={"on_hand": 10, "bin": "B-9"})
    shop.put(f"{API}/stock/PAR/CAP", json={"on_hand": 10, "bin": "A-2"})
    old = place_confirmed(shop, ("TEE", 1))
    clock.advance(minutes=5)
    urgent = place_confirmed(shop, ("MUG", 1), ("CAP", 1), priority=50)
    clock.advance(minutes=5)
    place_confirmed(shop, ("TEE", 2))
    pick = shop.post(f"{API}/pick-lists", json={"location": "PAR", "max_orders": 2}).json()
    orders = {shop.get(f"{API}/shipments/{sid}").json()["order_id"] for sid in pick["shipments"]}
    assert orders == {old["id"], urgent["id"]}
    assert [(ln["bin"], ln["sku"]) for ln in pick["lines"]] == [
        ("A-2", "CAP"),
        ("B-9", "MUG"),
        ("B-10", "TEE"),
    ]


def test_a_given_up_pick_list_puts_its_shipments_back_for_the_next_wave(
    shop: TestClient,
) -> None:
    stock(shop, "PAR", "TEE", 3)
    order = place_confirmed(shop, ("TEE", 1))
    pick = shop.post(f"{API}/pick-lists", json={"location": "PAR"}).json()
    r = shop.post(f"{API}/pick-lists/{pick['id']}/cancel", json={"reason": "scanner broke"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    assert [s["status"] for s in shipments_of(shop, order["id"])] == ["open"]
    again = shop.post(f"{API}/pick-lists/{pick['id']}/cancel", json={"reason": "twice"})
    assert again.status_code == 409
    done = shop.post(f"{API}/pick-lists/{pick['id']}/complete", json={"picked": []})
    assert done.status_code == 409
    assert levels(shop, "PAR")["TEE"] == (3, 1)
    nxt = shop.post(f"{API}/pick-lists", json={"location": "PAR"}).json()
    assert nxt["shipments"] == pick["shipments"]
    types = [e["type"] for e in shop.get(f"{API}/orders/{order['id']}/events").json()["items"]]
    assert "shipment.back_to_open" in types


def test_pack_mismatch_lists_missing_and_extra_and_changes_nothing(shop: TestClient) -> None:
    stock(shop, "PAR", "TEE", 3)
    order = place_confirmed(shop, ("TEE", 2))
    sid = pick_all(shop, "PAR")["shipments"][0]
    r = shop.post(
        f"{API}/shipments/{sid}/pack",
        json={"scanned": [{"sku": "TEE", "quantity": 1}, {"sku": "CAP", "quantity": 1}]},
    )
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = {e["sku"]: (e["expected"], e["scanned"]) for e in r.json()["errors"]}
    assert errors == {"TEE": (2, 1), "CAP": (0, 1)}
    assert shop.get(f"{API}/shipments/{sid}").json()["status"] == "picked"
    assert shop.post(f"{API}/shipments/{sid}/ship").status_code == 409  # not packed
    assert order["id"]


def test_shipping_before_a_holiday_promises_after_it(shop: TestClient, clock: FakeClock) -> None:
    stock(shop, "PAR", "TEE", 3)
    # Thursday 30 April 2026, 16:00 Paris: after the cut-off, so it ships Monday 4 May
    # (1 May is Labour Day, then the weekend); FR domestic takes 2 business days.
    clock.now = datetime(2026, 4, 30, 14, 0, tzinfo=UTC)
    order = place_confirmed(shop, ("TEE", 1))
    sid = pick_all(shop, "PAR")["shipments"][0]
    shipped = pack_and_ship(shop, sid)
    assert shipped["ship_date"] == "2026-05-04"
    assert shipped["promised_delivery_date"] == "2026-05-06"
    assert shipped["tracking_number"].endswith("FR")
    assert order["id"]


def test_carrier_events_are_checked_and_bound_to_the_carrier(
    shop: TestClient, container: Any, clock: FakeClock, client_for: Any
) -> None:
    stock(shop, "PAR", "TEE", 3)
    place_confirmed(shop, ("TEE", 1))
    sid = pick_all(shop, "PAR")["shipments"][0]
    shipped = pack_and_ship(shop, sid)
    number = shipped["tracking_number"]
    carrier = carrier_client(shop, container)
    event = {"tracking_number": number, "status": "in_transit", "at": "2026-03-02T20:00:00Z"}
    bad = {**event, "tracking_number": number[:10] + str((int(number[10]) + 1) % 10) + number[11:]}
    r = carrier.post(f"{API}/carriers/oms-post/events", json=bad)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "tracking_number"
    # `lost` is a carrier's word now (tests/e2e/test_lost_parcels_api.py); `replaced` is oms's
    r = carrier.post(f"{API}/carriers/oms-post/events", json={**event, "status": "replaced"})
    assert r.status_code == 422
    r = carrier.post(f"{API}/carriers/oms-post/events", json={**event, "at": "2026-03-02T20:00:00"})
    assert r.status_code == 422
    other = another_carriers_client(shop, container)
    assert other.post(f"{API}/carriers/oms-post/events", json=event).status_code == 403
    assert (
        client_for("warehouse").post(f"{API}/carriers/oms-post/events", json=event).status_code
        == 403
    )
    unknown = {**event, "tracking_number": "CP999999995FR"}
    assert carrier.post(f"{API}/carriers/oms-post/events", json=unknown).status_code == 404
    assert carrier.post(f"{API}/carriers/oms-post/events", json=event).json()["applied"]
    exception = {**event, "status": "exception", "at": "2026-03-03T09:00:00Z", "note": "no access"}
    assert carrier.post(f"{API}/carriers/oms-post/events", json=exception).json()["applied"]
    events = shop.get(f"{API}/shipments/{sid}/events").json()["items"]
    assert [e["status"] for e in events] == ["in_transit", "exception"]

    # Past the promised date without delivery: late, and listed.
    clock.advance(days=7)
    late = shop.get(f"{API}/shipments", params={"late": "true"}).json()["items"]
    assert [s["id"] for s in late] == [sid] and late[0]["late"] is True
    delivered = {**event, "status": "delivered", "at": "2026-03-09T10:00:00Z"}
    assert carrier.post(f"{API}/carriers/oms-post/events", json=delivered).json()["applied"]
    assert shop.get(f"{API}/shipments", params={"late": "true"}).json()["items"] == []


def another_carriers_client(client: TestClient, container: Any) -> TestClient:
    """A carrier user of a second carrier, `other-post` (a copy of the built-in one)."""
    import sqlalchemy as sa

    from oms.adapters.db.tables import carriers
    from oms.domain.access import SYSTEM, Role
    from oms.domain.users import NewUser
    from oms.services.users import create_user

    with container.engine.begin() as conn:
        row = conn.execute(carriers.select().where(carriers.c.code == "oms-post")).one()._mapping
        values = {k: v for k, v in row.items() if k != "id"}
        conn.execute(
            sa.insert(carriers).values({**values, "code": "other-post", "is_default": False})
        )
    token = create_user(
        container.uow(), SYSTEM, NewUser("other-driver", Role.CARRIER, "other-post")
    ).token.token
    return TestClient(client.app, headers={"Authorization": f"Bearer {token}"})


def test_availability_answers_what_can_be_sold_and_when_it_arrives(shop: TestClient) -> None:
    stock(shop, "PAR", "TEE", 3)
    stock(shop, "BER", "TEE", 4)
    r = shop.get(
        f"{API}/availability", params={"sku": "TEE", "country": "DE", "postal_code": "10115"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["available"] == 7
    per = {p["location"]: p for p in body["locations"]}
    # Monday 09:00 UTC: BER ships today, DE domestic is 1 day; PAR to Germany takes 3.
    assert per["BER"]["promised_delivery_date"] == "2026-03-03"
    assert per["PAR"]["promised_delivery_date"] == "2026-03-05"
    assert body["earliest_promised_delivery_date"] == "2026-03-03"
    missing = shop.get(
        f"{API}/availability", params={"sku": "NOPE", "country": "DE", "postal_code": "1"}
    )
    assert missing.status_code == 404
    bad = shop.get(
        f"{API}/availability", params={"sku": "TEE", "country": "DEU", "postal_code": "1"}
    )
    assert bad.status_code == 422


def test_location_defaults_and_settings(shop: TestClient) -> None:
    locs = {loc["code"]: loc for loc in shop.get(f"{API}/locations").json()["items"]}
    assert locs["BER"]["time_zone"] == "Europe/Berlin"
    assert locs["BER"]["cut_off"] == "15:00:00"
    assert locs["BER"]["working_days"] == [0, 1, 2, 3, 4]
    assert locs["BER"]["default_bin"] == "A-01-01"
    r = shop.patch(
        f"{API}/locations/BER", json={"cut_off": "17:30", "working_days": [0, 1, 2, 3, 4, 5]}
    )
    assert r.status_code == 200, r.text
    assert r.json()["cut_off"] == "17:30:00" and r.json()["working_days"] == [0, 1, 2, 3, 4, 5]
    bad = shop.patch(f"{API}/locations/BER", json={"time_zone": "Mars/Olympus"})
    assert bad.status_code == 422
    assert shop.patch(f"{API}/locations/NOPE", json={}).status_code == 404


def test_warehouse_may_fulfil_and_sales_may_not(shop: TestClient, client_for: Any) -> None:
    stock(shop, "PAR", "TEE", 3)
    place_confirmed(shop, ("TEE", 1))
    sales = client_for("sales")
    assert sales.post(f"{API}/pick-lists", json={"location": "PAR"}).status_code == 403
    assert sales.get(f"{API}/shipments").status_code == 200
    warehouse = client_for("warehouse")
    assert warehouse.post(f"{API}/pick-lists", json={"location": "PAR"}).status_code == 201
