"""The back office login: sessions, cookie flags, CSRF, throttling and generic refusals."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from oms.adapters.db.tables import web_sessions
from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.users import NewUser
from oms.services import orders, users
from oms.web.security import same_secret, sign, unsign
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.fakes import FakePasswords

PASSWORD = "correct horse"
FAILED = "Wrong user name or password."
THROTTLED = "Too many failed attempts. Wait a minute and try again."


@pytest.fixture
def fast(container: Container) -> Container:
    """The same database, with a cheap password hasher (argon2 is slow on purpose)."""
    return dataclasses.replace(container, passwords=FakePasswords())


def browser_for(container: Container) -> TestClient:
    from oms.api.app import create_app

    return TestClient(create_app(container), base_url="https://testserver", follow_redirects=False)


@pytest.fixture
def browser(fast: Container) -> TestClient:
    for name, role in (("ann", Role.SALES), ("cat", Role.CARRIER)):
        carrier = "oms-post" if role is Role.CARRIER else None
        users.create_user(fast.uow(), SYSTEM, NewUser(name, role, carrier), PASSWORD)
    return browser_for(fast)


def csrf_of(page: Any) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def cookie_header(response: Any, name: str) -> str:
    (header,) = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    return header


def log_in(browser: TestClient, name: str = "ann", password: str = PASSWORD) -> Any:
    token = csrf_of(browser.get("/login"))
    form = {"username": name, "password": password, "csrf_token": token}
    return browser.post("/login", data=form)


def error_of(page: Any) -> str:
    found = re.search(r'<p class="error" role="alert">([^<]*)</p>', page.text)
    assert found, page.text
    return found.group(1)


def test_the_login_page_carries_a_csrf_token_in_the_form_and_a_signed_cookie(
    browser: TestClient,
) -> None:
    page = browser.get("/login")
    assert page.status_code == 200
    token = csrf_of(page)
    header = cookie_header(page, "oms_login_csrf")
    for flag in ("httponly", "secure", "samesite=lax", "path=/login"):
        assert flag in header.lower()
    value = header.split(";")[0].split("=", 1)[1]
    assert value.startswith(token + ".")  # the form's value, plus its signature
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_a_right_password_starts_a_session_with_a_secure_httponly_samesite_cookie(
    browser: TestClient, fast: Container
) -> None:
    response = log_in(browser)
    assert response.status_code == 303 and response.headers["location"] == "/"
    header = cookie_header(response, "oms_session")
    lowered = header.lower()
    for flag in ("httponly", "secure", "samesite=lax", "path=/", "max-age=28800"):
        assert flag in lowered
    session_id = header.split(";")[0].split("=", 1)[1].rsplit(".", 1)[0]
    with fast.engine.connect() as conn:
        stored = conn.execute(sa.select(web_sessions.c.session_hash)).scalar_one()
    assert stored == hashlib.sha256(session_id.encode()).hexdigest()  # only the hash is kept


def test_the_home_page_shows_who_is_logged_in_and_the_20_newest_orders(
    browser: TestClient, fast: Container
) -> None:
    uow = fast.uow()
    stocked(uow, "MUG", 100)
    for _ in range(25):
        orders.place_order(uow, SYSTEM, draft(("MUG", 1)))
    log_in(browser)
    home = browser.get("/")
    assert home.status_code == 200
    assert "ann" in home.text and "sales" in home.text
    assert "SO-000025" in home.text and "SO-000006" in home.text
    assert "SO-000005" not in home.text


def test_a_role_that_reads_no_orders_is_told_so(browser: TestClient) -> None:
    log_in(browser, "cat")
    assert "Your role does not read orders." in browser.get("/").text


def test_without_a_session_the_home_page_sends_to_the_login_page(browser: TestClient) -> None:
    response = browser.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_a_forged_or_tampered_session_cookie_is_not_a_session(browser: TestClient) -> None:
    log_in(browser)
    value = browser.cookies["oms_session"]
    browser.cookies.clear()
    for forged in (value[:-2] + "xx", "made-up.signature", value.rsplit(".", 1)[0]):
        browser.cookies.set("oms_session", forged, domain="testserver")
        assert browser.get("/").headers["location"] == "/login"


def test_when_logged_in_the_login_page_sends_home(browser: TestClient) -> None:
    log_in(browser)
    assert browser.get("/login").headers["location"] == "/"


@pytest.mark.parametrize("token", [None, "", "wrong"])
def test_a_login_without_the_right_csrf_token_is_refused_and_starts_nothing(
    browser: TestClient, fast: Container, token: str | None
) -> None:
    browser.get("/login")
    form = {"username": "ann", "password": PASSWORD}
    if token is not None:
        form["csrf_token"] = token
    response = browser.post("/login", data=form)
    assert response.status_code == 403
    assert "expired" in error_of(response)
    assert "oms_session" not in browser.cookies
    with fast.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(web_sessions)).scalar() == 0


def test_a_csrf_token_without_its_cookie_is_refused(browser: TestClient, fast: Container) -> None:
    token = csrf_of(browser.get("/login"))
    stranger = browser_for(fast)  # another browser: the form's token, but not the cookie
    form = {"username": "ann", "password": PASSWORD, "csrf_token": token}
    assert stranger.post("/login", data=form).status_code == 403


@pytest.mark.parametrize(
    ("name", "password"), [("ann", "wrong horse"), ("nobody", PASSWORD), ("ANN", PASSWORD)]
)
def test_every_refused_login_gets_the_same_generic_message(
    browser: TestClient, name: str, password: str
) -> None:
    response = log_in(browser, name, password)
    assert response.status_code == 401
    assert error_of(response) == FAILED
    assert "oms_session" not in browser.cookies


def test_a_disabled_user_gets_the_same_generic_message(
    browser: TestClient, fast: Container
) -> None:
    users.disable_user(fast.uow(), SYSTEM, "ann")
    response = log_in(browser)
    assert response.status_code == 401 and error_of(response) == FAILED


def test_five_failures_a_minute_lock_the_user_out_then_let_them_back(
    browser: TestClient, clock: FakeClock
) -> None:
    for _ in range(5):
        assert log_in(browser, "ann", "guess").status_code == 401
    locked = log_in(browser)  # even the right password
    assert locked.status_code == 429 and error_of(locked) == THROTTLED
    assert "oms_session" not in browser.cookies
    clock.advance(seconds=61)
    assert log_in(browser).status_code == 303


def test_five_failures_from_one_address_lock_every_name_from_it(browser: TestClient) -> None:
    for i in range(5):
        assert log_in(browser, f"someone{i}", "guess").status_code == 401
    assert log_in(browser, "cat").status_code == 429


def test_logging_out_needs_the_csrf_token_and_ends_the_session(browser: TestClient) -> None:
    log_in(browser)
    home = browser.get("/")
    old_cookie = browser.cookies["oms_session"]
    refused = browser.post("/logout", data={"csrf_token": "wrong"})
    assert refused.status_code == 403
    assert browser.get("/").status_code == 200  # still logged in
    response = browser.post("/logout", data={"csrf_token": csrf_of(home)})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert 'oms_session=""' in cookie_header(response, "oms_session")
    browser.cookies.set("oms_session", old_cookie, domain="testserver")
    assert browser.get("/").headers["location"] == "/login"  # a copied cookie is dead too


def test_a_login_with_the_real_argon2_hasher(container: Container) -> None:
    users.create_user(container.uow(), SYSTEM, NewUser("ann", Role.ADMIN), PASSWORD)
    browser = browser_for(container)
    assert log_in(browser, "ann", "wrong horse").status_code == 401
    assert log_in(browser).status_code == 303
    assert "ann" in browser.get("/").text


def test_signed_values_are_checked_in_constant_time_and_bound_to_their_purpose() -> None:
    key = b"k" * 32
    signed = sign(key, "session", "abc")
    assert unsign(key, "session", signed) == "abc"
    assert unsign(key, "login-csrf", signed) is None
    assert unsign(b"other key" * 4, "session", signed) is None
    assert unsign(key, "session", signed[:-1]) is None
    assert unsign(key, "session", None) is None
    assert same_secret("a", "a") and not same_secret("a", "b") and not same_secret(None, "a")
