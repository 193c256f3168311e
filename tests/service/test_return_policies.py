"""Return policies through the use cases, on memory, SQLite and PostgreSQL: the one that
applies to a channel (its own, the default, the built-in), setting one with its checks,
deleting it, who may do what, and a changed policy honoured by the next return."""

from __future__ import annotations

import pytest

from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from oms.domain.returns.policy import DEFAULT_POLICY, MAX_WINDOW_DAYS
from oms.domain.returns.reasons import ReturnReason
from oms.services import return_policies, returns
from oms.services.ports import UnitOfWork
from oms.services.ports.returns import DEFAULT_CHANNEL
from oms.services.return_policies import PolicySource, SetPolicy
from tests.builders import stocked
from tests.conftest import FakeClock
from tests.service.test_returns import CS, SALES, WAREHOUSE, ask, delivered

ADMIN = Actor("ada", Role.ADMIN)
ANALYST = Actor("ann", Role.ANALYST)


def test_a_channel_gets_its_own_policy_else_the_default_else_the_built_in_one(
    each_uow: UnitOfWork,
) -> None:
    uow = each_uow
    stocked(uow, "GIFT", 0)
    found = return_policies.get_policy(uow, CS, "web")
    assert (found.source, found.policy) == (PolicySource.BUILT_IN, DEFAULT_POLICY)
    assert return_policies.list_policies(uow, CS) == []

    return_policies.set_policy(uow, ADMIN, DEFAULT_CHANNEL, SetPolicy(21, ["GIFT"]))
    found = return_policies.get_policy(uow, CS, "web")
    assert (found.source, found.policy.window_days) == (PolicySource.DEFAULT, 21)
    assert found.policy.non_returnable == {"GIFT"}

    own = return_policies.set_policy(uow, ADMIN, "web", SetPolicy(60, [], ["changed_mind"]))
    assert (own.source, own.own) == (PolicySource.CHANNEL, True)
    found = return_policies.get_policy(uow, SALES, "web")
    assert (found.source, found.policy.window_days) == (PolicySource.CHANNEL, 60)
    assert found.policy.customer_pays == {ReturnReason.CHANGED_MIND}
    default = return_policies.get_policy(uow, WAREHOUSE, DEFAULT_CHANNEL)
    assert (default.source, default.own) == (PolicySource.DEFAULT, True)
    listed = return_policies.list_policies(uow, ANALYST)
    assert [(p.channel, p.source) for p in listed] == [
        (DEFAULT_CHANNEL, PolicySource.DEFAULT),
        ("web", PolicySource.CHANNEL),
    ]


def test_setting_again_replaces_the_channels_policy(each_uow: UnitOfWork) -> None:
    uow = each_uow
    stocked(uow, "TEE", 0)
    return_policies.set_policy(uow, ADMIN, "shop", SetPolicy(10, ["TEE"]))
    return_policies.set_policy(uow, ADMIN, "shop", SetPolicy(15))
    found = return_policies.get_policy(uow, CS, "shop")
    assert (found.policy.window_days, found.policy.non_returnable) == (15, frozenset())
    assert found.policy.customer_pays == DEFAULT_POLICY.customer_pays


def test_deleting_falls_back_to_the_default_then_to_the_built_in_policy(
    each_uow: UnitOfWork,
) -> None:
    uow = each_uow
    return_policies.set_policy(uow, ADMIN, DEFAULT_CHANNEL, SetPolicy(21))
    return_policies.set_policy(uow, ADMIN, "web", SetPolicy(60))
    now = return_policies.delete_policy(uow, ADMIN, "web")
    assert (now.source, now.policy.window_days) == (PolicySource.DEFAULT, 21)
    with pytest.raises(NotFound, match="no return policy of its own"):
        return_policies.delete_policy(uow, ADMIN, "web")
    now = return_policies.delete_policy(uow, ADMIN, DEFAULT_CHANNEL)
    assert (now.source, now.policy) == (PolicySource.BUILT_IN, DEFAULT_POLICY)
    assert return_policies.list_policies(uow, CS) == []


def test_a_wrong_window_reason_or_unknown_sku_is_refused_naming_each(
    each_uow: UnitOfWork,
) -> None:
    uow = each_uow
    stocked(uow, "TEE", 0)
    with pytest.raises(InvalidInput) as refused:
        return_policies.set_policy(
            uow, ADMIN, "web", SetPolicy(MAX_WINDOW_DAYS + 1, ["TEE"], ["late", "whim"])
        )
    fields = {e.field: e.message for e in refused.value.errors}
    assert set(fields) == {"window_days", "customer_pays[1]"}
    assert "'whim' is not a return reason" in fields["customer_pays[1]"]
    with pytest.raises(InvalidInput) as refused:
        return_policies.set_policy(uow, ADMIN, "web", SetPolicy(-1))
    assert [e.field for e in refused.value.errors] == ["window_days"]
    with pytest.raises(InvalidInput) as refused:
        return_policies.set_policy(uow, ADMIN, "web", SetPolicy(30, ["TEE", "NOPE"]))
    [error] = refused.value.errors
    assert (error.field, error.message) == ("non_returnable[1]", "no product with SKU 'NOPE'")
    for channel in ("", " web", "x" * 65):
        with pytest.raises(InvalidInput, match="channel"):
            return_policies.set_policy(uow, ADMIN, channel, SetPolicy(30))
    assert return_policies.list_policies(uow, CS) == []  # nothing was written


def test_only_an_admin_sets_or_deletes_and_reading_needs_order_read(
    each_uow: UnitOfWork,
) -> None:
    uow = each_uow
    for actor in (CS, SALES, WAREHOUSE, ANALYST):
        with pytest.raises(PermissionDenied):
            return_policies.set_policy(uow, actor, "web", SetPolicy(30))
        with pytest.raises(PermissionDenied):
            return_policies.delete_policy(uow, actor, "web")
    carrier = Actor("driver", Role.CARRIER, "oms-post")
    with pytest.raises(PermissionDenied):
        return_policies.get_policy(uow, carrier, "web")
    with pytest.raises(PermissionDenied):
        return_policies.list_policies(uow, carrier)
    return_policies.set_policy(uow, SYSTEM, "web", SetPolicy(30))


def test_start_return_honours_a_changed_policy(each_uow: UnitOfWork, clock: FakeClock) -> None:
    uow = each_uow
    order_id = delivered(uow, clock, ("TEE", 2), ("MUG", 1))
    clock.advance(days=1)  # the day after delivery
    return_policies.set_policy(uow, ADMIN, "web", SetPolicy(0))
    with pytest.raises(Conflict, match="return window of 0 days"):
        returns.start_return(uow, CS, order_id, ask(("TEE", 1)))
    return_policies.set_policy(uow, ADMIN, "web", SetPolicy(30, ["MUG"]))
    with pytest.raises(Conflict, match="excludes"):
        returns.start_return(uow, CS, order_id, ask(("MUG", 1)))
    return_policies.delete_policy(uow, ADMIN, "web")
    clock.advance(days=29)  # the last day of the built-in 30 days
    assert returns.start_return(uow, CS, order_id, ask(("MUG", 1))).number == "RMA-000001"
