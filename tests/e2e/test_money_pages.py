"""The money pages over HTTP, on both databases: recording a payment and cancelling units
on the order's page, refunding, exchanging and closing an inspected return on its page,
a failed refund retried, refusals inline with their status and the typed values kept
(nothing to refund, above the refund limit), the forms absent for roles without the
permission, forged and CSRF-less posts refused."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.payments.model import PaymentStatus
from oms.domain.returns.reasons import ReturnReason
from oms.domain.users import NewUser
from oms.services import orders, returns, users
from tests.builders import draft, stocked
from tests.conftest import FakeClock
from tests.e2e.test_login import PASSWORD, browser_for, csrf_of, log_in
from tests.fakes import FakePasswords
from tests.service.test_money import Flaky, deliver, inspected, pay, priced

ROLES = (Role.SALES, Role.CUSTOMER_SERVICE, Role.WAREHOUSE, Role.ANALYST, Role.ADMIN)


@pytest.fixture
def fast(container: Container) -> Container:
    fast = dataclasses.replace(container, passwords=FakePasswords())
    for role in ROLES:
        users.create_user(fast.uow(), SYSTEM, NewUser(role.value, role), PASSWORD)
    return fast


def as_role(c: Container, role: str) -> TestClient:
    browser = browser_for(c)
    assert log_in(browser, role).status_code == 303
    return browser


def limited(c: Container, limit: str) -> Container:
    """The same app with another refund limit."""
    settings = c.settings.model_copy(update={"refund_limit": Decimal(limit)})
    return dataclasses.replace(c, settings=settings)


def placed(c: Container, quantity: int = 2) -> int:
    """An order of TEE (10.00 each, 4.95 shipping) placed and not confirmed."""
    stocked(c.uow(), "TEE", 10)
    return orders.place_order(
        c.uow(), SYSTEM, draft(("TEE", quantity), shipping=Decimal("4.95"))
    ).order.id


def forms_of(text: str) -> list[str]:
    return re.findall(r'<form[^>]*action="([^"]+)"', text)


def flash_after(browser: TestClient, answer: object) -> str:
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    return browser.get(answer.headers["location"]).text  # type: ignore[attr-defined]


def line_id(c: Container, order_id: int, sku: str = "TEE") -> int:
    return next(ln.id for ln in orders.get_order(c.uow(), SYSTEM, order_id).lines if ln.sku == sku)


# -- the order page ---------------------------------------------------------------------------


def test_a_payment_is_recorded_and_a_wrong_one_refused_inline(fast: Container) -> None:
    order_id = placed(fast)
    cs = as_role(fast, "customer_service")
    page = cs.get(f"/orders/{order_id}")
    assert "Record payment" in page.text and '<option value="manual">' in page.text
    assert 'class="status unpaid"' in page.text and 'value="24.95"' in page.text
    url = f"/orders/{order_id}/payments"
    token = csrf_of(page)
    bad = cs.post(url, data={"csrf_token": token, "amount": "ten", "provider": "manual"})
    assert bad.status_code == 422 and "a number such as 19.90" in bad.text
    assert 'value="ten"' in bad.text and 'aria-invalid="true"' in bad.text
    form = {"csrf_token": token, "amount": "30.00", "provider": "manual", "reference": "BT-9"}
    too_much = cs.post(url, data=form)
    assert too_much.status_code == 409 and "24.95 EUR still due" in too_much.text
    assert 'value="30.00"' in too_much.text and 'value="BT-9"' in too_much.text
    shown = flash_after(cs, cs.post(url, data={**form, "amount": "20.00"}))
    assert "Payment of 20.00 EUR recorded" in shown
    assert 'class="status partially_paid"' in shown and "BT-9" in shown
    assert 'value="4.95"' in shown  # what is still to pay, offered next
    again = flash_after(cs, cs.post(url, data={**form, "amount": "20.00"}))
    assert "recorded already" in again
    order = orders.get_order(fast.uow(), SYSTEM, order_id)
    assert order.paid_total == Decimal("20.00")
    assert order.payment_status is PaymentStatus.PARTIALLY_PAID


def test_money_forms_are_absent_for_roles_without_the_permission_and_forgeries_refused(
    fast: Container,
) -> None:
    order_id = placed(fast)
    analyst = as_role(fast, "analyst")
    page = analyst.get(f"/orders/{order_id}")
    assert page.status_code == 200 and "Money" in page.text and "unpaid" in page.text
    assert "Record payment" not in page.text and "Cancel units" not in page.text
    token = csrf_of(page)
    forged = analyst.post(f"/orders/{order_id}/payments", data={"csrf_token": token, "amount": "1"})
    assert forged.status_code == 403
    lid = line_id(fast, order_id)
    forged = analyst.post(
        f"/orders/{order_id}/lines/{lid}/cancel",
        data={"csrf_token": token, "quantity": "1", "reason": "x"},
    )
    assert forged.status_code == 403
    sales = as_role(fast, "sales")
    sales_page = sales.get(f"/orders/{order_id}").text
    assert "Record payment" in sales_page
    no_csrf = sales.post(f"/orders/{order_id}/payments", data={"amount": "1"})
    assert no_csrf.status_code == 403 and "expired" in no_csrf.text
    assert orders.get_order(fast.uow(), SYSTEM, order_id).paid_total == 0


def test_cancelling_units_of_a_paid_order_shows_the_refund(fast: Container) -> None:
    order_id = placed(fast)
    pay(fast.uow(), order_id, "24.95")
    cs = as_role(fast, "customer_service")
    page = cs.get(f"/orders/{order_id}")
    lid = line_id(fast, order_id)
    url = f"/orders/{order_id}/lines/{lid}/cancel"
    assert url in forms_of(page.text)
    form = {"csrf_token": csrf_of(page), "quantity": "5", "reason": "out of fashion"}
    wrong = cs.post(url, data=form)
    assert wrong.status_code == 422 and "between 1 and 2" in wrong.text
    assert 'value="5"' in wrong.text and "out of fashion</textarea>" in wrong.text
    shown = flash_after(cs, cs.post(url, data={**form, "quantity": "1"}))
    assert "1 of TEE cancelled" in shown and "Refund of 10.00 EUR sent back" in shown
    assert 'class="status succeeded"' in shown and "cancelled: out of fashion" in shown
    assert 'class="status partially_refunded"' in shown
    order = orders.get_order(fast.uow(), SYSTEM, order_id)
    assert order.refunded_total == Decimal("10.00") and order.lines[0].cancelled_quantity == 1


def test_a_refund_above_the_limit_is_refused_inline_and_an_admin_issues_it(
    fast: Container,
) -> None:
    c = limited(fast, "5")
    order_id = placed(c)
    pay(c.uow(), order_id, "24.95")
    lid = line_id(c, order_id)
    url = f"/orders/{order_id}/lines/{lid}/cancel"
    cs = as_role(c, "customer_service")
    page = cs.get(f"/orders/{order_id}")
    form = {"csrf_token": csrf_of(page), "quantity": "1", "reason": "customer asked"}
    refused = cs.post(url, data=form)
    assert refused.status_code == 403
    assert (
        "above the refund limit of 5" in refused.text
        and "customer asked</textarea>" in refused.text
    )
    assert orders.get_order(c.uow(), SYSTEM, order_id).lines[0].cancelled_quantity == 0
    whole = cs.post(f"/orders/{order_id}/cancel", data={**form, "reason": "all of it"})
    assert whole.status_code == 403 and "above the refund limit" in whole.text
    assert "all of it</textarea>" in whole.text
    admin = as_role(c, "admin")
    page = admin.get(f"/orders/{order_id}")
    done = flash_after(admin, admin.post(url, data={**form, "csrf_token": csrf_of(page)}))
    assert "Refund of 10.00 EUR sent back" in done


def test_a_failed_refund_shows_its_error_and_is_retried(fast: Container) -> None:
    card = Flaky()
    fast.providers.add(card)
    order_id = placed(fast)
    cs = as_role(fast, "customer_service")
    page = cs.get(f"/orders/{order_id}")
    assert '<option value="card">' in page.text
    form = {"csrf_token": csrf_of(page), "amount": "24.95", "provider": "card"}
    flash_after(cs, cs.post(f"/orders/{order_id}/payments", data=form))
    lid = line_id(fast, order_id)
    cancel = {"csrf_token": form["csrf_token"], "quantity": "1", "reason": "changed"}
    shown = flash_after(cs, cs.post(f"/orders/{order_id}/lines/{lid}/cancel", data=cancel))
    assert "failed at the provider (card: issuer unavailable)" in shown
    assert 'class="status failed"' in shown
    (retry,) = [u for u in forms_of(shown) if u.endswith("/retry")]
    assert "Retry" not in as_role(fast, "sales").get(f"/orders/{order_id}").text
    done = flash_after(cs, cs.post(retry, data={"csrf_token": form["csrf_token"]}))
    assert "Refund of 10.00 EUR sent back" in done and "/retry" not in " ".join(forms_of(done))
    again = cs.post(retry, data={"csrf_token": form["csrf_token"]})
    assert again.status_code == 409 and "succeeded already" in again.text
    assert cs.post(f"/orders/{order_id + 1}/refunds/1/retry", data=cancel).status_code == 404


# -- the return page --------------------------------------------------------------------------


def test_an_inspected_return_is_refunded_from_its_page(fast: Container, clock: FakeClock) -> None:
    uow = fast.uow()
    order_id = deliver(uow, clock, priced(("TEE", 2, "10.00", "1.00", "0"), shipping=Decimal(5)))
    pay(uow, order_id, "24.00")
    return_id = inspected(uow, order_id, [("TEE", 1, ReturnReason.DAMAGED)])
    url = f"/returns/{return_id}"
    for role in ("warehouse", "sales", "analyst"):
        assert not {f"{url}/refund", f"{url}/exchange", f"{url}/close"} & set(
            forms_of(as_role(fast, role).get(url).text)
        )
    cs = as_role(fast, "customer_service")
    page = cs.get(url)
    assert forms_of(page.text)[-3:] == [f"{url}/refund", f"{url}/exchange", f"{url}/close"]
    shown = flash_after(cs, cs.post(f"{url}/refund", data={"csrf_token": csrf_of(page)}))
    assert "Refund of 9.50 EUR sent back" in shown and 'class="status refunded"' in shown
    assert "<dt>Refunded</dt><dd>9.50 EUR</dd>" in shown and 'class="status succeeded"' in shown
    assert f"{url}/refund" not in forms_of(shown) and f"{url}/close" in forms_of(shown)
    order_page = cs.get(f"/orders/{order_id}").text
    assert 'class="status partially_refunded"' in order_page and "return RMA-" in order_page
    assert cs.post(f"{url}/refund", data={"csrf_token": csrf_of(page)}).status_code == 409


def test_nothing_to_refund_is_refused_inline_and_the_return_is_closed(
    fast: Container, clock: FakeClock
) -> None:
    uow = fast.uow()
    order_id = deliver(uow, clock, priced(("TEE", 1, "10.00", "0", "0")))
    return_id = inspected(uow, order_id, [("TEE", 1, ReturnReason.DAMAGED)])
    url = f"/returns/{return_id}"
    cs = as_role(fast, "customer_service")
    token = csrf_of(cs.get(url))
    refused = cs.post(f"{url}/refund", data={"csrf_token": token})
    assert refused.status_code == 409 and "close the return instead" in refused.text
    empty = cs.post(f"{url}/close", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422 and "must not be empty" in empty.text
    shown = flash_after(cs, cs.post(f"{url}/close", data={"csrf_token": token, "reason": "COD"}))
    assert "closed." in shown and 'class="status closed"' in shown
    assert returns.get_return(uow, SYSTEM, return_id).status.value == "closed"


def test_a_refund_above_the_limit_is_refused_inline_on_the_return_page(
    fast: Container, clock: FakeClock
) -> None:
    c = limited(fast, "5")
    uow = c.uow()
    order_id = deliver(uow, clock, priced(("TEE", 1, "10.00", "0", "0")))
    pay(uow, order_id, "10.00")
    return_id = inspected(uow, order_id, [("TEE", 1, ReturnReason.DAMAGED)])
    cs = as_role(c, "customer_service")
    url = f"/returns/{return_id}"
    refused = cs.post(f"{url}/refund", data={"csrf_token": csrf_of(cs.get(url))})
    assert refused.status_code == 403 and "above the refund limit of 5" in refused.text
    assert f"{url}/refund" in forms_of(refused.text)  # still offered, to an admin
    forged = as_role(c, "warehouse")
    assert (
        forged.post(f"{url}/refund", data={"csrf_token": csrf_of(forged.get(url))}).status_code
        == 403
    )
    admin = as_role(c, "admin")
    done = admin.post(f"{url}/refund", data={"csrf_token": csrf_of(admin.get(url))})
    assert "Refund of 10.00 EUR sent back" in flash_after(admin, done)


def test_a_return_refund_failing_at_the_provider_is_retried_from_its_page(
    fast: Container, clock: FakeClock
) -> None:
    fast.providers.add(Flaky())
    uow = fast.uow()
    order_id = deliver(uow, clock, priced(("TEE", 1, "10.00", "0", "0")))
    cs = as_role(fast, "customer_service")
    page = cs.get(f"/orders/{order_id}")
    form = {"csrf_token": csrf_of(page), "amount": "10.00", "provider": "card"}
    flash_after(cs, cs.post(f"/orders/{order_id}/payments", data=form))
    return_id = inspected(uow, order_id, [("TEE", 1, ReturnReason.DAMAGED)])
    url = f"/returns/{return_id}"
    shown = flash_after(cs, cs.post(f"{url}/refund", data={"csrf_token": form["csrf_token"]}))
    assert "issuer unavailable" in shown and "Retry the refund" in shown
    assert f"{url}/refund" not in forms_of(shown)
    assert "Retry the refund" not in as_role(fast, "warehouse").get(url).text
    done = flash_after(cs, cs.post(f"{url}/refund/retry", data={"csrf_token": form["csrf_token"]}))
    assert "sent back" in done and "after 2 attempts" in done and "Retry the refund" not in done


def test_an_exchange_links_the_new_order_both_ways(fast: Container, clock: FakeClock) -> None:
    uow = fast.uow()
    order_id = deliver(uow, clock, priced(("TEE", 1, "10.00", "0", "0")))
    return_id = inspected(uow, order_id, [("TEE", 1, ReturnReason.WRONG_ITEM)])
    url = f"/returns/{return_id}"
    cs = as_role(fast, "customer_service")
    shown = flash_after(cs, cs.post(f"{url}/exchange", data={"csrf_token": csrf_of(cs.get(url))}))
    found = re.search(r'<dt>Exchange order</dt><dd><a href="/orders/(\d+)">(SO-\d+)</a>', shown)
    assert found and f"order {found.group(2)} sends the replacements" in shown
    new_page = cs.get(f"/orders/{found.group(1)}").text
    original = orders.get_order(uow, SYSTEM, order_id)
    assert f'Exchange of <a href="/orders/{order_id}">{original.number}</a>' in new_page
    old_page = cs.get(f"/orders/{order_id}").text
    assert f'<a href="/orders/{found.group(1)}">{found.group(2)}</a>' in old_page
