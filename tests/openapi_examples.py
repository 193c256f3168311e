"""The examples of /openapi.json's main operations, recorded from the API itself.

`record` plays a small shop's day through the API (a product, its stock counted and
adjusted, a checkout hold, the order that takes it, the list searched, the order confirmed,
its shipment shipped and delivered, a return; a second order cancelled) on a fresh database
with a fixed clock, and keeps each main operation's request and answer. `src/oms/api/
examples.json` holds them (api/openapi.py puts them in the document);
tests/contract/test_openapi_examples.py records them again and compares, so an answer
that changes shape changes its example too. After such a change, write them anew:

    .venv/bin/python -m tests.openapi_examples
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from oms.adapters.db.migrate import upgrade
from oms.bootstrap import Container, bootstrap
from oms.config import Settings
from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.fulfilment.model import Picked
from oms.services import picking, tracking, warehouse
from tests.conftest import FakeClock, bearer, make_user_token

FILE = Path(__file__).resolve().parents[1] / "src" / "oms" / "api" / "examples.json"
API = "/api/v1"
SKU = "TEE-BLK-M"
DRIVER = Actor("oms-post-feed", Role.CARRIER, carrier="oms-post")
# What differs from one run to the next: the tracking page's random token.
_TOKEN = re.compile(r"/track/[A-Za-z0-9_-]{16,}")


def _steady(value: Any) -> Any:
    text = json.dumps(value, ensure_ascii=False)
    return json.loads(_TOKEN.sub("/track/Xq3v9LrT0aKpW2mZ", text))


class Recorder:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.examples: dict[str, dict[str, Any]] = {}

    def call(
        self,
        method: str,
        template: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        keep: bool = True,
    ) -> Any:
        answer = self.client.request(
            method, API + path, json=body, params=params, headers=headers or {}
        )
        assert answer.status_code < 300, (method, path, answer.status_code, answer.text)
        found = answer.json() if answer.content else None
        if keep:
            example: dict[str, Any] = {"status": answer.status_code, "response": _steady(found)}
            if body is not None:
                example["request"] = body
            if params:
                example["parameters"] = params
            if headers:
                example["headers"] = headers
            self.examples[f"{method} {API}{template}"] = example
        return found


def record(container: Container, clock: FakeClock) -> dict[str, dict[str, Any]]:
    token = make_user_token(container, "admin", "examples-admin")
    from oms.api.app import create_app

    with TestClient(create_app(container)) as client:
        client.headers.update(bearer(token))
        r = Recorder(client)
        location = {"code": "PAR", "name": "Paris", "kind": "warehouse", "country": "FR",
                    "postal_code": "75011", "ships": True}  # fmt: skip
        r.call("POST", "/locations", "/locations", location, keep=False)
        product = {"sku": SKU, "name": "T-shirt, black, M", "price": "19.90",
                   "weight_grams": 180, "barcode": "3760123456789"}  # fmt: skip
        r.call("POST", "/products", "/products", product)
        count = {"on_hand": 40, "bin": "A-01-03", "reason": "stocktake"}
        r.call("PUT", "/stock/{location_code}/{sku}", f"/stock/PAR/{SKU}", count)
        adjust = {"delta": -2, "reason": "two found damaged on the shelf"}
        r.call("POST", "/stock/{location_code}/{sku}/adjustments", f"/stock/PAR/{SKU}/adjustments",
               adjust)  # fmt: skip
        kept = {"channel": "web", "lines": [{"sku": SKU, "quantity": 2}], "expires_in": 900}
        hold = r.call("POST", "/holds", "/holds", kept)
        order = {
            "channel": "web",
            "external_id": "WEB-100042",
            "customer": {"email": "anne.martin@orange.fr", "name": "Anne Martin",
                         "phone": "+33 6 12 34 56 78", "language": "fr"},
            "shipping_address": {"name": "Anne Martin", "line1": "12 rue de la Roquette",
                                 "city": "Paris", "postal_code": "75011", "country": "FR"},
            "lines": [{"sku": SKU, "quantity": 2, "unit_price": "19.90"}],
            "currency": "EUR",
            "shipping": "4.90",
            "hold_id": hold["id"],
        }  # fmt: skip
        placed = r.call("POST", "/orders", "/orders", order,
                        headers={"Idempotency-Key": "checkout-7f3a9c2e"})  # fmt: skip
        oid = placed["id"]
        r.call("GET", "/stock", "/stock", params={"sku": SKU})
        r.call("GET", "/products/{sku}", f"/products/{SKU}")
        r.call("GET", "/products/{sku}/availability", f"/products/{SKU}/availability")
        r.call("GET", "/channels/{channel}/availability", "/channels/web/availability",
               params={"sku": SKU})  # fmt: skip
        r.call("GET", "/orders", "/orders", params={"q": "anne.martin@", "limit": 20})
        r.call("POST", "/orders/{order_id}/confirm", f"/orders/{oid}/confirm", keep=False)
        clock.advance(hours=1)
        [shipment] = r.call("GET", "/shipments", "/shipments", params={"order_id": oid})["items"]
        sid = shipment["id"]
        uow = container.uow()
        pick_list = picking.create_pick_list(uow, SYSTEM, "PAR")
        picking.complete_pick_list(uow, SYSTEM, pick_list.id, [Picked(sid, SKU, 2)])
        warehouse.pack_shipment(uow, SYSTEM, sid, [(SKU, 2)])
        shipped = r.call("POST", "/shipments/{shipment_id}/ship", f"/shipments/{sid}/ship",
                         {"carrier": "oms-post"})  # fmt: skip
        clock.advance(days=2)
        event = {"tracking_number": shipped["tracking_number"], "status": "delivered",
                 "at": clock.now}  # fmt: skip
        tracking.record_carrier_event(container.uow(), DRIVER, "oms-post", event)
        r.call("GET", "/shipments/{shipment_id}", f"/shipments/{sid}")
        r.call("GET", "/orders/{order_id}", f"/orders/{oid}")
        back = {"lines": [{"sku": SKU, "quantity": 1, "reason": "not_as_described",
                           "note": "the colour is not the one in the photo"}],
                "resolution": "refund"}  # fmt: skip
        made = r.call("POST", "/orders/{order_id}/returns", f"/orders/{oid}/returns", back)
        r.call("GET", "/returns/{return_id}", f"/returns/{made['id']}")
        r.call("GET", "/returns", "/returns", params={"order_id": oid})
        second = {**order, "external_id": "WEB-100043", "hold_id": None,
                  "lines": [{"sku": SKU, "quantity": 1}]}  # fmt: skip
        other = r.call("POST", "/orders", "/orders", second, keep=False)
        r.call("POST", "/orders/{order_id}/cancel", f"/orders/{other['id']}/cancel",
               {"reason": "the customer ordered twice"})  # fmt: skip
        return r.examples


def fresh() -> tuple[Container, FakeClock, tempfile.TemporaryDirectory[str]]:
    folder = tempfile.TemporaryDirectory()
    url = f"sqlite:///{folder.name}/examples.db"
    upgrade(url)
    clock = FakeClock()
    return bootstrap(Settings(database_url=url, db_pool_size=2), clock=clock), clock, folder


def main() -> int:
    container, clock, folder = fresh()
    try:
        examples = record(container, clock)
    finally:
        container.close()
        folder.cleanup()
    FILE.write_text(json.dumps(examples, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(examples)} examples written to {FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
