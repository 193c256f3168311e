"""Return policies as records people manage: list them, read the one a channel gets, set a
channel's own, delete it.

A channel without a policy of its own gets the default (channel "*"); with no default row
either, the domain's built-in `DEFAULT_POLICY`. Deleting a row falls back one step: a
channel's to the default, the default's to the built-in policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from oms.domain.access import Actor, Permission
from oms.domain.errors import FieldErrors, NotFound
from oms.domain.returns.policy import (
    DEFAULT_COMPLETION_DAYS,
    DEFAULT_POLICY,
    MAX_COMPLETION_DAYS,
    MAX_WINDOW_DAYS,
    ReturnPolicy,
)
from oms.domain.returns.reasons import CUSTOMERS_CHOICE, ReturnReason
from oms.services.ports import UnitOfWork
from oms.services.ports.returns import DEFAULT_CHANNEL

# The column's length; a longer name could not be an order's channel either.
MAX_CHANNEL = 64
MAX_NON_RETURNABLE = 1000
REASONS = ", ".join(r.value for r in ReturnReason)


class PolicySource(StrEnum):
    """Where the policy that applies to a channel comes from."""

    CHANNEL = "channel"  # the channel's own row
    DEFAULT = "default"  # the row of channel "*"
    BUILT_IN = "built-in"  # no row at all: the domain's DEFAULT_POLICY


@dataclass(frozen=True, slots=True)
class ChannelPolicy:
    """The policy that applies to `channel`, and where it comes from."""

    channel: str
    policy: ReturnPolicy
    source: PolicySource

    @property
    def own(self) -> bool:
        """Whether the channel has a row of its own (the default's row is its own)."""
        if self.channel == DEFAULT_CHANNEL:
            return self.source is PolicySource.DEFAULT
        return self.source is PolicySource.CHANNEL


@dataclass(frozen=True, slots=True)
class SetPolicy:
    """A channel's policy as a person types it: SKUs and reasons as text, checked here."""

    window_days: int
    non_returnable: Sequence[str] = ()
    customer_pays: Sequence[str] = tuple(sorted(CUSTOMERS_CHOICE))
    completion_days: int = DEFAULT_COMPLETION_DAYS


def _stored(channel: str) -> PolicySource:
    return PolicySource.DEFAULT if channel == DEFAULT_CHANNEL else PolicySource.CHANNEL


def list_policies(uow: UnitOfWork, actor: Actor) -> list[ChannelPolicy]:
    """Every stored policy, in channel order ("*", the default, first)."""
    actor.require(Permission.ORDER_READ)
    stored = uow.run(lambda: uow.returns.list_policies(), write=False)
    channels = sorted(stored, key=lambda ch: (ch != DEFAULT_CHANNEL, ch))
    return [ChannelPolicy(ch, stored[ch], _stored(ch)) for ch in channels]


def get_policy(uow: UnitOfWork, actor: Actor, channel: str) -> ChannelPolicy:
    """The policy that applies to the channel: its own, else the default, else built-in."""
    actor.require(Permission.ORDER_READ)
    stored = uow.run(lambda: uow.returns.list_policies(), write=False)
    return _applying(stored, channel)


def applying_policy(stored: dict[str, ReturnPolicy], channel: str) -> ChannelPolicy:
    """The policy that applies to the channel among the stored ones (channels.py shows it)."""
    return _applying(stored, channel)


def _applying(stored: dict[str, ReturnPolicy], channel: str) -> ChannelPolicy:
    if channel in stored:
        return ChannelPolicy(channel, stored[channel], _stored(channel))
    if DEFAULT_CHANNEL in stored:
        return ChannelPolicy(channel, stored[DEFAULT_CHANNEL], PolicySource.DEFAULT)
    return ChannelPolicy(channel, DEFAULT_POLICY, PolicySource.BUILT_IN)


def set_policy(uow: UnitOfWork, actor: Actor, channel: str, cmd: SetPolicy) -> ChannelPolicy:
    """Give the channel ("*": the default) a policy of its own, replacing any it had. The
    non-returnable SKUs must be products of the catalogue; a refusal names each wrong one."""
    actor.require(Permission.RETURN_POLICY)
    errors = FieldErrors()
    _check_channel(channel, errors)
    if not 0 <= cmd.window_days <= MAX_WINDOW_DAYS:
        errors.add("window_days", f"0 to {MAX_WINDOW_DAYS} days")
    if not 0 <= cmd.completion_days <= MAX_COMPLETION_DAYS:
        errors.add("completion_days", f"0 to {MAX_COMPLETION_DAYS} days")
    reasons = _reasons(cmd.customer_pays, errors)
    if len(cmd.non_returnable) > MAX_NON_RETURNABLE:
        errors.add("non_returnable", f"at most {MAX_NON_RETURNABLE} products")
    errors.raise_if_any()

    def work() -> ChannelPolicy:
        skus = [sku.strip() for sku in cmd.non_returnable]
        known = uow.products.by_skus(sorted(set(skus)))
        unknown = FieldErrors()
        for i, sku in enumerate(skus):
            if sku not in known:
                unknown.add(f"non_returnable[{i}]", f"no product with SKU {sku!r}")
        unknown.raise_if_any()
        policy = ReturnPolicy(cmd.window_days, frozenset(skus), reasons, cmd.completion_days)
        uow.returns.set_policy(channel, policy)
        return ChannelPolicy(channel, policy, _stored(channel))

    return uow.run(work)


def _check_channel(channel: str, errors: FieldErrors) -> None:
    if not channel.strip() or channel != channel.strip():
        errors.add("channel", "a channel's name, without surrounding blanks")
    elif len(channel) > MAX_CHANNEL:
        errors.add("channel", f"at most {MAX_CHANNEL} characters")


def _reasons(texts: Sequence[str], errors: FieldErrors) -> frozenset[ReturnReason]:
    known = {r.value for r in ReturnReason}
    for i, text in enumerate(texts):
        if text not in known:
            errors.add(f"customer_pays[{i}]", f"{text!r} is not a return reason ({REASONS})")
    return frozenset(ReturnReason(t) for t in texts if t in known)


def delete_policy(uow: UnitOfWork, actor: Actor, channel: str) -> ChannelPolicy:
    """Remove the channel's own policy; answers the one that applies to it now."""
    actor.require(Permission.RETURN_POLICY)

    def work() -> ChannelPolicy:
        if not uow.returns.delete_policy(channel):
            raise NotFound(f"channel {channel!r} has no return policy of its own")
        return _applying(uow.returns.list_policies(), channel)

    return uow.run(work)
