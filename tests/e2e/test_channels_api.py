"""Channels over HTTP: create (the secret answered once), read (a name without a record
answers its defaults), change, rotate, and refusals as problem+json."""

from __future__ import annotations

import gzip

from fastapi.testclient import TestClient

from oms.bootstrap import Container
from tests.builders import stocked

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
    given = client.post(f"{API}/market/secret", json={"secret": "shpss_0123456789abcdef"})
    assert given.status_code == 200 and given.json()["secret"] == "shpss_0123456789abcdef"
    assert client.post(f"{API}/market/secret", json={"secret": "short"}).status_code == 422


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


CSV = (
    "ref,sku,quantity,customer_email,customer_name,ship_line1,ship_city,ship_postal_code,"
    "ship_country\n"
    "A-1,MUG,2,ann@example.com,Ann,1 rue,Lyon,69001,FR\n"
    "A-2,GHOST,1,bob@example.com,Bob,2 rue,Lyon,69002,France\n"
)


def test_an_upload_imports_and_reports_row_errors(client: TestClient, container: Container) -> None:
    stocked(container.uow(), "MUG", 5)
    files = {"file": ("orders.csv", CSV.encode(), "text/csv")}
    answer = client.post(f"{API}/shop/imports", files=files, data={"map": "external_id=ref"})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["lines"], report["imported"], report["skipped"]) == (2, 1, 1)
    assert report["errors"] == [{"row": 3, "column": "sku", "message": "unknown SKU 'GHOST'"}]
    again = client.post(f"{API}/shop/imports", files=files, data={"map": "external_id=ref"})
    assert (again.json()["imported"], again.json()["already"]) == (0, 1)
    gz = {"file": ("orders.csv.gz", gzip.compress(CSV.encode()), "application/gzip")}
    assert (
        client.post(f"{API}/shop/imports", files=gz, data={"map": "external_id=ref"}).json()[
            "already"
        ]
        == 1
    )
    orders = client.get("/api/v1/orders", params={"channel": "shop"}).json()["items"]
    assert [o["external_id"] for o in orders] == ["A-1"]


def test_an_upload_with_an_unreadable_layout_is_422(client: TestClient) -> None:
    files = {"file": ("orders.csv", CSV.encode(), "text/csv")}
    answer = client.post(f"{API}/shop/imports", files=files)  # no external_id column
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "map"
    answer = client.post(
        f"{API}/shop/imports", files=files, data={"map": "external_id=ref", "tz": "Mars/Base"}
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "tz"
