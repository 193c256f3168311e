"""The return policies pages over HTTP, on both databases: the list reached from the
returns list, what applies to a channel, an admin adds, changes and deletes a policy,
refusals inline with the typed values kept, read-only for other roles, forged and
CSRF-less posts refused."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from oms.bootstrap import Container
from oms.domain.access import SYSTEM, Role
from oms.domain.users import NewUser
from oms.services import return_policies, users
from oms.services.return_policies import PolicySource
from tests.builders import stocked
from tests.e2e.test_login import PASSWORD, browser_for, csrf_of, log_in
from tests.fakes import FakePasswords

LIST = "/returns/policies"


@pytest.fixture
def shop(container: Container) -> Container:
    fast = dataclasses.replace(container, passwords=FakePasswords())
    for role in (Role.ADMIN, Role.CUSTOMER_SERVICE, Role.WAREHOUSE):
        users.create_user(fast.uow(), SYSTEM, NewUser(role.value, role), PASSWORD)
    stocked(fast.uow(), "GIFT", 0)
    return fast


def as_role(c: Container, role: str) -> TestClient:
    browser = browser_for(c)
    assert log_in(browser, role).status_code == 303
    return browser


def test_an_admin_adds_changes_and_deletes_a_channels_policy(shop: Container) -> None:
    admin = as_role(shop, "admin")
    assert 'href="/returns/policies"' in admin.get("/returns").text
    page = admin.get(LIST)
    assert page.status_code == 200
    assert 'Default (<span class="mono">*</span>)' in page.text and "built-in" in page.text
    assert 'aria-current="page"' in page.text and ">Returns<" in page.text  # under Returns
    form = {
        "csrf_token": csrf_of(page),
        "channel": "web",
        "window_days": "14",
        "non_returnable": "GIFT",
        "customer_pays": ["changed_mind", "other"],
    }
    added = admin.post(LIST, data=form)
    assert added.status_code == 303, added.text
    assert added.headers["location"] == "/returns/policies/web"
    shown = admin.get("/returns/policies/web")
    assert "Return policy of channel web saved." in shown.text
    assert "The channel&#39;s own policy." in shown.text and "14 days from delivery" in shown.text
    found = return_policies.get_policy(shop.uow(), SYSTEM, "web")
    assert (found.source, found.policy.window_days) == (PolicySource.CHANNEL, 14)
    assert found.policy.non_returnable == {"GIFT"}
    assert "web" in admin.get(LIST).text

    change = {**form, "csrf_token": csrf_of(shown), "window_days": "7", "non_returnable": ""}
    assert admin.post("/returns/policies/web", data=change).status_code == 303
    assert return_policies.get_policy(shop.uow(), SYSTEM, "web").policy.window_days == 7

    shown = admin.get("/returns/policies/web")
    gone = admin.post("/returns/policies/web/delete", data={"csrf_token": csrf_of(shown)})
    assert gone.status_code == 303 and gone.headers["location"] == LIST
    after = admin.get("/returns/policies/web")
    assert "the built-in one applies" in after.text
    again = admin.post("/returns/policies/web/delete", data={"csrf_token": csrf_of(after)})
    assert again.status_code == 404 and "no return policy of its own" in again.text


def test_the_default_is_edited_at_its_quoted_address(shop: Container) -> None:
    admin = as_role(shop, "admin")
    page = admin.get("/returns/policies/%2A")
    assert page.status_code == 200 and "Return policy of the default" in page.text
    form = {"csrf_token": csrf_of(page), "window_days": "21", "customer_pays": ["other"]}
    assert admin.post("/returns/policies/%2A", data=form).status_code == 303
    found = return_policies.get_policy(shop.uow(), SYSTEM, "market")
    assert (found.source, found.policy.window_days) == (PolicySource.DEFAULT, 21)
    assert "No policy of its own: the default's" in admin.get("/returns/policies/market").text


def test_a_refusal_is_shown_inline_with_what_was_typed(shop: Container) -> None:
    admin = as_role(shop, "admin")
    page = admin.get(LIST)
    form = {
        "csrf_token": csrf_of(page),
        "channel": "web",
        "window_days": "5000",
        "non_returnable": "GIFT NOPE",
        "customer_pays": ["late"],
    }
    refused = admin.post(LIST, data=form)
    assert refused.status_code == 422
    assert 'id="e-window_days"' in refused.text and "0 to 3650 days" in refused.text
    assert 'value="5000"' in refused.text and 'value="GIFT NOPE"' in refused.text
    assert 'value="late" checked' in refused.text
    form["window_days"] = "ten"
    refused = admin.post(LIST, data=form)
    assert refused.status_code == 422 and "must be a whole number" in refused.text
    form["window_days"] = "10"
    refused = admin.post(LIST, data=form)
    assert refused.status_code == 422
    assert 'id="e-non_returnable"' in refused.text and "no product with SKU &#39;NOPE&#39;" in (
        refused.text
    )
    assert return_policies.list_policies(shop.uow(), SYSTEM) == []


@pytest.mark.parametrize("role", ["customer_service", "warehouse"])
def test_other_roles_read_without_forms_and_a_forged_post_is_refused(
    shop: Container, role: str
) -> None:
    reader = as_role(shop, role)
    page = reader.get(LIST)
    assert page.status_code == 200 and "New channel policy" not in page.text
    detail = reader.get("/returns/policies/web")
    assert detail.status_code == 200 and "Save policy" not in detail.text
    forged = {"csrf_token": csrf_of(page), "channel": "web", "window_days": "1"}
    assert reader.post(LIST, data=forged).status_code == 403
    assert reader.post("/returns/policies/web", data=forged).status_code == 403
    admin = as_role(shop, "admin")
    assert admin.post(LIST, data={**forged, "csrf_token": ""}).status_code == 403  # no CSRF
    assert return_policies.list_policies(shop.uow(), SYSTEM) == []
