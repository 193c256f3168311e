"""Operations: /healthz and /readyz, request ids, JSON access logs that never hold a secret,
Prometheus metrics by route template, and the security headers of every page."""

from __future__ import annotations

import gc
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container, bootstrap
from oms.config import Settings, get_settings
from oms.domain.access import SYSTEM, Role
from oms.domain.users import NewUser
from oms.services import users
from tests.builders import stocked
from tests.e2e.processes import server
from tests.e2e.test_orders_api import place


def app_client(container: Container, **settings: Any) -> TestClient:
    from oms.api.app import create_app

    if settings:
        container = bootstrap(container.settings.model_copy(update=settings), clock=container.clock)
    return TestClient(create_app(container), base_url="https://testserver", follow_redirects=False)


# -- the served app ------------------------------------------------------------------------


def test_the_served_app_freezes_its_long_lived_objects_out_of_full_collections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oms.api.app import create_served_app

    monkeypatch.setenv("OMS_DATABASE_URL", f"sqlite:///{tmp_path / 'oms.db'}")
    get_settings.cache_clear()
    before = gc.get_freeze_count()
    try:
        app = create_served_app()
        frozen = gc.get_freeze_count() - before
        # The routes, the container and the code they import: tens of thousands of objects.
        assert frozen > 10_000
        assert app.state.container.settings.database_url.endswith("oms.db")
    finally:
        gc.unfreeze()
        get_settings.cache_clear()
    app.state.container.close()


# -- health ----------------------------------------------------------------------------------


def test_healthz_and_readyz_answer_on_a_migrated_database(container: Container) -> None:
    client = app_client(container)
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


def test_readyz_is_503_with_the_reason_when_the_database_is_not_migrated(
    tmp_path: Path,
) -> None:
    from oms.api.app import create_app

    empty = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"))
    try:
        client = TestClient(create_app(empty))
        assert client.get("/healthz").status_code == 200  # alive all the same
        answer = client.get("/readyz")
        assert answer.status_code == 503
        assert answer.json()["status"] == "not ready"
        assert "oms db upgrade" in answer.json()["reason"]
    finally:
        empty.close()


def test_readyz_is_503_when_the_database_cannot_be_reached() -> None:
    from oms.api.app import create_app

    # A PostgreSQL server on a port nothing listens on.
    gone = bootstrap(Settings(database_url="postgresql://oms@127.0.0.1:9/oms"))
    try:
        answer = TestClient(create_app(gone)).get("/readyz")
        assert answer.status_code == 503 and "unreachable" in answer.json()["reason"]
    finally:
        gone.close()


# -- request ids -----------------------------------------------------------------------------


def test_a_valid_request_id_is_kept_and_returned(client: TestClient) -> None:
    answer = client.get("/api/v1/orders", headers={"X-Request-Id": "lb-7f3a.42_x"})
    assert answer.headers["X-Request-Id"] == "lb-7f3a.42_x"


@pytest.mark.parametrize("given", [None, "", "has space", "x" * 129, "<script>", 'a"b'])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(
    client: TestClient, given: str | None
) -> None:
    headers = {} if given is None else {"X-Request-Id": given}
    answer = client.get("/api/v1/orders", headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-Id"])
    again = client.get("/api/v1/orders", headers=headers)
    assert again.headers["X-Request-Id"] != answer.headers["X-Request-Id"]


# -- metrics ---------------------------------------------------------------------------------


def _sample(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + ("{" if labels else "")) and line.split(" ")[0] != name:
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_count_requests_by_route_template_and_orders_placed(
    client: TestClient, uow: Any
) -> None:
    stocked(uow, "TEE", 1)
    before = client.get("/metrics").text
    order = place(client, ("TEE", 3))  # 1 reserved, 2 backordered
    client.get(f"/api/v1/orders/{order['id']}")
    client.get("/api/v1/orders/999999")
    text = client.get("/metrics").text
    assert text.startswith("# HELP") or "# HELP" in text
    assert (
        _sample(text, "oms_orders_placed_total") == _sample(before, "oms_orders_placed_total") + 1
    )
    refused = "oms_reservations_refused_units_total"
    assert _sample(text, refused) == _sample(before, refused) + 2
    by_template = {"method": "GET", "route": "/api/v1/orders/{order_id}"}
    assert _sample(text, "oms_http_requests_total", **by_template, status="200") >= 1
    assert _sample(text, "oms_http_requests_total", **by_template, status="404") >= 1
    assert "/api/v1/orders/999999" not in text and f"/orders/{order['id']}" not in text
    assert 'oms_http_request_duration_seconds_bucket{le="0.005",method="GET"' in text
    assert 'oms_outbox_backlog{stage="events_new"}' in text
    assert 'oms_db_pool_connections{figure="checkedout"' in text


def test_a_repeat_is_not_counted_as_an_order_placed(client: TestClient, uow: Any) -> None:
    stocked(uow, "TEE", 5)
    place(client, ("TEE", 1), external_id="R-1")
    before = _sample(client.get("/metrics").text, "oms_orders_placed_total")
    place(client, ("TEE", 1), external_id="R-1")
    assert _sample(client.get("/metrics").text, "oms_orders_placed_total") == before


# -- security headers ------------------------------------------------------------------------

CSP_MUST = ("default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'")


def _page_headers_ok(answer: httpx.Response) -> None:
    headers = answer.headers
    assert headers["X-Content-Type-Options"] == "nosniff", answer.url
    assert headers["X-Frame-Options"] == "DENY", answer.url
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer"), answer.url
    assert all(part in headers["Content-Security-Policy"] for part in CSP_MUST), answer.url
    assert "unsafe-eval" not in headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    ["/login", "/", "/orders", "/driver", "/track/" + "x" * 30, "/track/short", "/nowhere"],
)
def test_every_page_carries_the_security_headers(container: Container, path: str) -> None:
    """Pages, redirects to the login page, the tracking page (a token it does not know),
    /driver, and a page that does not exist: each answer has the headers."""
    _page_headers_ok(app_client(container).get(path))


def test_the_pages_of_a_logged_in_user_carry_them_too(container: Container) -> None:
    users.create_user(container.uow(), SYSTEM, NewUser("hd", Role.ADMIN), "header-pass-1")
    browser = app_client(container)
    form = browser.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    login = browser.post(
        "/login",
        data={"username": "hd", "password": "header-pass-1", "csrf_token": token.group(1)},
    )
    assert login.status_code == 303
    for path in ("/", "/orders", "/stock", "/reports", "/webhooks"):
        answer = browser.get(path)
        assert answer.status_code == 200, path
        _page_headers_ok(answer)


def test_api_answers_are_nosniff_and_hsts_is_sent_only_when_configured(
    container: Container,
) -> None:
    plain = app_client(container).get("/api/v1/orders")
    assert plain.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in plain.headers
    hsts = app_client(container, hsts_seconds=31536000)
    for path in ("/api/v1/orders", "/login"):
        assert (
            hsts.get(path).headers["Strict-Transport-Security"]
            == "max-age=31536000; includeSubDomains"
        )


# -- logs: one JSON line per request, never a secret ----------------------------------------


@pytest.mark.slow
def test_secrets_never_reach_the_logs_of_a_running_server(tmp_path: Path) -> None:
    """A real `oms serve`: log in with a password, call the API with a bearer token, create
    a webhook with a secret, send a session cookie and a card-like number; none of them
    is in anything the process wrote, and each request has its JSON line."""
    from oms.adapters.db.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'oms.db'}"
    upgrade(url)
    password = "Pa55word-never-logged"
    setup = bootstrap(Settings(database_url=url))
    token = users.create_user(
        setup.uow(), SYSTEM, NewUser("ops-admin", Role.ADMIN), password
    ).token.token
    setup.close()
    env = {
        "OMS_DATABASE_URL": url,
        "OMS_COOKIE_SECURE": "0",
        "OMS_WEBHOOKS_ALLOW_PRIVATE": "1",
        "OMS_LOG_LEVEL": "DEBUG",
    }
    secret = "whsec_never-logged-0123456789abcdef"
    card = "4111111111111111"
    log = tmp_path / "serve.log"
    with server(env, log) as base, httpx.Client(base_url=base) as http:
        form = http.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert csrf
        login = http.post(
            "/login",
            data={"username": "ops-admin", "password": password, "csrf_token": csrf.group(1)},
        )
        assert login.status_code == 303
        session = http.cookies.get("oms_session")
        assert session and http.get("/").status_code == 200
        auth = {"Authorization": f"Bearer {token}", "X-Request-Id": "ops-test-1"}
        hook = http.post(
            "/api/v1/webhooks",
            json={"url": "http://127.0.0.1:9/hook", "events": ["order.placed"], "secret": secret},
            headers=auth,
        )
        assert hook.status_code == 201, hook.text
        http.get(f"/api/v1/orders?q={card}", headers=auth)
        http.get("/api/v1/orders", headers={"Authorization": f"Bearer {token}x"})  # a 401
    text = log.read_text()
    for leaked in (password, token, token[4:], secret, session, card):
        assert leaked not in text, leaked
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("logger") == "oms.access"]
    webhook = [r for r in requests if r["request_id"] == "ops-test-1"]
    assert webhook and webhook[0] == {
        **webhook[0],
        "method": "POST",
        "route": "/api/v1/webhooks",
        "status": 201,
        "user": "ops-admin",
    }
    assert any(r["route"] == "/" and r["user"] == "ops-admin" for r in requests)
    assert any(r["status"] == 401 and r["user"] is None for r in requests)
    assert all(isinstance(r["duration_ms"], float | int) for r in requests)
