"""The catalogue, locations and users pages over HTTP, on both databases: who gets the
forms, forged posts refused (403) with nothing changed, inline errors that keep what was
typed, and each action done through the services."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.catalogue.model import ProductChange
from oms.domain.users import NewUser
from oms.services import catalogue, users
from oms.services.sessions import LoginAttempt, login
from tests.builders import new_product, stocked
from tests.e2e.test_login import PASSWORD, browser_for, csrf_of, log_in
from tests.fakes import FakePasswords


@pytest.fixture
def shop(container: Container) -> Container:
    fast = dataclasses.replace(container, passwords=FakePasswords())
    for role in (Role.ADMIN, Role.SALES, Role.WAREHOUSE):
        users.create_user(fast.uow(), SYSTEM, NewUser(role.value, role), PASSWORD)
    uow = fast.uow()
    stocked(uow, "MUG", 10, name="Mug, stoneware")
    stocked(uow, "TEE", 10, name="Tee")
    catalogue.create_product(uow, SYSTEM, new_product("OLD", name="Old cap"))
    catalogue.update_product(uow, SYSTEM, "OLD", ProductChange(archived=True))
    return fast


def as_role(shop: Container, role: str) -> TestClient:
    browser = browser_for(shop)
    assert log_in(browser, role).status_code == 303
    return browser


def test_the_pages_answer_readers_and_only_writers_get_forms(shop: Container) -> None:
    for role, writes in (("admin", True), ("sales", False), ("warehouse", False)):
        browser = as_role(shop, role)
        for path, form in (
            ("/products", 'method="post" action="/products"'),
            ("/products/MUG", 'action="/products/MUG/archive"'),
            ("/locations", 'method="post" action="/locations"'),
            ("/locations/PAR", 'action="/locations/PAR"'),
        ):
            page = browser.get(path)
            assert page.status_code == 200, (role, path, page.text)
            assert (form in page.text) is writes, (role, path)
        assert browser.get("/users").status_code == (200 if writes else 403)
        assert ('href="/users"' in browser.get("/").text) is writes


def test_the_products_list_hides_archived_ones_unless_asked_and_searches(shop: Container) -> None:
    browser = as_role(shop, "sales")
    listed = browser.get("/products").text
    assert "/products/MUG" in listed and "/products/OLD" not in listed
    archived = browser.get("/products?shown=archived").text
    assert "/products/OLD" in archived and "/products/MUG" not in archived
    found = browser.get("/products?q=stone&shown=all").text
    assert "/products/MUG" in found and "/products/TEE" not in found
    assert browser.get("/products/OLD").status_code == 200  # history: still readable
    assert browser.get("/products/NOPE").status_code == 404


def test_an_admin_edits_archives_and_unarchives_a_product(shop: Container) -> None:
    browser = as_role(shop, "admin")
    token = csrf_of(browser.get("/products/MUG"))
    form = {"csrf_token": token, "name": "Mug", "price": "9.90", "weight_grams": "",
            "barcode": "4006381333931"}  # fmt: skip
    saved = browser.post("/products/MUG", data=form, follow_redirects=False)
    assert (saved.status_code, saved.headers["location"]) == (303, "/products/MUG")
    mug = catalogue.get_product(shop.uow(), SYSTEM, "MUG")
    assert (mug.name, mug.price, mug.weight_grams, mug.barcode) == (
        "Mug", Decimal("9.90"), None, "4006381333931",
    )  # fmt: skip
    assert "Product MUG saved." in browser.get("/products/MUG").text

    archived = browser.post(
        "/products/MUG/archive", data={"csrf_token": token}, follow_redirects=True
    )
    assert archived.status_code == 200 and "can no longer be ordered" in archived.text
    assert catalogue.get_product(shop.uow(), SYSTEM, "MUG").archived
    browser.post("/products/MUG/unarchive", data={"csrf_token": token})
    assert not catalogue.get_product(shop.uow(), SYSTEM, "MUG").archived


def test_a_refused_edit_shows_inline_errors_and_keeps_what_was_typed(shop: Container) -> None:
    browser = as_role(shop, "admin")
    token = csrf_of(browser.get("/products/MUG"))
    form = {"csrf_token": token, "name": "Mug renamed", "price": "9.999", "weight_grams": "heavy"}
    page = browser.post("/products/MUG", data=form)
    assert page.status_code == 422
    assert 'value="Mug renamed"' in page.text and 'value="heavy"' in page.text
    assert 'id="e-weight_grams"' in page.text and "a whole number" in page.text
    page = browser.post("/products/MUG", data={**form, "weight_grams": "300"})
    assert page.status_code == 422 and "more decimals than EUR allows" in page.text
    assert catalogue.get_product(shop.uow(), SYSTEM, "MUG").name == "Mug, stoneware"

    new = {"csrf_token": token, "sku": "MUG", "name": "Again", "price": "1", "currency": "EUR"}
    page = browser.post("/products", data=new)
    assert page.status_code == 409 and "exists" in page.text and 'value="Again"' in page.text


def test_forged_posts_are_refused_with_403_and_change_nothing(shop: Container) -> None:
    browser = as_role(shop, "sales")
    token = csrf_of(browser.get("/products/MUG"))
    for path, data in (
        ("/products/MUG", {"name": "Forged", "price": "0.01"}),
        ("/products/MUG/archive", {}),
        ("/products", {"sku": "FORGED", "name": "F", "price": "1"}),
        ("/locations/PAR", {"name": "Forged", "working_days": "0"}),
        ("/locations", {"code": "FRG", "name": "F", "country": "FR", "postal_code": "1"}),
        ("/users", {"name": "mallory", "role": "admin", "password": "long enough"}),
        ("/users/warehouse", {"role": "admin"}),
        ("/users/warehouse/disable", {}),
        ("/users/warehouse/tokens/1/revoke", {}),
    ):
        refused = browser.post(path, data={"csrf_token": token, **data})
        assert refused.status_code == 403, (path, refused.text)
    mug = catalogue.get_product(shop.uow(), SYSTEM, "MUG")
    assert (mug.name, mug.archived) == ("Mug, stoneware", False)
    assert catalogue.get_location(shop.uow(), SYSTEM, "PAR").name == "Warehouse"
    assert [u.name for u in users.list_users(shop.uow(), SYSTEM)] == ["admin", "sales", "warehouse"]
    assert users.get_user(shop.uow(), SYSTEM, "warehouse").role is Role.WAREHOUSE
    assert all(t.revoked_at is None for t in users.list_tokens(shop.uow(), SYSTEM))


def test_an_admin_changes_a_locations_settings(shop: Container) -> None:
    browser = as_role(shop, "admin")
    token = csrf_of(browser.get("/locations/PAR"))
    form = {"csrf_token": token, "name": "Paris Nord", "kind": "store", "ships": "1",
            "priority": "5", "time_zone": "Europe/Paris", "cut_off": "16:30",
            "working_days": ["0", "1", "2", "3", "4", "5"], "default_bin": "B-01-01"}  # fmt: skip
    saved = browser.post("/locations/PAR", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    par = catalogue.get_location(shop.uow(), SYSTEM, "PAR")
    assert (par.name, par.kind.value, par.priority, par.cut_off.strftime("%H:%M")) == (
        "Paris Nord", "store", 5, "16:30",
    )  # fmt: skip
    assert (par.working_days, par.default_bin, par.ships) == (frozenset(range(6)), "B-01-01", True)
    bad = browser.post("/locations/PAR", data={**form, "time_zone": "Mars/Olympus",
                                                "working_days": []})  # fmt: skip
    assert bad.status_code == 422
    assert "unknown IANA time zone" in bad.text and "a non-empty set of weekdays" in bad.text
    assert 'value="Mars/Olympus"' in bad.text

    new = {"csrf_token": token, "code": "LYO", "name": "Lyon", "kind": "warehouse",
           "country": "fr", "postal_code": "69001", "working_days": ["0", "1"]}  # fmt: skip
    made = browser.post("/locations", data=new, follow_redirects=False)
    assert (made.status_code, made.headers["location"]) == (303, "/locations/LYO")
    lyo = catalogue.get_location(shop.uow(), SYSTEM, "LYO")
    assert (lyo.country, lyo.ships, lyo.working_days) == ("FR", False, frozenset({0, 1}))


def test_an_admin_creates_binds_changes_and_disables_a_user(shop: Container) -> None:
    browser = as_role(shop, "admin")
    token = csrf_of(browser.get("/users"))
    made = browser.post(
        "/users", data={"csrf_token": token, "name": "wes", "role": "warehouse", "location": "PAR"}
    )
    assert made.status_code == 200 and "Generated password" in made.text
    password = made.text.split('id="new-password">')[1].split("<")[0]
    wes = users.get_user(shop.uow(), SYSTEM, "wes")
    assert (wes.role, wes.location, wes.has_password) == (Role.WAREHOUSE, "PAR", True)
    session = login(shop.uow(), LoginAttempt("wes", password, "10.0.0.9"))
    assert session.actor.location_code == "PAR"
    assert "Generated password" not in browser.get("/users").text  # shown once

    refused = browser.post(
        "/users", data={"csrf_token": token, "name": "x", "role": "sales", "location": "NOPE"}
    )
    assert refused.status_code == 422 and "unknown location" in refused.text
    assert 'value="x"' in refused.text

    changed = browser.post(
        "/users/wes", data={"csrf_token": token, "role": "analyst"}, follow_redirects=True
    )
    assert changed.status_code == 200 and "User wes saved." in changed.text
    assert users.get_user(shop.uow(), SYSTEM, "wes").location is None  # "None" chosen

    (first,) = users.list_tokens(shop.uow(), SYSTEM, "wes")
    browser.post(f"/users/wes/tokens/{first.id}/revoke", data={"csrf_token": token})
    assert users.list_tokens(shop.uow(), SYSTEM, "wes")[0].revoked_at is not None

    browser.post("/users/wes/disable", data={"csrf_token": token})
    assert users.get_user(shop.uow(), SYSTEM, "wes").disabled
    assert 'action="/users/admin/disable"' not in browser.get("/users/admin").text  # not oneself


def test_the_products_list_pages_by_sku(shop: Container) -> None:
    uow = shop.uow()
    for i in range(55):
        catalogue.create_product(uow, SYSTEM, new_product(f"P-{i:03d}", name="Paged"))
    browser = as_role(shop, "sales")
    first = browser.get("/products?q=paged").text
    assert "50+ products" in first and "/products/P-049" in first and "/products/P-050" not in first
    assert 'href="/products?q=paged&amp;after=P-049"' in first
    second = browser.get("/products?q=paged&after=P-049").text
    assert "5 products" in second and "(a later page)" in second
    assert "/products/P-050" in second and "/products/P-049" not in second
    assert "Next page" not in second and "First page" in second


def test_a_user_bound_to_a_location_opens_the_station_there(shop: Container) -> None:
    uow = shop.uow()
    stocked(uow, "TEE", 5, location="LYO")
    users.create_user(uow, SYSTEM, NewUser("wes", Role.WAREHOUSE, location="LYO"), PASSWORD)
    opened = as_role(shop, "wes").get("/station", follow_redirects=False)
    assert (opened.status_code, opened.headers["location"]) == (303, "/station/LYO")
    choice = as_role(shop, "warehouse").get("/station", follow_redirects=False)
    assert choice.status_code == 200  # two shipping locations, no binding: a choice
