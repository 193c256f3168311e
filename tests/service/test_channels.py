"""Channels as records through the use cases, on memory, SQLite and PostgreSQL: a name
without a record has the defaults, create / change / rotate with their checks, who may do
what, and the return policy that applies shown with the channel."""

from __future__ import annotations

import pytest

from oms.domain.access import SYSTEM, Actor, Role
from oms.domain.channels.model import Channel, ChannelKind
from oms.domain.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from oms.services import channels, return_policies
from oms.services.ports import UnitOfWork
from oms.services.return_policies import PolicySource, SetPolicy

ADMIN = Actor("ada", Role.ADMIN)
SALES = Actor("sam", Role.SALES)


def test_a_name_without_a_record_works_with_the_defaults(each_uow: UnitOfWork) -> None:
    view = channels.get_channel(each_uow, SALES, "web")
    assert (view.stored, view.channel, view.has_secret) == (False, Channel.default("web"), False)
    assert view.policy.source is PolicySource.BUILT_IN
    assert channels.list_channels(each_uow, SALES) == []
    got = each_uow.run(lambda: channels.channel_of(each_uow, "web"), write=False)
    assert got == Channel.default("web")


def test_create_change_and_rotate_a_channel(each_uow: UnitOfWork) -> None:
    uow = each_uow
    made = channels.create_channel(
        uow, ADMIN, Channel("market", ChannelKind.MARKETPLACE, "EUR", True, 5, 10, 30, "mine")
    )
    assert made.secret != "mine" and len(made.secret) >= 40  # oms makes the secret
    assert made.view.stored and made.view.channel.secret == made.secret
    stored = uow.run(lambda: channels.channel_of(uow, "market"), write=False)
    assert (stored.kind, stored.currency, stored.tax_inclusive) == (
        ChannelKind.MARKETPLACE,
        "EUR",
        True,
    )
    assert (stored.buffer_units, stored.buffer_percent, stored.hold_minutes) == (5, 10, 30)

    changed = channels.update_channel(uow, ADMIN, "market", {"buffer_units": 2, "currency": None})
    assert (changed.channel.buffer_units, changed.channel.currency) == (2, None)
    assert changed.channel.secret == made.secret  # a change keeps the secret

    rotated = channels.rotate_secret(uow, ADMIN, "market")
    assert rotated.secret not in {made.secret, ""}
    assert uow.run(lambda: channels.channel_of(uow, "market"), write=False).secret == (
        rotated.secret
    )
    assert [v.channel.name for v in channels.list_channels(uow, SALES)] == ["market"]


def test_refusals_change_nothing(each_uow: UnitOfWork) -> None:
    uow = each_uow
    channels.create_channel(uow, ADMIN, Channel("shop"))
    with pytest.raises(AlreadyExists):
        channels.create_channel(uow, ADMIN, Channel("shop", ChannelKind.STORE))
    with pytest.raises(InvalidInput) as bad:
        channels.create_channel(uow, ADMIN, Channel("Bad Name", buffer_percent=120))
    assert [e.field for e in bad.value.errors] == ["name", "buffer_percent"]
    with pytest.raises(InvalidInput) as bad:
        channels.update_channel(uow, ADMIN, "shop", {"hold_minutes": 0, "currency": "XYZ"})
    assert {e.field for e in bad.value.errors} == {"hold_minutes", "currency"}
    with pytest.raises(InvalidInput):
        channels.update_channel(uow, ADMIN, "shop", {"secret": "x"})
    with pytest.raises(NotFound):
        channels.update_channel(uow, ADMIN, "nobody", {"hold_minutes": 5})
    with pytest.raises(NotFound):
        channels.rotate_secret(uow, ADMIN, "nobody")
    assert channels.get_channel(uow, SALES, "shop").channel.kind is ChannelKind.WEB
    assert channels.get_channel(uow, SALES, "shop").channel.hold_minutes == 15


@pytest.mark.parametrize("role", [Role.SALES, Role.WAREHOUSE, Role.CUSTOMER_SERVICE])
def test_only_admin_manages_channels(each_uow: UnitOfWork, role: Role) -> None:
    someone = Actor("x", role)
    with pytest.raises(PermissionDenied):
        channels.create_channel(each_uow, someone, Channel("shop"))
    channels.create_channel(each_uow, SYSTEM, Channel("shop"))
    with pytest.raises(PermissionDenied):
        channels.update_channel(each_uow, someone, "shop", {"buffer_units": 1})
    with pytest.raises(PermissionDenied):
        channels.rotate_secret(each_uow, someone, "shop")
    with pytest.raises(PermissionDenied):
        channels.get_channel(each_uow, Actor("d", Role.DRIVER), "shop")


def test_the_channel_shows_the_return_policy_that_applies(each_uow: UnitOfWork) -> None:
    channels.create_channel(each_uow, ADMIN, Channel("shop"))
    return_policies.set_policy(each_uow, ADMIN, "shop", SetPolicy(45))
    view = channels.get_channel(each_uow, SALES, "shop")
    assert (view.policy.source, view.policy.policy.window_days) == (PolicySource.CHANNEL, 45)
    assert channels.list_channels(each_uow, SALES)[0].policy.policy.window_days == 45
