"""Request and answer bodies of channels: a channel record as created, changed and read."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StrictBool, StrictInt

from oms.api.schemas.common import Strict
from oms.api.schemas.return_policies import PolicyOut
from oms.domain.channels.model import (
    DEFAULT_HOLD_MINUTES,
    MAX_BUFFER_UNITS,
    MAX_HOLD_MINUTES,
    Channel,
    ChannelKind,
)
from oms.services.channels import ChannelView, WithSecret

Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
Currency = Annotated[str, Field(min_length=3, max_length=3)]
Units = Annotated[StrictInt, Field(ge=0, le=MAX_BUFFER_UNITS)]
Percent = Annotated[StrictInt, Field(ge=0, le=100)]
Minutes = Annotated[StrictInt, Field(ge=1, le=MAX_HOLD_MINUTES)]


class ChannelIn(Strict):
    """`POST /channels`: a new channel record; the secret is made by oms and answered once."""

    name: Name
    kind: ChannelKind = ChannelKind.WEB
    currency: Currency | None = None
    tax_inclusive: StrictBool = False
    buffer_units: Units = 0
    buffer_percent: Percent = 0
    hold_minutes: Minutes = DEFAULT_HOLD_MINUTES

    def to_channel(self) -> Channel:
        return Channel(
            self.name,
            self.kind,
            self.currency,
            self.tax_inclusive,
            self.buffer_units,
            self.buffer_percent,
            self.hold_minutes,
        )


class ChannelPatch(Strict):
    """`PATCH /channels/{name}`: only the settings given change."""

    kind: ChannelKind | None = None
    currency: Currency | None = None
    tax_inclusive: StrictBool | None = None
    buffer_units: Units | None = None
    buffer_percent: Percent | None = None
    hold_minutes: Minutes | None = None

    def changes(self) -> dict[str, Any]:
        # `currency: null` given explicitly means "back to the shop's currency".
        return {
            k: getattr(self, k)
            for k in self.model_fields_set
            if getattr(self, k) is not None or k == "currency"
        }


class SecretIn(Strict):
    """`POST /channels/{name}/secret` with a body: the platform's own signing key."""

    secret: Annotated[str, Field(min_length=16, max_length=128)]


class ChannelOut(BaseModel):
    """A channel: `stored` false means the name has no record and works with the defaults.
    `has_secret` says whether webhooks can be verified; the secret itself is never shown
    again after it was made. `return_policy` is the policy that applies to the channel
    (managed under /return-policies)."""

    name: str
    stored: bool
    kind: ChannelKind
    currency: str | None
    tax_inclusive: bool
    buffer_units: int
    buffer_percent: int
    hold_minutes: int
    has_secret: bool
    return_policy: PolicyOut

    @classmethod
    def of(cls, view: ChannelView) -> ChannelOut:
        c = view.channel
        return cls(
            name=c.name,
            stored=view.stored,
            kind=c.kind,
            currency=c.currency,
            tax_inclusive=c.tax_inclusive,
            buffer_units=c.buffer_units,
            buffer_percent=c.buffer_percent,
            hold_minutes=c.hold_minutes,
            has_secret=view.has_secret,
            return_policy=PolicyOut.of(view.policy),
        )


class ChannelWithSecret(ChannelOut):
    """A channel just created, or whose secret was just rotated: `secret` is the key the
    platform signs its webhooks with. It is answered this once and never again."""

    secret: str

    @classmethod
    def made(cls, found: WithSecret) -> ChannelWithSecret:
        return cls(**ChannelOut.of(found.view).model_dump(), secret=found.secret)
