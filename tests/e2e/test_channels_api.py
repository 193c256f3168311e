"""Channels over HTTP: create (the secret answered once), read (a name without a record
answers its defaults), change, rotate, and refusals as problem+json."""

from __future__ import annotations

from fastapi.testclient import TestClient

API = "/api/v1/channels"


def test_create_read_change_and_rotate(client: TestClient) -> None:
    made = client.post(
        API, json={"name": "market", "kind": "marketplace", "currency": "EUR", "buffer_units": 5}
    )
    assert made.status_code == 201, made.text
    body = made.json()
    secret = body["secret"]
    assert len(secret) >= 40 and body["has_secret"] is True and body["stored"] is True
    assert body["return_policy"]["source"] == "built-in"

    read = client.get(f"{API}/market").json()
    assert "secret" not in read and secret not in str(read)
    assert (read["kind"], read["currency"], read["buffer_units"]) == ("marketplace", "EUR", 5)
    listed = client.get(API).json()
    assert [c["name"] for c in listed["items"]] == ["market"] and listed["next_cursor"] is None
    assert secret not in str(listed)

    patched = client.patch(f"{API}/market", json={"buffer_percent": 10, "currency": None})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["buffer_percent"], patched.json()["currency"]) == (10, None)
    assert patched.json()["buffer_units"] == 5

    rotated = client.post(f"{API}/market/secret")
    assert rotated.status_code == 200 and rotated.json()["secret"] != secret


def test_a_name_without_a_record_answers_its_defaults(client: TestClient) -> None:
    web = client.get(f"{API}/web").json()
    assert web["stored"] is False and web["kind"] == "web" and web["hold_minutes"] == 15


def test_refusals(client: TestClient) -> None:
    bad = client.post(API, json={"name": "Bad Name", "buffer_percent": 101})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"name", "buffer_percent"}
    assert client.post(API, json={"name": "shop", "secret": "mine"}).status_code == 422
    assert client.post(API, json={"name": "shop"}).status_code == 201
    dup = client.post(API, json={"name": "shop"})
    assert dup.status_code == 409 and dup.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert client.patch(f"{API}/nobody", json={"hold_minutes": 5}).status_code == 404
    assert client.post(f"{API}/nobody/secret").status_code == 404
    bad_currency = client.patch(f"{API}/shop", json={"currency": "XYZ"})
    assert bad_currency.status_code == 422 and bad_currency.json()["errors"][0]["field"] == (
        "currency"
    )
