"""Channels as records: create, read, change, rotate the webhook secret; `channel_of` gives
any channel name its settings (its record, or the defaults when it has none).

A channel's return policy is not stored here: return_policies.py keeps it per channel name,
and a channel's answer shows the one that applies."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from oms.domain.access import Actor, Permission
from oms.domain.channels.model import Channel, ChannelKind
from oms.domain.errors import FieldErrors, NotFound
from oms.services.ports import UnitOfWork
from oms.services.return_policies import ChannelPolicy, applying_policy

SECRET_BYTES = 32
MIN_SECRET, MAX_SECRET = 16, 128  # a secret given by a platform (the column holds 128)
# What PATCH may change (the name is the key; the secret changes only by rotation).
SETTINGS = ("kind", "currency", "tax_inclusive", "buffer_units", "buffer_percent", "hold_minutes")


@dataclass(frozen=True, slots=True)
class ChannelView:
    """A channel as people read it: its settings (`stored` False: the defaults, no record
    yet) and the return policy that applies to it. Never the secret."""

    channel: Channel
    stored: bool
    policy: ChannelPolicy

    @property
    def has_secret(self) -> bool:
        return self.channel.secret is not None


@dataclass(frozen=True, slots=True)
class WithSecret:
    """A channel just created or rotated, with its secret: the only time it is answered."""

    view: ChannelView
    secret: str


def channel_of(uow: UnitOfWork, name: str) -> Channel:
    """The channel's record, or the defaults for a name without one. Inside a transaction."""
    return uow.channels.get(name) or Channel.default(name)


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def _view(uow: UnitOfWork, name: str) -> ChannelView:
    stored = uow.channels.get(name)
    policy = applying_policy(uow.returns.list_policies(), name)
    return ChannelView(stored or Channel.default(name), stored is not None, policy)


def list_channels(uow: UnitOfWork, actor: Actor) -> list[ChannelView]:
    """Every channel with a record, by name."""
    actor.require(Permission.ORDER_READ)

    def work() -> list[ChannelView]:
        policies = uow.returns.list_policies()
        return [
            ChannelView(c, True, applying_policy(policies, c.name)) for c in uow.channels.list()
        ]

    return uow.run(work, write=False)


def get_channel(uow: UnitOfWork, actor: Actor, name: str) -> ChannelView:
    """A channel's settings: its record, or the defaults (`stored` False) for a name
    without one, as every channel name works."""
    actor.require(Permission.ORDER_READ)
    return uow.run(lambda: _view(uow, name), write=False)


def create_channel(uow: UnitOfWork, actor: Actor, channel: Channel) -> WithSecret:
    """Store a new channel record with a fresh secret (any secret given is ignored). A name
    that has a record already is 409."""
    actor.require(Permission.CHANNEL_MANAGE)
    made = replace(channel, secret=new_secret())
    errors = FieldErrors()
    made.check(errors)
    errors.raise_if_any()
    assert made.secret is not None

    def work() -> WithSecret:
        uow.channels.add(made, uow.now())
        return WithSecret(_view(uow, made.name), made.secret or "")

    return uow.run(work)


def update_channel(
    uow: UnitOfWork, actor: Actor, name: str, changes: Mapping[str, Any]
) -> ChannelView:
    """Change some settings of a stored channel (SETTINGS); 404 for a name without a record."""
    actor.require(Permission.CHANNEL_MANAGE)
    errors = FieldErrors()
    for key in changes:
        if key not in SETTINGS:
            errors.add(key, f"not a setting that can be changed ({', '.join(SETTINGS)})")
    errors.raise_if_any()

    def work() -> ChannelView:
        stored = _stored(uow, name)
        values = dict(changes)
        if "kind" in values:
            values["kind"] = ChannelKind(values["kind"])
        changed = replace(stored, **values)
        check = FieldErrors()
        changed.check(check)
        check.raise_if_any()
        uow.channels.update(changed, uow.now())
        return _view(uow, name)

    return uow.run(work)


def rotate_secret(uow: UnitOfWork, actor: Actor, name: str, given: str | None = None) -> WithSecret:
    """Give the channel a new webhook secret (`given`: the platform's own signing key, such
    as the one Shopify shows for webhooks made in its admin); the old one stops verifying."""
    actor.require(Permission.CHANNEL_MANAGE)
    if given is not None and not MIN_SECRET <= len(given) <= MAX_SECRET:
        raise FieldErrors.single("secret", f"{MIN_SECRET} to {MAX_SECRET} characters")

    def work() -> WithSecret:
        stored = _stored(uow, name)
        secret = given or new_secret()
        uow.channels.update(replace(stored, secret=secret), uow.now())
        return WithSecret(_view(uow, name), secret)

    return uow.run(work)


def _stored(uow: UnitOfWork, name: str) -> Channel:
    stored = uow.channels.get(name)
    if stored is None:
        raise NotFound(f"channel {name!r} has no record; create it first (POST /channels)")
    return stored
