"""Checkout holds on the stock pages in Chromium: the row shows what is held beside what is
reserved and lists the live holds with their expiry; an admin releases one; a role that
may not release sees no button. axe and both widths."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page, expect

from oms.domain.access import SYSTEM
from oms.domain.catalogue.model import NewProduct
from oms.domain.inventory.holds import HoldRequest
from oms.services import catalogue, holds, inventory
from oms.services.inventory import StockChange
from tests.browser.conftest import LiveServer
from tests.browser.shop import check_page, log_in

SKU = "HOLD-CART-LAMP"
ROW = f"/stock/BER/{SKU}"


def _carts(live_server: LiveServer) -> list[int]:
    """The product, 9 units at BER, and two live holds (3 and 2 units) on channel web."""
    uow = live_server.container.uow()
    if uow.run(lambda: uow.products.get(SKU), write=False) is None:
        catalogue.create_product(uow, SYSTEM, NewProduct(SKU, "Cart lamp", Decimal("24.00"), "EUR"))
    inventory.count_stock(uow, SYSTEM, StockChange("BER", SKU, "holds test", on_hand=9))
    return [holds.create_hold(uow, SYSTEM, HoldRequest("web", [(SKU, n)], 3600)).id for n in (3, 2)]


def _row(live_server: LiveServer) -> tuple[int, int, int]:
    (r,) = inventory.list_stock(live_server.container.uow(), SYSTEM, sku=SKU, location="BER")
    return r.on_hand, r.held, r.available


def test_an_admin_sees_the_live_holds_of_a_row_and_releases_one(
    page: Page, live_server: LiveServer, screenshots: Path | None
) -> None:
    first, second = _carts(live_server)
    held_before = _row(live_server)[1]
    log_in(page, "admin")
    page.goto(ROW)
    expect(page.get_by_role("heading", name=f"{SKU} at BER")).to_be_visible()
    expect(page.locator("#held")).to_have_text(str(held_before))
    table = page.get_by_role("region", name="Live holds")
    expect(table.get_by_role("row", name=re.compile(f"#{first} web 3"))).to_be_visible()
    expect(table.get_by_role("columnheader", name="Expires (Europe/Berlin)")).to_be_visible()
    check_page(page, "stock-row-holds", screenshots)
    table.get_by_role("button", name=f"Release hold {second}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Released hold #{second}.")
    expect(page.locator("#held")).to_have_text(str(held_before - 2))
    expect(page.get_by_role("button", name=f"Release hold {second}")).to_have_count(0)
    assert _row(live_server)[1] == held_before - 2


def test_a_warehouse_user_sees_the_holds_but_no_release_button(
    page: Page, live_server: LiveServer
) -> None:
    _carts(live_server)
    log_in(page, "warehouse")
    page.goto(ROW)
    expect(page.get_by_role("region", name="Live holds")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Release hold"))).to_have_count(0)
    page.goto(f"/stock?q={SKU}")
    expect(page.get_by_role("columnheader", name="Held")).to_be_visible()
