"""The channel pages over HTTP, on both databases: an admin creates a channel (the secret
shown in that answer only), changes its settings, rotates the secret, uploads a CSV and
reads its row errors; refusals inline; other roles read without forms; CSRF-less posts
refused."""

from __future__ import annotations

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.domain.channels.model import Channel
from oms.services import channels
from tests.builders import stocked
from tests.e2e.test_login import csrf_of
from tests.e2e.test_return_policy_pages import as_role, shop

__all__ = ["shop"]
CSV = (
    "external_id,sku,quantity,customer_email,customer_name,ship_line1,ship_city,"
    "ship_postal_code,ship_country\n"
    "W-1,GIFT,1,ann@example.com,Ann,1 rue,Lyon,69001,FR\n"
    "W-2,NOPE,1,bob@example.com,Bob,2 rue,Lyon,69002,FR\n"
)


def test_an_admin_creates_changes_rotates_and_uploads(shop: Container) -> None:
    admin = as_role(shop, "admin")
    listed = admin.get("/channels")
    assert listed.status_code == 200 and 'href="/channels"' in listed.text
    token = csrf_of(listed)
    bad = admin.post("/channels", data={"csrf_token": token, "name": "Bad Name",
                                        "hold_minutes": "0"})  # fmt: skip
    assert bad.status_code == 422 and 'value="Bad Name"' in bad.text
    made = admin.post("/channels", data={"csrf_token": token, "name": "market",
                                         "kind": "marketplace", "buffer_units": "5"})  # fmt: skip
    assert made.status_code == 200, made.text
    secret = channels.get_channel(shop.uow(), SYSTEM, "market").channel.secret
    assert secret and secret in made.text and "/api/v1/channels/market/shopify/orders" in made.text
    page = admin.get("/channels/market")
    assert secret not in page.text and "marketplace" in page.text

    saved = admin.post("/channels/market", data={"csrf_token": token, "kind": "store",
                       "currency": "eur", "buffer_units": "2", "buffer_percent": "10",
                       "hold_minutes": "30", "tax_inclusive": "on"},
                       follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303
    c = channels.get_channel(shop.uow(), SYSTEM, "market").channel
    assert (c.kind.value, c.currency, c.buffer_percent, c.tax_inclusive) == (
        "store",
        "EUR",
        10,
        True,
    )
    assert c.secret == secret
    rotated = admin.post("/channels/market/secret", data={"csrf_token": token})
    new = channels.get_channel(shop.uow(), SYSTEM, "market").channel.secret
    assert new != secret and new in rotated.text

    stocked(shop.uow(), "GIFT", 3)
    files = {"file": ("orders.csv", CSV.encode(), "text/csv")}
    report = admin.post("/channels/market/imports", data={"csrf_token": token}, files=files)
    assert report.status_code == 200, report.text
    assert "1 imported" in report.text and "unknown SKU &#39;NOPE&#39;" in report.text
    assert admin.post("/channels/market/imports", files=files).status_code in {403, 400, 409}


def test_other_roles_read_without_forms(shop: Container) -> None:
    channels.create_channel(shop.uow(), SYSTEM, Channel("market"))
    cs = as_role(shop, "customer_service")
    page = cs.get("/channels/market")
    assert page.status_code == 200 and "Rotate the secret" not in page.text
    assert "Import orders" not in page.text  # customer service does not place orders
    assert 'href="/channels"' not in cs.get("/").text
    token = csrf_of(page)
    assert cs.post("/channels/market/secret", data={"csrf_token": token}).status_code == 403
