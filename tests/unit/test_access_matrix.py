"""The role x permission matrix, actors, user rules and login throttling (pure, no I/O)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oms.domain.access import DESCRIPTIONS, MATRIX, SYSTEM, Actor, Permission, Role, matrix_table
from oms.domain.errors import InvalidInput, PermissionDenied
from oms.domain.users import (
    FAILURE_WINDOW,
    MAX_FAILURES,
    TOKEN_TOUCH_INTERVAL,
    NewUser,
    needs_touch,
    throttled,
)

P = Permission
DOC = Path(__file__).parents[2] / "docs" / "access-control.md"

# The access-control issue (and API.md), written out independently of the code: any change
# to MATRIX that this does not also show is a change of policy, not a refactoring.
EXPECTED: dict[Role, set[Permission]] = {
    Role.ADMIN: set(Permission),
    Role.SALES: {
        P.ORDER_CREATE,
        P.ORDER_CONFIRM,
        P.ORDER_HOLD,
        P.ORDER_NOTE,
        P.ORDER_READ,
        P.CATALOGUE_READ,
        P.STOCK_READ,
        P.SHIPMENT_READ,
        # Returns and money (API.md): only customer service or admin may override the
        # window, which says that others may start a return: sales, who place orders.
        P.RETURN_CREATE,
        # Issue 10: sales take payments (a bank transfer that arrived, cash on delivery).
        P.PAYMENT_RECORD,
        # channels: checkout holds and the availability feed
        P.HOLD_CREATE,
        P.CHANNEL_AVAILABILITY,
    },
    Role.CUSTOMER_SERVICE: {
        P.ORDER_READ,
        P.ORDER_HOLD,
        P.ORDER_CANCEL,
        P.ORDER_NOTE,
        P.CATALOGUE_READ,
        P.SHIPMENT_READ,
        # Issue 10: customer service creates, approves, overrides.
        P.RETURN_CREATE,
        P.RETURN_MANAGE,
        # Issue 10: customer service records payments and refunds up to a limit (a setting;
        # above it, admin: REFUND_ABOVE_LIMIT).
        P.PAYMENT_RECORD,
        P.REFUND_ISSUE,
        # Issue 15: customer service resolves reported problems and reships lost parcels.
        P.PROBLEM_RESOLVE,
        P.SHIPMENT_RESHIP,
        # Issue 14: customer service (and admin) edit orders before picking starts.
        P.ORDER_EDIT,
    },
    # The fulfilment issue: the warehouse picks, packs, ships and re-plans the backlog.
    # The people who work orders may note on them (customer service section of API.md).
    Role.WAREHOUSE: {
        P.ORDER_READ,
        P.ORDER_NOTE,
        P.STOCK_READ,
        P.STOCK_WRITE,
        P.CATALOGUE_READ,
        P.SHIPMENT_READ,
        P.FULFIL,
        P.ALLOCATE,
        # Issue 10: the warehouse receives and inspects returns.
        P.RETURN_RECEIVE,
        # Issue 15: the warehouse dispatches the local delivery runs.
        P.DELIVERY_DISPATCH,
    },
    Role.CARRIER: {P.TRACKING_EVENT},
    # Issue 12: reports are read by admins and analysts.
    Role.ANALYST: {
        P.CATALOGUE_READ,
        P.STOCK_READ,
        P.ORDER_READ,
        P.SHIPMENT_READ,
        P.REPORT_READ,
        P.CHANNEL_AVAILABILITY,
        # Issue 13: the analyst reads planning.
        P.PLANNING_READ,
    },
    # Issue 15: a driver, bound to a location, drives its runs and records their stops.
    Role.DRIVER: {P.DELIVERY_DRIVE},
    # Issue 13: admin and a new buyer role write purchasing; the buyer reads what it needs
    # to decide (stock, orders, the demand history and reports behind the forecast).
    Role.BUYER: {
        P.CATALOGUE_READ,
        P.STOCK_READ,
        P.ORDER_READ,
        P.SHIPMENT_READ,
        P.REPORT_READ,
        P.PLANNING_READ,
        P.PURCHASING_WRITE,
    },
}
READS = {p for p in Permission if p.value.endswith(".read")}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_each_role_has_exactly_the_permissions_the_policy_gives_it(
    role: Role, permission: Permission
) -> None:
    actor = Actor(f"{role.value}-user", role)
    assert actor.may(permission) is (permission in EXPECTED[role])


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_a_forbidden_permission_is_refused_with_permission_denied(
    role: Role, permission: Permission
) -> None:
    actor = Actor("someone", role)
    if permission in MATRIX[role]:
        actor.require(permission)
    else:
        with pytest.raises(PermissionDenied, match=role.value):
            actor.require(permission)


def test_every_role_is_in_the_matrix_and_every_permission_is_described() -> None:
    assert set(MATRIX) == set(Role)
    assert set(DESCRIPTIONS) == set(Permission)


def test_the_analyst_reads_everything_and_changes_nothing() -> None:
    assert MATRIX[Role.ANALYST] == READS


def test_only_admins_manage_users() -> None:
    assert [r for r in Role if P.USER_MANAGE in MATRIX[r]] == [Role.ADMIN]


def test_only_admins_and_buyers_write_purchasing() -> None:
    assert [r for r in Role if P.PURCHASING_WRITE in MATRIX[r]] == [Role.ADMIN, Role.BUYER]


def test_system_is_an_admin() -> None:
    assert SYSTEM.name == "system"
    assert all(SYSTEM.may(p) for p in Permission)


def test_a_carrier_posts_events_for_its_own_carrier_only() -> None:
    dhl = Actor("dhl-bot", Role.CARRIER, carrier="dhl")
    dhl.require_carrier("dhl")
    with pytest.raises(PermissionDenied):
        dhl.require_carrier("ups")


def test_an_admin_posts_events_for_any_carrier_and_other_roles_for_none() -> None:
    Actor("root", Role.ADMIN).require_carrier("ups")
    for role in (Role.SALES, Role.CUSTOMER_SERVICE, Role.WAREHOUSE, Role.ANALYST):
        with pytest.raises(PermissionDenied):
            Actor("x", role).require_carrier("ups")


def test_the_documented_matrix_is_the_one_in_the_code() -> None:
    text = DOC.read_text()
    found = re.search(r"<!-- matrix:start -->\n(.*?)<!-- matrix:end -->", text, re.S)
    assert found, "docs/access-control.md lost its matrix markers"
    assert found.group(1) == matrix_table(), (
        "docs/access-control.md is out of date; paste the output of "
        "python -c 'from oms.domain.access import matrix_table; print(matrix_table())'"
    )


@pytest.mark.parametrize(
    ("user", "password", "field"),
    [
        (NewUser("", Role.SALES), None, "name"),
        (NewUser("has space", Role.SALES), None, "name"),
        (NewUser("system", Role.ADMIN), None, "name"),
        (NewUser("API", Role.ADMIN), None, "name"),
        (NewUser("x" * 101, Role.SALES), None, "name"),
        (NewUser("bot", Role.CARRIER), None, "carrier"),
        (NewUser("van1", Role.DRIVER), None, "location"),
        (NewUser("ann", Role.SALES, carrier="dhl"), None, "carrier"),
        (NewUser("bot", Role.CARRIER, carrier="no spaces"), None, "carrier"),
        (NewUser("ann", Role.SALES), "short", "password"),
    ],
)
def test_a_user_that_breaks_a_rule_is_refused(
    user: NewUser, password: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        user.validate(password)
    assert [e.field for e in refused.value.errors] == [field]


def test_a_well_formed_user_is_accepted() -> None:
    NewUser("ann.smith@example.com", Role.SALES).validate("long enough")
    NewUser("dhl-bot", Role.CARRIER, carrier="dhl").validate(None)
    NewUser("van1", Role.DRIVER, location="PAR").validate(None)


def test_logins_are_throttled_at_five_failures_by_name_or_by_address() -> None:
    assert MAX_FAILURES == 5
    assert timedelta(minutes=1) == FAILURE_WINDOW
    assert not throttled(4, 4)
    assert throttled(5, 0)
    assert throttled(0, 5)


def test_last_used_is_written_at_most_once_a_minute() -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert needs_touch(None, now)
    assert not needs_touch(now - TOKEN_TOUCH_INTERVAL + timedelta(seconds=1), now)
    assert needs_touch(now - TOKEN_TOUCH_INTERVAL, now)


def test_a_driver_drives_at_their_own_location_only() -> None:
    van = Actor("van1", Role.DRIVER, location_code="PAR")
    assert van.require_at("PAR", P.DELIVERY_DISPATCH, P.DELIVERY_DRIVE) is P.DELIVERY_DRIVE
    with pytest.raises(PermissionDenied, match="own location"):
        van.require_at("LYO", P.DELIVERY_DRIVE)
    with pytest.raises(PermissionDenied):
        van.require_at("PAR", P.DELIVERY_DISPATCH)
    clerk = Actor("clerk", Role.WAREHOUSE, location_code="PAR")
    assert clerk.require_at("LYO", P.DELIVERY_DISPATCH, P.DELIVERY_DRIVE) is P.DELIVERY_DISPATCH
