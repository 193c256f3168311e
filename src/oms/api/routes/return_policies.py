"""Return policies per channel: list the stored ones, read the one that applies to a
channel, set a channel's own, delete it. Channel `*` (in a URL, `*` or `%2A`) is the
default of every channel without a policy of its own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from oms.api.deps import ActorDep, UowDep
from oms.api.pagination import whole
from oms.api.schemas.common import Page
from oms.api.schemas.return_policies import PolicyIn, PolicyOut
from oms.services import return_policies

router = APIRouter(tags=["returns"])
Channel = Annotated[
    str, Path(min_length=1, max_length=64, description='A channel; "*" is the default.')
]


@router.get("/return-policies")
def list_policies(uow: UowDep, actor: ActorDep) -> Page[PolicyOut]:
    """Every stored policy, the default (`*`) first; always one page."""
    return whole(return_policies.list_policies(uow, actor), PolicyOut.of)


@router.get("/return-policies/{channel}")
def get_policy(channel: Channel, uow: UowDep, actor: ActorDep) -> PolicyOut:
    """The policy that applies to the channel: its own, else the default, else built-in."""
    return PolicyOut.of(return_policies.get_policy(uow, actor, channel))


@router.put("/return-policies/{channel}")
def set_policy(channel: Channel, body: PolicyIn, uow: UowDep, actor: ActorDep) -> PolicyOut:
    """Set the channel's own policy (admin); a non-returnable SKU not in the catalogue is 422."""
    return PolicyOut.of(return_policies.set_policy(uow, actor, channel, body.to_command()))


@router.delete("/return-policies/{channel}", status_code=204)
def delete_policy(channel: Channel, uow: UowDep, actor: ActorDep) -> Response:
    """Delete the channel's own policy (admin): it falls back to the default, and the
    default to the built-in policy. 404 when the channel has none of its own."""
    return_policies.delete_policy(uow, actor, channel)
    return Response(status_code=204)
