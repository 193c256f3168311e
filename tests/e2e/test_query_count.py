"""Order detail and list make a bounded number of queries, whatever the order size (no N+1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from tests.builders import order_body


@contextmanager
def counting(container: Container) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(container.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(container.engine, "before_cursor_execute", record)


def setup(client: TestClient, skus: int) -> None:
    client.post(
        "/api/v1/locations",
        json={
            "code": "PAR",
            "name": "Paris",
            "kind": "warehouse",
            "country": "FR",
            "postal_code": "75011",
            "ships": True,
        },
    )
    for i in range(skus):
        client.post("/api/v1/products", json={"sku": f"S{i}", "name": "x", "price": "1.00"})
        client.put(f"/api/v1/stock/PAR/S{i}", json={"on_hand": 100})


def queries_for(client: TestClient, container: Container, url: str) -> int:
    with counting(container) as statements:
        assert client.get(url).status_code == 200
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])


def test_detail_and_list_queries_do_not_grow_with_lines_or_orders(
    client: TestClient, container: Container
) -> None:
    setup(client, 40)
    small = client.post("/api/v1/orders", json=order_body(("S0", 1))).json()["id"]
    big = client.post("/api/v1/orders", json=order_body(*[(f"S{i}", 1) for i in range(40)])).json()[
        "id"
    ]
    detail_small = queries_for(client, container, f"/api/v1/orders/{small}")
    detail_big = queries_for(client, container, f"/api/v1/orders/{big}")
    assert detail_small == detail_big
    list_two = queries_for(client, container, "/api/v1/orders")
    for i in range(30):
        client.post("/api/v1/orders", json=order_body((f"S{i}", 1), (f"S{i + 1}", 2)))
    list_many = queries_for(client, container, "/api/v1/orders?limit=50")
    assert list_two == list_many
    assert list_many <= 4  # token check, orders page, their lines (+ a spare)


def test_placing_an_order_reads_local_delivery_only_where_a_candidate_has_it(
    container: Container,
) -> None:
    """The stock options say which locations deliver themselves (a key probe in the same
    statement), so sourcing asks for local delivery settings only when one of them does:
    placing stays one round trip shorter for shops without their own drivers."""
    from oms.domain.access import SYSTEM
    from oms.services import local_delivery, orders
    from tests.builders import draft, stocked
    from tests.service.local_runs import LOCAL, NEAR

    uow = container.uow()
    stocked(uow, "TEE", 5, "PAR")
    stocked(uow, "TEE", 5, "LYO")

    def settings_read() -> int:
        with counting(container) as statements:
            orders.place_order(uow, SYSTEM, draft(("TEE", 1), address=NEAR))
        return sum(1 for s in statements if "FROM local_delivery" in s and "EXISTS" not in s)

    assert settings_read() == 0
    local_delivery.set_local_delivery(uow, SYSTEM, "PAR", LOCAL)
    assert settings_read() == 1
