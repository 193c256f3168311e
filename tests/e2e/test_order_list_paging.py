"""The orders list's cursor paging over HTTP: keyset (newest first, after the last id seen),
so orders placed while someone pages neither shift the pages nor repeat or hide an order;
and the search box's partial matches through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from oms.bootstrap import Container
from tests.builders import order_body, stocked

API = "/api/v1"


def place(client: TestClient, email: str = "ann@example.com") -> int:
    body = order_body(("MUG", 1))
    body["customer"]["email"] = email
    placed = client.post(f"{API}/orders", json=body)
    assert placed.status_code == 201, placed.text
    return int(placed.json()["id"])


def pages(client: TestClient, params: dict[str, str], limit: int) -> list[list[int]]:
    """Every page, following next_cursor; orders are placed between the pages."""
    seen: list[list[int]] = []
    cursor: str | None = None
    while True:
        asked = {**params, "limit": str(limit), **({"cursor": cursor} if cursor else {})}
        answer = client.get(f"{API}/orders", params=asked)
        assert answer.status_code == 200, answer.text
        seen.append([o["id"] for o in answer.json()["items"]])
        place(client)  # someone places an order while the list is paged
        place(client, "bob@example.com")
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return seen


def test_paging_is_complete_and_stable_while_orders_are_placed(
    container: Container, client: TestClient
) -> None:
    stocked(container.uow(), "MUG", 200)
    before = [place(client, f"c{i % 3}@example.com") for i in range(8)]
    walked = pages(client, {}, limit=3)
    flat = [i for page in walked for i in page]
    # exactly the orders there were when paging began, newest first, none twice
    assert flat == sorted(before, reverse=True)
    assert all(len(page) == 3 for page in walked[:-1])
    # with a filter too: the customer's orders only, none of those placed meanwhile
    mine = [i for n, i in enumerate(before) if n % 3 == 1]
    walked = pages(client, {"customer_email": "c1@example.com"}, limit=2)
    assert [i for page in walked for i in page] == sorted(mine, reverse=True)
    # the newest are on a fresh first page
    first = client.get(f"{API}/orders", params={"limit": "2"}).json()["items"]
    assert [o["id"] for o in first] == sorted(first_ids(client), reverse=True)[:2]


def first_ids(client: TestClient) -> list[int]:
    return [o["id"] for o in client.get(f"{API}/orders", params={"limit": "200"}).json()["items"]]


def test_partial_numbers_emails_and_phones_find_their_orders(
    container: Container, client: TestClient
) -> None:
    stocked(container.uow(), "MUG", 20)
    body = order_body(("MUG", 1))
    body["customer"] = {"email": "anne.martin@orange.fr", "name": "Anne Martin"}
    body["customer"]["phone"] = "+33 6 12 34 56 78"
    anne = client.post(f"{API}/orders", json=body).json()
    other = place(client, "bob@example.com")
    for q in ("anne.martin@", "@orange.fr", "anne.mar", "Martin", "12 34 56 78", "+33 6 123"):
        found = client.get(f"{API}/orders", params={"q": q}).json()["items"]
        assert [o["id"] for o in found] == [anne["id"]], q
    numbers = client.get(f"{API}/orders", params={"q": anne["number"][:-1]}).json()["items"]
    assert {o["id"] for o in numbers} == {anne["id"], other}
    # what cannot be a search still answers an empty page, not an error
    assert client.get(f"{API}/orders", params={"q": "%_*?["}).json()["items"] == []
