"""Request and answer bodies of return policies: a channel's policy as set and as read."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StrictInt

from oms.api.schemas.common import Strict
from oms.api.schemas.returns import Sku
from oms.domain.returns.policy import (
    DEFAULT_COMPLETION_DAYS,
    MAX_COMPLETION_DAYS,
    MAX_WINDOW_DAYS,
    Payer,
)
from oms.domain.returns.reasons import ReturnReason
from oms.services.return_policies import (
    MAX_NON_RETURNABLE,
    ChannelPolicy,
    PolicySource,
    SetPolicy,
)


class PolicyIn(Strict):
    """`PUT /return-policies/{channel}`: the whole policy, replacing the channel's own."""

    window_days: Annotated[StrictInt, Field(ge=0, le=MAX_WINDOW_DAYS)]
    non_returnable: Annotated[list[Sku], Field(max_length=MAX_NON_RETURNABLE)] = []
    customer_pays: Annotated[list[ReturnReason], Field(max_length=len(ReturnReason))]
    completion_days: Annotated[
        StrictInt,
        Field(
            ge=0,
            le=MAX_COMPLETION_DAYS,
            description="Days after the last delivery when an order with no open problem"
            " or return completes by itself",
        ),
    ] = DEFAULT_COMPLETION_DAYS

    def to_command(self) -> SetPolicy:
        return SetPolicy(
            self.window_days, self.non_returnable, self.customer_pays, self.completion_days
        )


class PolicyOut(BaseModel):
    """A channel's return policy: `source` says whether it is the channel's own row
    (`channel`), the default's (`default`: the row of channel "*") or the built-in one."""

    channel: str
    source: PolicySource
    window_days: int
    non_returnable: list[str]
    customer_pays: list[ReturnReason]
    completion_days: int
    shipping_paid_by: dict[ReturnReason, Payer]

    @classmethod
    def of(cls, found: ChannelPolicy) -> PolicyOut:
        p = found.policy
        return cls(
            channel=found.channel,
            source=found.source,
            window_days=p.window_days,
            non_returnable=sorted(p.non_returnable),
            customer_pays=sorted(p.customer_pays),
            completion_days=p.completion_days,
            shipping_paid_by={r: p.shipping_paid_by(r) for r in ReturnReason},
        )
