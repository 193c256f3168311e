"""The dispatcher's and the driver's pages over HTTP, on both databases, without
JavaScript: a run made, its stops numbered, started; a stop delivered with a photo and one
not delivered; the proof on the order page (staff) and the name on the tracking page."""

from __future__ import annotations

import dataclasses
import re

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.users import NewUser
from oms.services import users
from tests.e2e.test_login import PASSWORD, browser_for, csrf_of, log_in
from tests.fakes import FakePasswords
from tests.service.local_runs import NEAR, NEARER, local_shop, packed

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def shop(container: Container) -> Container:
    fast = dataclasses.replace(container, passwords=FakePasswords())
    local_shop(fast.uow())
    users.create_user(
        fast.uow(), SYSTEM, NewUser("clerk", Role.WAREHOUSE, location="PAR"), PASSWORD
    )
    users.create_user(fast.uow(), SYSTEM, NewUser("driver1", Role.DRIVER, location="PAR"), PASSWORD)
    users.create_user(fast.uow(), SYSTEM, NewUser("boss", Role.ADMIN), PASSWORD)
    return fast


def _as(shop: Container, name: str) -> TestClient:
    browser = browser_for(shop)
    assert log_in(browser, name).status_code == 303
    return browser


def test_a_run_dispatched_then_driven_without_javascript(shop: Container) -> None:
    first, second = packed(shop.uow(), NEAR), packed(shop.uow(), NEARER)
    clerk = _as(shop, "clerk")
    assert clerk.get("/delivery").headers["location"] == "/delivery/PAR"
    page = clerk.get("/delivery/PAR")
    assert page.status_code == 200 and f"#{first.id}" in page.text
    token = csrf_of(page)
    made = clerk.post("/delivery/PAR/runs", data={"csrf_token": token, "driver": "driver1"})
    assert made.status_code == 303, made.text
    run_path = made.headers["location"]
    run_id = int(re.findall(r"/runs/(\d+)$", run_path)[0])
    page = clerk.get(run_path)
    assert "Print manifest" in page.text and f'name="seq[{first.id}]"' in page.text
    same = {"csrf_token": token, f"seq[{first.id}]": "1", f"seq[{second.id}]": "1"}
    assert clerk.post(f"{run_path}/order", data=same).status_code == 422
    order = {"csrf_token": token, f"seq[{first.id}]": "1", f"seq[{second.id}]": "2"}
    assert clerk.post(f"{run_path}/order", data=order).status_code == 303
    assert clerk.get(f"{run_path}/manifest.pdf").content.startswith(b"%PDF")

    van = _as(shop, "driver1")
    page = van.get("/driver")
    assert page.status_code == 200 and f"Start run {run_id}" in page.text
    vtoken = csrf_of(page)
    assert van.post(f"/driver/runs/{run_id}/start", data={"csrf_token": vtoken}).status_code == 303
    page = van.get("/driver")
    assert page.text.index(f"stop-{first.id}") < page.text.index(f"stop-{second.id}")
    assert "https://www.openstreetmap.org/search?query=12+rue+Oberkampf" in page.text
    assert 'href="tel:+33612345678"' in page.text
    done = van.post(
        f"/driver/runs/{run_id}/stops/{first.id}/delivered",
        data={"csrf_token": vtoken, "recipient": "Ann Smith", "signature": ""},
        files={"photo": ("door.jpg", JPEG, "image/jpeg")},
    )
    assert done.status_code == 303, done.text
    bad = van.post(
        f"/driver/runs/{run_id}/stops/{second.id}/delivered",
        data={"csrf_token": vtoken, "recipient": "Bob", "signature": "data:image/png;base64,R0lG"},
    )
    assert bad.status_code == 422 and "PNG or JPEG" in bad.text
    nope = van.post(
        f"/driver/runs/{run_id}/stops/{second.id}/failed",
        data={"csrf_token": vtoken, "reason": "not_home", "note": ""},
    )
    assert nope.status_code == 303
    forged = van.post(
        f"/driver/runs/{run_id}/stops/{second.id}/failed",
        data={"csrf_token": "wrong", "reason": "refused"},
    )
    assert forged.status_code == 403
    assert "Not delivered (not home)" in van.get("/driver").text
    assert van.get("/delivery/PAR").status_code == 403  # a driver does not dispatch

    boss = _as(shop, "boss")
    order_page = boss.get(f"/orders/{first.order_id}")
    assert "Ann Smith" in order_page.text and f"/shipments/{first.id}/proof" in order_page.text
    image = boss.get(f"/shipments/{first.id}/proof")
    assert image.status_code == 200 and image.content == JPEG
    assert van.get(f"/shipments/{first.id}/proof").status_code == 403
    tracking_url = re.findall(r'href="(/track/[^"]+)"', order_page.text)[0]
    public = TestClient(clerk.app).get(tracking_url)
    assert "Delivered to Ann Smith" in public.text and "/proof" not in public.text


def test_an_admin_sets_local_delivery_on_the_location_page(shop: Container) -> None:
    boss = _as(shop, "boss")
    page = boss.get("/locations/LYO")
    assert "does not deliver with its own drivers" in page.text
    token = csrf_of(page)
    form = {
        "csrf_token": token, "postal_prefixes": "69001 69002", "base": "3.50", "per_kg": "x",
        "currency": "EUR", "transit_days": "0", "cut_off": "10:30", "max_attempts": "2",
    }  # fmt: skip
    refused = boss.post("/locations/LYO/local-delivery", data=form)
    assert refused.status_code == 422 and 'value="x"' in refused.text
    saved = boss.post("/locations/LYO/local-delivery", data=form | {"per_kg": "0.40"})
    assert saved.status_code == 303
    page = boss.get("/locations/LYO")
    assert "69001 69002" in page.text and "cut-off 10:30" in page.text
    clerk = _as(shop, "clerk")
    forged = clerk.post(
        "/locations/LYO/local-delivery",
        data=form | {"csrf_token": csrf_of(clerk.get("/locations/LYO"))},
    )
    assert forged.status_code == 403


def test_an_admin_makes_a_driver_on_the_users_page_bound_to_a_location(shop: Container) -> None:
    boss = _as(shop, "boss")
    page = boss.get("/users")
    assert '<option value="driver"' in page.text
    token = csrf_of(page)
    form = {"csrf_token": token, "name": "van2", "role": "driver", "location": ""}
    refused = boss.post("/users", data=form)
    assert refused.status_code == 422 and "a driver is bound to the location" in refused.text
    made = boss.post("/users", data=form | {"location": "PAR"})
    assert made.status_code == 200 and "van2" in made.text
