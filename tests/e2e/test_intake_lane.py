"""`POST /api/v1/orders` answered by the intake lane (api/intake_lane.py) is answered as the
framework's route answers it: the same statuses, problem bodies and headers, for good
requests, repeats and every kind of refusal."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from oms.api.app import create_app
from oms.api.intake_lane import IntakeLane, intake_pool
from oms.api.routes import orders as order_routes
from oms.bootstrap import Container
from tests.builders import order_body
from tests.conftest import bearer

API = "/api/v1"


def _setup(client: TestClient) -> None:
    client.post(
        f"{API}/locations",
        json={"code": "PAR", "name": "Paris", "kind": "warehouse", "country": "FR",
              "postal_code": "75011", "ships": True},
    )  # fmt: skip
    client.post(f"{API}/products", json={"sku": "MUG", "name": "Mug", "price": "9.90"})
    client.put(f"{API}/stock/PAR/MUG", json={"on_hand": 5})


def _without_lane(container: Container) -> TestClient:
    app = create_app(container)
    app.user_middleware = [m for m in app.user_middleware if m.cls is not IntakeLane]
    return TestClient(app)


# (name, headers, body): every request is sent once with a fresh key suffix per app.
Case = tuple[str, dict[str, str], Callable[[str], Any]]


def _cases(token: str) -> list[Case]:
    auth = bearer(token)
    good = order_body(("MUG", 1))
    return [
        ("placed", {**auth, "Idempotency-Key": "k-placed"}, lambda s: good),
        ("repeat", {**auth, "Idempotency-Key": "k-placed"}, lambda s: good),
        ("key reused", {**auth, "Idempotency-Key": "k-placed"}, lambda s: order_body(("MUG", 2))),
        ("backordered", {**auth, "Idempotency-Key": "k-back"}, lambda s: order_body(("MUG", 9))),
        ("no key", auth, lambda s: good),
        ("no token", {}, lambda s: good),
        ("basic auth", {"Authorization": "Basic dXNlcjpwYXNz"}, lambda s: good),
        ("unknown token", bearer("nope"), lambda s: good),
        ("unknown token, bad body", bearer("nope"), lambda s: {"lines": []}),
        ("unknown token, not json", bearer("nope"), lambda s: b"{not json"),
        ("no token, bad body", {}, lambda s: {"lines": "x"}),
        ("bad body", auth, lambda s: {"lines": "x"}),
        ("not json", auth, lambda s: b"{not json"),
        ("empty body", auth, lambda s: b""),
        ("unknown sku", auth, lambda s: order_body(("NOPE", 1))),
        ("zero quantity", auth, lambda s: order_body(("MUG", 0))),
        ("key too long", {**auth, "Idempotency-Key": "k" * 256}, lambda s: good),
        ("text body", {**auth, "Content-Type": "text/plain"}, lambda s: json.dumps(good)),
    ]


def _send(client: TestClient, headers: dict[str, str], body: Any) -> Any:
    if isinstance(body, (bytes, str)):
        headers = {"Content-Type": "application/json", **headers}
        return client.post(f"{API}/orders", content=body, headers=headers)
    return client.post(f"{API}/orders", json=body, headers=headers)


def _shape(response: Any) -> tuple[Any, ...]:
    body = response.json()
    if response.status_code in (200, 201):
        summary: Any = (
            sorted(body),
            [(ln["sku"], ln["allocated_quantity"], ln["backordered_quantity"])
             for ln in body["lines"]],
        )  # fmt: skip
    else:
        summary = body
    headers = {k: response.headers.get(k) for k in ("content-type", "www-authenticate")}
    return response.status_code, summary, headers


@pytest.mark.parametrize("first", ["lane", "framework"])
def test_the_lane_answers_as_the_framework_does(
    container: Container, admin_token: str, first: str
) -> None:
    lane = TestClient(create_app(container))
    framework = _without_lane(container)
    _setup(TestClient(create_app(container), headers=bearer(admin_token)))
    answers: dict[str, list[tuple[Any, ...]]] = {"lane": [], "framework": []}
    order = [first, "framework" if first == "lane" else "lane"]
    for name in order:
        client = lane if name == "lane" else framework
        for case, headers, body in _cases(admin_token):
            # Each side places its own orders (keys made distinct per side).
            sent = {k: (f"{v}-{name}" if k == "Idempotency-Key" and len(v) < 200 else v)
                    for k, v in headers.items()}  # fmt: skip
            answers[name].append((case, *_shape(_send(client, sent, body(name)))))
        # Put the stock back for the other side.
        TestClient(create_app(container), headers=bearer(admin_token)).put(
            f"{API}/stock/PAR/MUG", json={"on_hand": 5 + 11}
        )
    assert answers["lane"] == answers["framework"]
    statuses = {case: status for case, status, *_ in answers["lane"]}
    assert statuses["placed"] == 201 and statuses["repeat"] == 200
    assert statuses["no token"] == 401 and statuses["unknown token"] == 401
    # The token is checked before the body's fields, as every other route does (a body
    # that is not JSON at all is refused by FastAPI before any dependency runs: 422).
    assert statuses["unknown token, bad body"] == 401
    assert statuses["no token, bad body"] == 401
    assert statuses["bad body"] == 422 and statuses["key too long"] == 422


def test_the_lane_serves_the_route_without_the_framework(
    container: Container, admin_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A good request never reaches FastAPI's endpoint; a bad one does."""
    client = TestClient(create_app(container), headers=bearer(admin_token))
    _setup(client)
    routed: list[str] = []
    lane_call = IntakeLane.__call__

    async def counting(self: IntakeLane, scope: Any, receive: Any, send: Any) -> None:
        await lane_call(self, scope, receive, send)
        if scope.get("path") == f"{API}/orders":
            routed.append(scope.get("endpoint").__name__ if scope.get("endpoint") else "lane")

    monkeypatch.setattr(IntakeLane, "__call__", counting)
    assert client.post(f"{API}/orders", json=order_body(("MUG", 1))).status_code == 201
    assert client.post(f"{API}/orders", json={"lines": "x"}).status_code == 422
    assert routed == ["lane", "place_order"]


def test_placements_run_on_the_lanes_threads_as_many_as_the_database_wants(
    container: Container, admin_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite groups the placements that wait for its write lock, so it gets more threads
    than PostgreSQL, whose waits on hot rows grow with them (docs/performance.md)."""
    client = TestClient(create_app(container), headers=bearer(admin_token))
    _setup(client)
    threads: list[str] = []
    placed_answer = order_routes.placed_answer

    def recording(*args: Any) -> Any:
        threads.append(threading.current_thread().name)
        return placed_answer(*args)

    monkeypatch.setattr(order_routes, "placed_answer", recording)
    assert client.post(f"{API}/orders", json=order_body(("MUG", 1))).status_code == 201
    assert len(threads) == 1 and threads[0].startswith("oms-intake")
    dialect = container.engine.dialect.name
    assert intake_pool(dialect)._max_workers == {"sqlite": 32, "postgresql": 8}[dialect]
