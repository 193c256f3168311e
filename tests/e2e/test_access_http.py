"""Access control over HTTP: every role against every /api/v1 route, and bearer tokens."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from oms.adapters.db.tables import api_tokens, metadata
from oms.adapters.db.tables import users as users_table
from oms.bootstrap import Container, bootstrap
from oms.config import Settings
from oms.domain.access import MATRIX, SYSTEM, Actor, Permission, Role
from oms.domain.channels.model import Channel
from oms.domain.inventory.holds import HoldRequest
from oms.domain.users import NewUser
from oms.services import catalogue, channels, completion, holds, inventory, orders, tracking, users
from oms.services.inventory import StockChange
from oms.services.ports.shipments import ShipmentFilter
from tests.builders import draft, new_location, new_product, order_body
from tests.conftest import bearer, make_user_token

API = "/api/v1"
PROBLEM = "application/problem+json"
ClientFor = Callable[[str | None], TestClient]


@dataclass(frozen=True)
class World:
    """What every action works on: a stocked product, a pending and a held order, and a
    user `victim` with a token, for the user and token calls to act on."""

    pending: int
    held: int
    victim_token_id: int
    victim_token: str
    fulfilment: Fulfilment | None = None
    returns: Returns | None = None
    notices: Notices | None = None
    delivery: Delivery | None = None
    hold: int = 0  # a live checkout hold of 1 MUG on channel web
    editable: tuple[int, int, int] = (0, 0, 0)  # an order of a mug and a cap, its line ids
    buying: Buying | None = None  # planning: supplier ACME's purchase orders


@dataclass(frozen=True)
class Fulfilment:
    """Shipments at every warehouse step, for the fulfilment calls to act on."""

    shipped: int
    tracking_number: str
    packed: int
    picked: int
    picking_list: int
    open: int
    lost: int  # shipped, then declared lost

    @staticmethod
    def make(uow: Any) -> Fulfilment:
        from oms.domain.fulfilment.model import Picked
        from oms.services import lost_parcels, picking, warehouse

        def confirmed_shipment() -> int:
            order = orders.place_order(uow, SYSTEM, draft(("MUG", 1))).order
            orders.confirm_order(uow, SYSTEM, order.id)
            return tracking.list_shipments(uow, SYSTEM, ShipmentFilter(order_id=order.id))[0].id

        def to_picked(sid: int) -> int:
            pick = picking.create_pick_list(uow, SYSTEM, "PAR")
            picking.complete_pick_list(uow, SYSTEM, pick.id, [Picked(sid, "MUG", 1)])
            return sid

        shipped = to_picked(confirmed_shipment())
        warehouse.pack_shipment(uow, SYSTEM, shipped, [("MUG", 1)])
        number = warehouse.ship_shipment(uow, SYSTEM, shipped).tracking_number
        lost = to_picked(confirmed_shipment())
        warehouse.pack_shipment(uow, SYSTEM, lost, [("MUG", 1)])
        warehouse.ship_shipment(uow, SYSTEM, lost)
        lost_parcels.declare_lost(uow, SYSTEM, lost, "the carrier cannot find it")
        packed = to_picked(confirmed_shipment())
        warehouse.pack_shipment(uow, SYSTEM, packed, [("MUG", 1)])
        picked = to_picked(confirmed_shipment())
        confirmed_shipment()
        started = picking.create_pick_list(uow, SYSTEM, "PAR")
        assert number is not None
        return Fulfilment(shipped, number, packed, picked, started.id, confirmed_shipment(), lost)


@dataclass(frozen=True)
class Returns:
    """A delivered order of eight mugs, paid, and returns of one mug at each step (three
    inspected: to refund, exchange and close); a paid order of two mugs (a line to cancel);
    a refund that failed at the `card` provider (to retry)."""

    delivered: int
    requested: int
    approved: int
    received: int
    inspected: tuple[int, int, int]
    paid: int
    paid_line: int
    failed_refund: int
    problem: int  # reported on the delivered order, open

    @staticmethod
    def make(uow: Any) -> Returns:
        from oms.adapters.payments.manual import ProviderBook
        from oms.domain.fulfilment.model import Picked
        from oms.domain.returns.model import Inspected
        from oms.domain.returns.policy import RequestedLine
        from oms.domain.returns.reasons import Resolution, ReturnReason
        from oms.services import payments, picking, return_policies, returns, warehouse
        from oms.services.payments import RecordPayment
        from oms.services.return_policies import SetPolicy
        from oms.services.returns import ReceiveReturn, StartReturn
        from tests.fakes import Flaky

        def paid(quantity: int, provider: str = "manual") -> Any:
            order = orders.place_order(uow, SYSTEM, draft(("MUG", quantity))).order
            pay = RecordPayment(order.totals.total.amount, provider, f"pay-{order.id}")
            payments.record_payment(uow, SYSTEM, order.id, pay)
            return order

        order = paid(8)
        orders.confirm_order(uow, SYSTEM, order.id)
        pick = picking.create_pick_list(uow, SYSTEM, "PAR")
        [sid] = pick.shipment_ids
        picking.complete_pick_list(uow, SYSTEM, pick.id, [Picked(sid, "MUG", 8)])
        warehouse.pack_shipment(uow, SYSTEM, sid, [("MUG", 8)])
        number = warehouse.ship_shipment(uow, SYSTEM, sid).tracking_number
        event = {"tracking_number": number, "status": "delivered", "at": uow.now()}
        tracking.record_carrier_event(uow, SYSTEM, "oms-post", event)
        one = StartReturn([RequestedLine("MUG", 1, ReturnReason.DAMAGED)], Resolution.REFUND)
        ids = [returns.start_return(uow, SYSTEM, order.id, one).id for _ in range(6)]
        for i in ids[1:]:
            returns.approve_return(uow, SYSTEM, i)
        for i in ids[2:]:
            returns.receive_return(uow, SYSTEM, i, ReceiveReturn("PAR", [("MUG", 1)]))
        for i in ids[3:]:
            returns.inspect_return(uow, SYSTEM, i, [Inspected("MUG", 1, 0)])
        return_policies.set_policy(uow, SYSTEM, "market", SetPolicy(60))
        two = paid(2)
        cast(ProviderBook, uow.providers).add(Flaky(failures=1))
        by_card = paid(1, "card")
        orders.cancel_order(uow, SYSTEM, by_card.id, "customer called")
        [failed] = payments.refunds_of_order(uow, SYSTEM, by_card.id)
        assert failed.status == "failed"
        problem = completion.record_problem(uow, SYSTEM, order.id, "damaged", "dented")
        return Returns(
            order.id, ids[0], ids[1], ids[2], (ids[3], ids[4], ids[5]),
            two.id, two.lines[0].id, failed.id, problem.id,
        )  # fmt: skip


@dataclass(frozen=True)
class Notices:
    """A webhook subscription and a delivery to it that died (to retry)."""

    webhook: int
    dead: int

    @staticmethod
    def make(uow: Any) -> Notices:
        from oms.domain.notifications.delivery import Outcome
        from oms.services import notifications, webhooks

        hook = webhooks.create_webhook(
            uow, SYSTEM, "https://1.1.1.1/in", ["order.placed"], "k", lambda url: None
        )
        notifications.fan_out(uow)  # the world's orders, placed before
        now = uow.now()
        claimed = uow.run(lambda: uow.outbox.claim_due(now, 1, now))
        uow.run(lambda: uow.outbox.record(claimed[0].id, Outcome(False, 500), now, None))
        return Notices(hook.id, claimed[0].id)


LOCAL = {"postal_prefixes": ["75"], "base": "4.90", "per_kg": "0.50", "currency": "EUR"}


@dataclass(frozen=True)
class Delivery:
    """PAR delivers Paris: a parcel waiting for a run, a planned run, a started run with a
    stop to report and a stop delivered with a proof; a driver `van` at PAR."""

    free: int
    planned_run: int
    planned_stop: int
    run: int
    stop: int
    delivered: int

    @staticmethod
    def make(uow: Any) -> Delivery:
        from oms.domain.fulfilment.delivery_runs import Proof, delivered
        from oms.domain.fulfilment.local_delivery import LocalDeliverySettings
        from oms.domain.fulfilment.model import Picked
        from oms.services import delivery_runs, delivery_stops, local_delivery, picking, warehouse

        settings = LocalDeliverySettings(("75",), Decimal("4.90"), Decimal("0.50"), "EUR")
        local_delivery.set_local_delivery(uow, SYSTEM, "PAR", settings)
        users.create_user(uow, SYSTEM, NewUser("van", Role.DRIVER, location="PAR"))

        def packed() -> int:
            order = orders.place_order(uow, SYSTEM, draft(("MUG", 1))).order
            orders.confirm_order(uow, SYSTEM, order.id)
            [sid] = [
                s.id
                for s in tracking.list_shipments(uow, SYSTEM, ShipmentFilter(order_id=order.id))
            ]
            pick = picking.create_pick_list(uow, SYSTEM, "PAR", shipment_ids=[sid])
            picking.complete_pick_list(uow, SYSTEM, pick.id, [Picked(sid, "MUG", 1)])
            warehouse.pack_shipment(uow, SYSTEM, sid, [("MUG", 1)])
            return sid

        planned_stop, stop, done = packed(), packed(), packed()
        planned = delivery_runs.create_run(uow, SYSTEM, "PAR", [planned_stop])
        started = delivery_runs.create_run(uow, SYSTEM, "PAR", [stop, done])
        # Started by the test's driver (`driver-user`), so that driver may report its stops.
        delivery_stops.start_run(
            uow, Actor("driver-user", Role.DRIVER, location_code="PAR"), started.id
        )
        proof = Proof(b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "image/png")
        delivery_stops.record_stop(uow, SYSTEM, started.id, done, delivered("Ann", proof))
        return Delivery(packed(), planned.id, planned_stop, started.id, stop, done)


@dataclass(frozen=True)
class Buying:
    """Planning (issue 13): supplier ACME, a draft, a sent and a partly received order."""

    draft: int
    sent: int
    sent_line: int
    partial: int

    @staticmethod
    def make(container: Container) -> Buying:
        from oms.domain.planning.purchase_orders import Supplier
        from oms.services import purchasing
        from oms.services.purchasing import NewPurchaseOrder

        uow = container.uow()
        store = container.purchase_orders(uow)
        purchasing.create_supplier(uow, store, SYSTEM, Supplier(0, "ACME", "Acme", "EUR", 7))
        new = NewPurchaseOrder("ACME", "PAR", [("MUG", 10, 250)])
        draft_id, sent, partial = (
            purchasing.create_purchase_order(uow, store, SYSTEM, new).id for _ in range(3)
        )
        for po in (sent, partial):
            purchasing.send(uow, store, SYSTEM, po)
        line = purchasing.get_purchase_order(uow, store, SYSTEM, partial).order.lines[0].id
        purchasing.receive(uow, store, SYSTEM, partial, {line: 4})
        sent_line = purchasing.get_purchase_order(uow, store, SYSTEM, sent).order.lines[0].id
        return Buying(draft_id, sent, sent_line, partial)


def bb(w: World) -> Buying:
    assert w.buying is not None
    return w.buying


def dd(w: World) -> Delivery:
    assert w.delivery is not None
    return w.delivery


def nn(w: World) -> Notices:
    assert w.notices is not None
    return w.notices


def rr(w: World) -> Returns:
    assert w.returns is not None
    return w.returns


def make_world(
    container: Container,
    fulfilment: bool = False,
    with_returns: bool = False,
    notices: bool = False,
    delivery: bool = False,
    buying: bool = False,
) -> World:
    uow = container.uow()
    catalogue.create_location(uow, SYSTEM, new_location("PAR"))
    catalogue.create_product(uow, SYSTEM, new_product("MUG"))
    inventory.count_stock(uow, SYSTEM, StockChange("PAR", "MUG", "initial", on_hand=50))
    pending = orders.place_order(uow, SYSTEM, draft(("MUG", 1))).order.id
    held = orders.place_order(uow, SYSTEM, draft(("MUG", 1))).order.id
    orders.hold_order(uow, SYSTEM, held, "payment check")
    victim = users.create_user(uow, SYSTEM, NewUser("victim", Role.SALES))
    channels.create_channel(uow, SYSTEM, Channel("shop"))  # channels: a record to change
    done = Fulfilment.make(uow) if fulfilment else None
    back = Returns.make(uow) if with_returns else None
    told = Notices.make(uow) if notices else None
    van = Delivery.make(uow) if delivery else None
    catalogue.create_product(uow, SYSTEM, new_product("CAP"))
    two = orders.place_order(uow, SYSTEM, draft(("MUG", 1), ("CAP", 1))).order
    editable = (two.id, two.lines[0].id, two.lines[1].id)
    cart = holds.create_hold(uow, SYSTEM, HoldRequest("web", [("MUG", 1)])).id
    return World(
        pending,
        held,
        victim.token.info.id,
        victim.token.token,
        done,
        back,
        told,
        van,
        cart,
        editable,
        Buying.make(container) if buying else None,
    )


@dataclass(frozen=True)
class Action:
    """One API call: its route, the permission it needs (None: any valid token), a request
    that succeeds from a fresh World, and the status that success answers."""

    method: str
    route: str
    permission: Permission | tuple[Permission, ...] | None  # a tuple: any of them
    url: Callable[[World], str]
    body: Callable[[World], dict[str, Any]] | None = None
    ok: int = 200
    files: Callable[[World], dict[str, Any]] | None = None  # a multipart upload

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}"

    @property
    def fulfilment(self) -> bool:
        return self.route.startswith(("/shipments", "/pick-lists", "/carriers"))

    @property
    def delivery(self) -> bool:
        return "delivery" in self.route or "waiting-parcels" in self.route or "proof" in self.route

    def allowed(self, role: Role) -> bool:
        if self.permission is None:
            return True
        wanted = self.permission if isinstance(self.permission, tuple) else (self.permission,)
        return any(p in MATRIX[role] for p in wanted)

    @property
    def buying(self) -> bool:
        return self.route.startswith(("/suppliers", "/purchase-orders", "/planning"))

    @property
    def notices(self) -> bool:
        return self.route.startswith(("/webhooks", "/deliveries"))

    @property
    def returns(self) -> bool:
        return "/returns" in self.route or self.route.startswith(
            ("/return-policies", "/refunds", "/orders/{order_id}/payments",
             "/orders/{order_id}/refunds", "/orders/{order_id}/lines",
             "/orders/{order_id}/problems/")
        )  # fmt: skip


def ff(w: World) -> Fulfilment:
    assert w.fulfilment is not None
    return w.fulfilment


LOCATION = {
    "code": "LYO",
    "name": "Lyon",
    "kind": "store",
    "country": "FR",
    "postal_code": "69001",
    "ships": True,
}
REASON = {"reason": "customer called"}
P = Permission
DRIVE = (P.DELIVERY_DISPATCH, P.DELIVERY_DRIVE)  # dispatchers, and drivers at their location

ACTIONS = [
    Action("GET", "/products", P.CATALOGUE_READ, lambda w: "/products"),
    Action("GET", "/products/{sku}", P.CATALOGUE_READ, lambda w: "/products/MUG"),
    Action(
        "POST",
        "/products",
        P.CATALOGUE_WRITE,
        lambda w: "/products",
        lambda w: {"sku": "NEW-1", "name": "New", "price": "5.00"},
        201,
    ),
    Action(
        "PATCH",
        "/products/{sku}",
        P.CATALOGUE_WRITE,
        lambda w: "/products/MUG",
        lambda w: {"price": "9.50", "archived": True},
    ),
    Action("GET", "/locations", P.CATALOGUE_READ, lambda w: "/locations"),
    Action("POST", "/locations", P.LOCATION_WRITE, lambda w: "/locations", lambda w: LOCATION, 201),
    Action("GET", "/stock", P.STOCK_READ, lambda w: "/stock?sku=MUG"),
    Action(
        "PUT",
        "/stock/{location_code}/{sku}",
        P.STOCK_WRITE,
        lambda w: "/stock/PAR/MUG",
        lambda w: {"on_hand": 60},
    ),
    Action(
        "POST",
        "/stock/{location_code}/{sku}/adjustments",
        P.STOCK_WRITE,
        lambda w: "/stock/PAR/MUG/adjustments",
        lambda w: {"delta": 5, "reason": "found in the back"},
    ),
    Action(
        "GET",
        "/stock/{location_code}/{sku}/ledger",
        P.STOCK_READ,
        lambda w: "/stock/PAR/MUG/ledger",
    ),
    Action(
        "POST",
        "/orders",
        P.ORDER_CREATE,
        lambda w: "/orders",
        lambda w: order_body(("MUG", 1)),
        201,
    ),
    Action("GET", "/orders", P.ORDER_READ, lambda w: "/orders"),
    Action("GET", "/orders/{order_id}", P.ORDER_READ, lambda w: f"/orders/{w.pending}"),
    Action(
        "GET", "/orders/{order_id}/events", P.ORDER_READ, lambda w: f"/orders/{w.pending}/events"
    ),
    Action(
        "POST",
        "/orders/{order_id}/notes",
        P.ORDER_NOTE,
        lambda w: f"/orders/{w.pending}/notes",
        lambda w: {"text": "customer called about the colour"},
        201,
    ),
    Action(
        "POST",
        "/orders/{order_id}/confirm",
        P.ORDER_CONFIRM,
        lambda w: f"/orders/{w.pending}/confirm",
    ),
    Action(
        "POST",
        "/orders/{order_id}/hold",
        P.ORDER_HOLD,
        lambda w: f"/orders/{w.pending}/hold",
        lambda w: REASON,
    ),
    Action(
        "POST",
        "/orders/{order_id}/release",
        P.ORDER_HOLD,
        lambda w: f"/orders/{w.held}/release",
        lambda w: REASON,
    ),
    Action(
        "POST",
        "/orders/{order_id}/cancel",
        P.ORDER_CANCEL,
        lambda w: f"/orders/{w.pending}/cancel",
        lambda w: REASON,
    ),
    Action(
        "PATCH",
        "/locations/{code}",
        P.LOCATION_WRITE,
        lambda w: "/locations/PAR",
        lambda w: {"cut_off": "16:00"},
    ),
    Action(
        "GET",
        "/availability",
        P.SHIPMENT_READ,
        lambda w: "/availability?sku=MUG&country=FR&postal_code=75002",
    ),
    Action("GET", "/shipments", P.SHIPMENT_READ, lambda w: "/shipments?late=true"),
    Action(
        "GET", "/shipments/{shipment_id}", P.SHIPMENT_READ, lambda w: f"/shipments/{ff(w).open}"
    ),
    Action(
        "GET",
        "/shipments/{shipment_id}/events",
        P.SHIPMENT_READ,
        lambda w: f"/shipments/{ff(w).shipped}/events",
    ),
    Action(
        "GET",
        "/shipments/{shipment_id}/label.pdf",
        P.SHIPMENT_READ,
        lambda w: f"/shipments/{ff(w).shipped}/label.pdf",
    ),
    Action(
        "GET",
        "/shipments/{shipment_id}/packing-slip.pdf",
        P.SHIPMENT_READ,
        lambda w: f"/shipments/{ff(w).packed}/packing-slip.pdf",
    ),
    Action(
        "POST",
        "/shipments/{shipment_id}/pack",
        P.FULFIL,
        lambda w: f"/shipments/{ff(w).picked}/pack",
        lambda w: {"scanned": [{"sku": "MUG", "quantity": 1}]},
    ),
    Action(
        "POST",
        "/shipments/{shipment_id}/ship",
        P.FULFIL,
        lambda w: f"/shipments/{ff(w).packed}/ship",
        lambda w: {},
    ),
    Action(
        "POST",
        "/shipments/{shipment_id}/lost",
        P.SHIPMENT_RESHIP,
        lambda w: f"/shipments/{ff(w).shipped}/lost",
        lambda w: {"reason": "the carrier cannot find it"},
    ),
    Action(
        "POST",
        "/shipments/{shipment_id}/reship",
        P.SHIPMENT_RESHIP,
        lambda w: f"/shipments/{ff(w).lost}/reship",
    ),
    Action(
        "POST",
        "/shipments/{shipment_id}/reject",
        P.FULFIL,
        lambda w: f"/shipments/{ff(w).open}/reject",
        lambda w: {"reason": "flooded"},
    ),
    Action("GET", "/pick-lists", P.SHIPMENT_READ, lambda w: "/pick-lists?location=PAR"),
    Action(
        "GET",
        "/pick-lists/{pick_list_id}",
        P.SHIPMENT_READ,
        lambda w: f"/pick-lists/{ff(w).picking_list}",
    ),
    Action(
        "GET",
        "/pick-lists/{pick_list_id}/pick-list.pdf",
        P.SHIPMENT_READ,
        lambda w: f"/pick-lists/{ff(w).picking_list}/pick-list.pdf",
    ),
    Action(
        "POST",
        "/pick-lists",
        P.FULFIL,
        lambda w: "/pick-lists",
        lambda w: {"location": "PAR"},
        201,
    ),
    Action(
        "POST",
        "/pick-lists/{pick_list_id}/complete",
        P.FULFIL,
        lambda w: f"/pick-lists/{ff(w).picking_list}/complete",
        lambda w: {"picked": [{"shipment_id": ff(w).open - 1, "sku": "MUG", "quantity": 1}]},
    ),
    Action(
        "POST",
        "/pick-lists/{pick_list_id}/cancel",
        P.FULFIL,
        lambda w: f"/pick-lists/{ff(w).picking_list}/cancel",
        lambda w: {"reason": "picker called away"},
    ),
    Action(
        "POST",
        "/carriers/{carrier}/events",
        P.TRACKING_EVENT,
        lambda w: "/carriers/oms-post/events",
        lambda w: {
            "tracking_number": ff(w).tracking_number,
            "status": "in_transit",
            "at": "2026-03-02T18:00:00Z",
        },
    ),
    Action(
        "POST",
        "/orders/{order_id}/returns",
        P.RETURN_CREATE,
        lambda w: f"/orders/{rr(w).delivered}/returns",
        lambda w: {
            "lines": [{"sku": "MUG", "quantity": 1, "reason": "changed_mind"}],
            "resolution": "refund",
        },
        201,
    ),
    Action("GET", "/service/queue", P.ORDER_READ, lambda w: "/service/queue"),
    Action("GET", "/reports/stage-times", P.REPORT_READ, lambda w: "/reports/stage-times"),
    Action("GET", "/reports/open-orders", P.REPORT_READ, lambda w: "/reports/open-orders"),
    Action(
        "GET",
        "/reports/work-in-progress",
        P.REPORT_READ,
        lambda w: "/reports/work-in-progress?from=2026-03-01&to=2026-03-02",
    ),
    # insight, second part (issue 12)
    Action("GET", "/reports/perfect-orders", P.REPORT_READ, lambda w: "/reports/perfect-orders"),
    Action("GET", "/reports/returns", P.REPORT_READ, lambda w: "/reports/returns"),
    Action("GET", "/reports/cash", P.REPORT_READ, lambda w: "/reports/cash"),
    Action("GET", "/reports/loyalty", P.REPORT_READ, lambda w: "/reports/loyalty"),
    Action("GET", "/customers/{email}", P.ORDER_READ, lambda w: "/customers/ann@example.com"),
    Action("GET", "/returns", P.ORDER_READ, lambda w: "/returns?status=requested"),
    Action("GET", "/returns/{return_id}", P.ORDER_READ, lambda w: f"/returns/{rr(w).requested}"),
    Action(
        "GET",
        "/returns/{return_id}/label.pdf",
        P.ORDER_READ,
        lambda w: f"/returns/{rr(w).approved}/label.pdf",
    ),
    Action(
        "POST",
        "/returns/{return_id}/approve",
        P.RETURN_MANAGE,
        lambda w: f"/returns/{rr(w).requested}/approve",
    ),
    Action(
        "POST",
        "/returns/{return_id}/reject",
        P.RETURN_MANAGE,
        lambda w: f"/returns/{rr(w).requested}/reject",
        lambda w: {"reason": "no proof of damage"},
    ),
    Action(
        "POST",
        "/returns/{return_id}/receive",
        P.RETURN_RECEIVE,
        lambda w: f"/returns/{rr(w).approved}/receive",
        lambda w: {"location": "PAR", "lines": [{"sku": "MUG", "quantity": 1}]},
    ),
    Action(
        "POST",
        "/returns/{return_id}/inspect",
        P.RETURN_RECEIVE,
        lambda w: f"/returns/{rr(w).received}/inspect",
        lambda w: {"lines": [{"sku": "MUG", "resellable": 0, "damaged": 1}]},
    ),
    Action(
        "POST",
        "/returns/{return_id}/refund",
        P.REFUND_ISSUE,
        lambda w: f"/returns/{rr(w).inspected[0]}/refund",
        ok=201,
    ),
    Action(
        "POST",
        "/returns/{return_id}/exchange",
        P.RETURN_MANAGE,
        lambda w: f"/returns/{rr(w).inspected[1]}/exchange",
        ok=201,
    ),
    Action(
        "POST",
        "/returns/{return_id}/close",
        P.RETURN_MANAGE,
        lambda w: f"/returns/{rr(w).inspected[2]}/close",
        lambda w: {"reason": "settled with a voucher"},
    ),
    Action(
        "POST",
        "/orders/{order_id}/payments",
        P.PAYMENT_RECORD,
        lambda w: f"/orders/{w.pending}/payments",
        lambda w: {"amount": "1.00", "reference": "bank-transfer-1"},
        201,
    ),
    Action(
        "GET",
        "/orders/{order_id}/payments",
        P.ORDER_READ,
        lambda w: f"/orders/{rr(w).delivered}/payments",
    ),
    Action(
        "GET",
        "/orders/{order_id}/refunds",
        P.ORDER_READ,
        lambda w: f"/orders/{rr(w).delivered}/refunds",
    ),
    Action(
        "GET", "/refunds/{refund_id}", P.ORDER_READ, lambda w: f"/refunds/{rr(w).failed_refund}"
    ),
    Action(
        "GET",
        "/orders/{order_id}/problems",
        P.ORDER_READ,
        lambda w: f"/orders/{w.pending}/problems",
    ),
    Action(
        "POST",
        "/orders/{order_id}/problems",
        P.PROBLEM_RESOLVE,
        lambda w: f"/orders/{w.pending}/problems",
        lambda w: {"reason": "never_arrived", "note": "called"},
        ok=201,
    ),
    Action(
        "POST",
        "/orders/{order_id}/problems/{problem_id}/resolve",
        P.PROBLEM_RESOLVE,
        lambda w: f"/orders/{rr(w).delivered}/problems/{rr(w).problem}/resolve",
        lambda w: {"resolution": "refunded the dented mug"},
    ),
    Action(
        "POST",
        "/refunds/{refund_id}/retry",
        P.REFUND_ISSUE,
        lambda w: f"/refunds/{rr(w).failed_refund}/retry",
    ),
    Action(
        "POST",
        "/orders/{order_id}/lines/{line_id}/cancel",
        P.ORDER_CANCEL,
        lambda w: f"/orders/{rr(w).paid}/lines/{rr(w).paid_line}/cancel",
        lambda w: {"quantity": 1, "reason": "customer called"},
    ),
    Action("GET", "/return-policies", P.ORDER_READ, lambda w: "/return-policies"),
    Action("GET", "/return-policies/{channel}", P.ORDER_READ, lambda w: "/return-policies/web"),
    Action(
        "PUT",
        "/return-policies/{channel}",
        P.RETURN_POLICY,
        lambda w: "/return-policies/web",
        lambda w: {"window_days": 14, "non_returnable": ["MUG"], "customer_pays": ["other"]},
    ),
    Action(
        "DELETE",
        "/return-policies/{channel}",
        P.RETURN_POLICY,
        lambda w: "/return-policies/market",
        ok=204,
    ),
    Action("GET", "/me", None, lambda w: "/me"),
    Action("GET", "/users", P.USER_MANAGE, lambda w: "/users"),
    Action(
        "POST",
        "/users",
        P.USER_MANAGE,
        lambda w: "/users",
        lambda w: {"name": "newbie", "role": "analyst"},
        201,
    ),
    Action(
        "PATCH",
        "/users/{name}",
        P.USER_MANAGE,
        lambda w: "/users/victim",
        lambda w: {"role": "sales", "location": "PAR"},
    ),
    Action("POST", "/users/{name}/disable", P.USER_MANAGE, lambda w: "/users/victim/disable"),
    Action("GET", "/tokens", P.USER_MANAGE, lambda w: "/tokens"),
    Action(
        "POST", "/tokens", P.USER_MANAGE, lambda w: "/tokens", lambda w: {"user": "victim"}, 201
    ),
    Action(
        "DELETE",
        "/tokens/{token_id}",
        P.USER_MANAGE,
        lambda w: f"/tokens/{w.victim_token_id}",
        ok=204,
    ),
    Action(
        "POST",
        "/webhooks",
        P.NOTIFICATION_MANAGE,
        lambda w: "/webhooks",
        lambda w: {"url": "https://1.1.1.1/hooks", "events": ["order.placed"]},
        201,
    ),
    Action("GET", "/webhooks", P.NOTIFICATION_MANAGE, lambda w: "/webhooks"),
    Action(
        "DELETE",
        "/webhooks/{webhook_id}",
        P.NOTIFICATION_MANAGE,
        lambda w: f"/webhooks/{nn(w).webhook}",
        ok=204,
    ),
    Action(
        "GET",
        "/webhooks/{webhook_id}/deliveries",
        P.NOTIFICATION_MANAGE,
        lambda w: f"/webhooks/{nn(w).webhook}/deliveries",
    ),
    Action("GET", "/deliveries", P.NOTIFICATION_MANAGE, lambda w: "/deliveries?status=dead"),
    Action(
        "POST",
        "/deliveries/{delivery_id}/retry",
        P.NOTIFICATION_MANAGE,
        lambda w: f"/deliveries/{nn(w).dead}/retry",
    ),
    Action(
        "PUT",
        "/locations/{code}/local-delivery",
        P.LOCATION_WRITE,
        lambda w: "/locations/PAR/local-delivery",
        lambda w: LOCAL,
    ),
    Action(
        "GET",
        "/locations/{code}/local-delivery",
        P.CATALOGUE_READ,
        lambda w: "/locations/PAR/local-delivery",
    ),
    Action(
        "GET",
        "/locations/{code}/waiting-parcels",
        DRIVE,
        lambda w: "/locations/PAR/waiting-parcels",
    ),
    Action(
        "POST",
        "/delivery-runs",
        P.DELIVERY_DISPATCH,
        lambda w: "/delivery-runs",
        lambda w: {"location": "PAR", "shipment_ids": [dd(w).free]},
        201,
    ),
    Action("GET", "/delivery-runs", DRIVE, lambda w: "/delivery-runs"),
    Action(
        "GET", "/delivery-runs/{run_id}", DRIVE, lambda w: f"/delivery-runs/{dd(w).planned_run}"
    ),
    Action(
        "PUT",
        "/delivery-runs/{run_id}/stops",
        P.DELIVERY_DISPATCH,
        lambda w: f"/delivery-runs/{dd(w).planned_run}/stops",
        lambda w: {"order": [dd(w).planned_stop]},
    ),
    Action(
        "POST",
        "/delivery-runs/{run_id}/start",
        DRIVE,
        lambda w: f"/delivery-runs/{dd(w).planned_run}/start",
        lambda w: {"driver": "van"},
    ),
    Action(
        "POST",
        "/delivery-runs/{run_id}/stops/{shipment_id}/delivered",
        DRIVE,
        lambda w: f"/delivery-runs/{dd(w).run}/stops/{dd(w).stop}/delivered",
        lambda w: {"recipient": "Ann Smith"},
    ),
    Action(
        "POST",
        "/delivery-runs/{run_id}/stops/{shipment_id}/failed",
        DRIVE,
        lambda w: f"/delivery-runs/{dd(w).run}/stops/{dd(w).stop}/failed",
        lambda w: {"reason": "not_home"},
    ),
    Action(
        "POST",
        "/delivery-runs/{run_id}/finish",
        DRIVE,
        lambda w: f"/delivery-runs/{dd(w).run}/finish",
    ),
    Action(
        "GET",
        "/delivery-runs/{run_id}/manifest.pdf",
        DRIVE,
        lambda w: f"/delivery-runs/{dd(w).run}/manifest.pdf",
    ),
    Action(
        "GET",
        "/shipments/{shipment_id}/proof",
        P.ORDER_READ,
        lambda w: f"/shipments/{dd(w).delivered}/proof",
    ),
    # channels: checkout holds and the availability feed
    Action(
        "POST",
        "/holds",
        P.HOLD_CREATE,
        lambda w: "/holds",
        lambda w: {"channel": "web", "lines": [{"sku": "MUG", "quantity": 2}]},
        ok=201,
    ),
    Action("DELETE", "/holds/{hold_id}", P.HOLD_CREATE, lambda w: f"/holds/{w.hold}", ok=204),
    Action(
        "GET",
        "/channels/{channel}/availability",
        P.CHANNEL_AVAILABILITY,
        lambda w: "/channels/web/availability?sku=MUG",
    ),
    # Channels (issue 14)
    Action("GET", "/channels", P.ORDER_READ, lambda w: "/channels"),
    Action("GET", "/channels/{name}", P.ORDER_READ, lambda w: "/channels/shop"),
    Action(
        "POST",
        "/channels",
        P.CHANNEL_MANAGE,
        lambda w: "/channels",
        lambda w: {"name": "market", "kind": "marketplace"},
        201,
    ),
    Action(
        "PATCH",
        "/channels/{name}",
        P.CHANNEL_MANAGE,
        lambda w: "/channels/shop",
        lambda w: {"buffer_units": 3},
    ),
    Action("POST", "/channels/{name}/secret", P.CHANNEL_MANAGE, lambda w: "/channels/shop/secret"),
    Action(
        "POST",
        "/channels/{name}/imports",
        P.ORDER_CREATE,
        lambda w: "/channels/shop/imports",
        files=lambda w: {"file": ("o.csv", b"external_id,sku,quantity\n", "text/csv")},
    ),
    # Kits (decision 0008)
    Action(
        "GET",
        "/products/{sku}/availability",
        P.CATALOGUE_READ,
        lambda w: "/products/MUG/availability",
    ),
    # Order edits (docs/order-edits.md)
    Action(
        "PATCH",
        "/orders/{order_id}",
        P.ORDER_EDIT,
        lambda w: f"/orders/{w.pending}",
        lambda w: {"priority": 5},
    ),
    Action(
        "POST",
        "/orders/{order_id}/lines",
        P.ORDER_EDIT,
        lambda w: f"/orders/{w.pending}/lines",
        lambda w: {"sku": "CAP", "quantity": 1},
        201,
    ),
    Action(
        "PATCH",
        "/orders/{order_id}/lines/{line_id}",
        P.ORDER_EDIT,
        lambda w: f"/orders/{w.editable[0]}/lines/{w.editable[1]}",
        lambda w: {"quantity": 2},
    ),
    Action(
        "DELETE",
        "/orders/{order_id}/lines/{line_id}",
        P.ORDER_EDIT,
        lambda w: f"/orders/{w.editable[0]}/lines/{w.editable[2]}",
    ),
    # Planning (issue 13): suppliers and purchase orders
    Action(
        "POST",
        "/suppliers",
        P.PURCHASING_WRITE,
        lambda w: "/suppliers",
        lambda w: {"code": "NEW", "name": "New", "currency": "EUR", "lead_time_days": 3},
        201,
    ),
    Action("GET", "/suppliers", P.PLANNING_READ, lambda w: "/suppliers"),
    Action("GET", "/suppliers/{code}", P.PLANNING_READ, lambda w: "/suppliers/ACME"),
    Action(
        "PATCH",
        "/suppliers/{code}",
        P.PURCHASING_WRITE,
        lambda w: "/suppliers/ACME",
        lambda w: {"lead_time_days": 5},
    ),
    Action(
        "PUT",
        "/suppliers/{code}/products/{sku}",
        P.PURCHASING_WRITE,
        lambda w: "/suppliers/ACME/products/MUG",
        lambda w: {"unit_cost": "2.50"},
    ),
    Action(
        "POST",
        "/purchase-orders",
        P.PURCHASING_WRITE,
        lambda w: "/purchase-orders",
        lambda w: {
            "supplier": "ACME",
            "location": "PAR",
            "lines": [{"sku": "MUG", "quantity": 5, "unit_cost": "2.50"}],
        },
        201,
    ),
    Action("GET", "/purchase-orders", P.PLANNING_READ, lambda w: "/purchase-orders"),
    Action(
        "GET",
        "/purchase-orders/{purchase_order_id}",
        P.PLANNING_READ,
        lambda w: f"/purchase-orders/{bb(w).sent}",
    ),
    Action(
        "POST",
        "/purchase-orders/{purchase_order_id}/send",
        P.PURCHASING_WRITE,
        lambda w: f"/purchase-orders/{bb(w).draft}/send",
    ),
    Action(
        "POST",
        "/purchase-orders/{purchase_order_id}/receive",
        P.PURCHASING_WRITE,
        lambda w: f"/purchase-orders/{bb(w).sent}/receive",
        lambda w: {"lines": [{"line_id": bb(w).sent_line, "quantity": 3}]},
    ),
    Action(
        "POST",
        "/purchase-orders/{purchase_order_id}/cancel",
        P.PURCHASING_WRITE,
        lambda w: f"/purchase-orders/{bb(w).draft}/cancel",
    ),
    Action(
        "POST",
        "/purchase-orders/{purchase_order_id}/close",
        P.PURCHASING_WRITE,
        lambda w: f"/purchase-orders/{bb(w).partial}/close",
    ),
    # Planning (issue 13): forecasts, reorder levels, suggestions
    Action(
        "GET", "/planning/forecasts/{sku}", P.PLANNING_READ, lambda w: "/planning/forecasts/MUG"
    ),
    Action(
        "GET", "/planning/reorder-levels", P.PLANNING_READ, lambda w: "/planning/reorder-levels"
    ),
    Action(
        "POST",
        "/planning/reorder-levels/refresh",
        P.PURCHASING_WRITE,
        lambda w: "/planning/reorder-levels/refresh",
    ),
    Action("GET", "/planning/suggestions", P.PLANNING_READ, lambda w: "/planning/suggestions"),
    Action("GET", "/planning/understock", P.PLANNING_READ, lambda w: "/planning/understock"),
    Action(
        "POST",
        "/planning/suggestions/purchase-orders",
        P.PURCHASING_WRITE,
        lambda w: "/planning/suggestions/purchase-orders",
        ok=201,
    ),
    # Planning (issue 13): the stock reports, at cost
    Action("GET", "/reports/stock-out", P.PLANNING_READ, lambda w: "/reports/stock-out"),
    Action("GET", "/reports/overstock", P.PLANNING_READ, lambda w: "/reports/overstock"),
    Action("GET", "/reports/dead-stock", P.PLANNING_READ, lambda w: "/reports/dead-stock"),
    Action("GET", "/reports/stock-value", P.PLANNING_READ, lambda w: "/reports/stock-value"),
]


def call(client: TestClient, action: Action, world: World) -> Any:
    body = action.body(world) if action.body else None
    if action.files:
        return client.request(action.method, API + action.url(world), files=action.files(world))
    return client.request(action.method, API + action.url(world), json=body)


def snapshot(container: Container) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, but when tokens were last used (reading may set that)."""
    out = {}
    with container.engine.connect() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.c if c is not api_tokens.c.last_used_at]
            rows = conn.execute(sa.select(*columns).order_by(*table.primary_key.columns))
            out[table.name] = [tuple(row) for row in rows]
    return out


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


# Shop platforms' order webhooks carry no token: the platform signs the body with the
# channel's secret (tests/e2e/test_channel_webhooks.py tests the signature and its 401).
SIGNED = {
    "POST /channels/{channel}/shopify/orders",
    "POST /channels/{channel}/woocommerce/orders",
}


def test_every_api_route_is_in_the_matrix_test(client: TestClient) -> None:
    """Every operation of the API document (the routes under /api/v1) has its ACTION."""
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    app_routes = {
        f"{method.upper()} {path.removeprefix(API)}"
        for path, operations in paths.items()
        if path.startswith(API)
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert len(app_routes) > 50  # the document was read, not an empty list
    missing = app_routes - {a.id for a in ACTIONS} - SIGNED
    assert not missing, f"add these routes to ACTIONS in {__file__}: {sorted(missing)}"
    unknown = {a.id for a in ACTIONS} - app_routes
    assert not unknown, f"ACTIONS names routes the API does not have: {sorted(unknown)}"


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.id)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_a_role_gets_what_the_matrix_allows_and_a_403_that_changes_nothing_otherwise(
    container: Container, client_for: ClientFor, role: Role, action: Action
) -> None:
    world = make_world(
        container, action.fulfilment, action.returns, action.notices, action.delivery,
        action.buying,
    )  # fmt: skip
    api = client_for(role.value)
    assert api.get(f"{API}/me").status_code == 200  # the user exists before the snapshot
    allowed = action.allowed(role)
    before = snapshot(container)
    response = call(api, action, world)
    if allowed:
        assert response.status_code == action.ok, response.text
    else:
        body = assert_problem(response, 403)
        assert role.value in body["detail"]
        assert snapshot(container) == before


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.id)
def test_every_api_route_needs_a_token(
    container: Container, client_for: ClientFor, action: Action
) -> None:
    world = make_world(
        container, action.fulfilment, action.returns, action.notices, action.delivery,
        action.buying,
    )  # fmt: skip
    before = snapshot(container)
    response = call(client_for(None), action, world)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert snapshot(container) == before


def test_missing_malformed_unknown_revoked_and_disabled_tokens_get_the_same_401(
    container: Container, client_for: ClientFor, client: TestClient
) -> None:
    world = make_world(container)
    revoked = users.create_token(container.uow(), SYSTEM, "victim")
    users.revoke_token(container.uow(), SYSTEM, revoked.info.id)
    disabled = users.create_user(container.uow(), SYSTEM, NewUser("gone", Role.ADMIN))
    users.disable_user(container.uow(), SYSTEM, "gone")
    anonymous = client_for(None)
    headers: list[dict[str, str]] = [
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer oms_not-a-token"},
        {"Authorization": f"Bearer {world.victim_token}x"},
        {"Authorization": f"Bearer {revoked.token}"},
        {"Authorization": f"Bearer {disabled.token.token}"},
    ]
    bodies = []
    for h in headers:
        r = anonymous.get(f"{API}/orders", headers=h)
        bodies.append(assert_problem(r, 401))
        assert r.headers["www-authenticate"] == "Bearer"
    assert all(b == bodies[0] for b in bodies), bodies
    assert client.get(f"{API}/orders").status_code == 200


def test_the_api_document_and_its_page_need_no_token(client_for: ClientFor) -> None:
    anonymous = client_for(None)
    document = anonymous.get("/openapi.json")
    assert document.status_code == 200
    (scheme,) = document.json()["components"]["securitySchemes"].values()
    assert scheme["type"] == "http" and scheme["scheme"].lower() == "bearer"
    assert anonymous.get("/docs").status_code == 200


def test_a_revoked_token_is_refused_on_the_very_next_request(
    container: Container, client: TestClient, client_for: ClientFor
) -> None:
    world = make_world(container)
    victim = client_for(None)
    victim.headers["Authorization"] = f"Bearer {world.victim_token}"
    assert victim.get(f"{API}/orders").status_code == 200
    assert client.delete(f"{API}/tokens/{world.victim_token_id}").status_code == 204
    assert_problem(victim.get(f"{API}/orders"), 401)
    listed = client.get(f"{API}/tokens", params={"user": "victim"}).json()["items"]
    assert listed[0]["revoked_at"] is not None


def test_a_disabled_users_token_is_refused_on_the_very_next_request(
    container: Container, client: TestClient, client_for: ClientFor
) -> None:
    world = make_world(container)
    victim = client_for(None)
    victim.headers["Authorization"] = f"Bearer {world.victim_token}"
    assert victim.get(f"{API}/orders").status_code == 200
    assert client.post(f"{API}/users/victim/disable").json()["disabled"] is True
    assert_problem(victim.get(f"{API}/orders"), 401)


def test_me_tells_who_the_token_acts_as(client_for: ClientFor) -> None:
    me = client_for("warehouse").get(f"{API}/me").json()
    assert me["name"] == "warehouse-user" and me["role"] == "warehouse"
    assert set(me["permissions"]) == {p.value for p in MATRIX[Role.WAREHOUSE]}


def test_what_a_role_does_over_http_is_recorded_with_the_users_name(
    container: Container, client_for: ClientFor
) -> None:
    make_world(container)
    sales, keeper = client_for("sales"), client_for("warehouse")
    order = sales.post(f"{API}/orders", json=order_body(("MUG", 2))).json()
    assert sales.post(f"{API}/orders/{order['id']}/confirm").status_code == 200
    counted = keeper.post(f"{API}/stock/PAR/MUG/adjustments", json={"delta": 3, "reason": "found"})
    assert counted.status_code == 200
    events = sales.get(f"{API}/orders/{order['id']}/events").json()["items"]
    assert [e["type"] for e in events][:3] == ["order.placed", "order.confirmed", "order.sourced"]
    assert {e["actor"] for e in events} == {"sales-user"}
    ledger = keeper.get(f"{API}/stock/PAR/MUG/ledger").json()["items"]
    assert ledger[-2]["actor"] == "sales-user"  # the reservation
    assert ledger[-1]["actor"] == "warehouse-user"


@pytest.fixture
def echoing(db_url: str, clock: Any) -> Iterator[TestClient]:
    """The API as an admin, on an engine that logs every SQL statement (OMS_SQL_ECHO)."""
    from oms.api.app import create_app

    container = bootstrap(Settings(database_url=db_url, sql_echo=True), clock=clock)
    token = make_user_token(container, "admin", "echo-admin")
    with TestClient(create_app(container), headers=bearer(token)) as c:
        yield c


def test_a_new_token_is_shown_once_and_no_secret_or_hash_is_ever_answered_or_logged(
    echoing: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = echoing
    created = client.post(
        f"{API}/users", json={"name": "pat", "role": "admin", "password": "correct horse"}
    )
    assert created.status_code == 201, created.text
    token = created.json()["token"]["token"]
    issued = client.post(f"{API}/tokens", json={"user": "pat", "label": "ci"}).json()["token"]
    pat = TestClient(client.app, headers=bearer(token))
    answers = [
        pat.get(f"{API}/me").text,
        pat.get(f"{API}/users").text,
        pat.get(f"{API}/tokens").text,
        client.post(f"{API}/users/pat/disable").text,
        pat.get(f"{API}/me").text,
    ]
    container: Container = client.app.state.container  # type: ignore[attr-defined]
    with container.engine.connect() as conn:
        hashes = list(conn.execute(sa.select(api_tokens.c.token_hash)).scalars())
        hashes += [h for h in conn.execute(sa.select(users_table.c.password_hash)).scalars() if h]
    assert len(hashes) == 4  # echo-admin's and pat's two tokens, pat's password
    assert created.text.count(token) == 1
    for secret in [token, issued, "correct horse", *hashes]:
        for answer in answers:
            assert secret not in answer
        assert secret not in caplog.text
    assert "$argon2" not in "".join(answers) + created.text + caplog.text
    assert "FROM api_tokens" in caplog.text  # the SQL was logged, without its parameters
