"""Channels as records: create (admin), list and read (whoever reads orders), change
settings, rotate the webhook secret (admin). The secret is answered at creation and at
rotation only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from oms.api.deps import ActorDep, UowDep
from oms.api.pagination import whole
from oms.api.schemas.channels import ChannelIn, ChannelOut, ChannelPatch, ChannelWithSecret
from oms.api.schemas.common import Page
from oms.services import channels

router = APIRouter(tags=["channels"])
Name = Annotated[str, Path(min_length=1, max_length=64, description="The channel's name.")]


@router.post("/channels", status_code=201)
def create_channel(body: ChannelIn, uow: UowDep, actor: ActorDep) -> ChannelWithSecret:
    """A new channel record with a fresh webhook secret, answered this once (admin). A name
    that has a record is 409."""
    return ChannelWithSecret.made(channels.create_channel(uow, actor, body.to_channel()))


@router.get("/channels")
def list_channels(uow: UowDep, actor: ActorDep) -> Page[ChannelOut]:
    """Every channel with a record, by name; always one page."""
    return whole(channels.list_channels(uow, actor), ChannelOut.of)


@router.get("/channels/{name}")
def get_channel(name: Name, uow: UowDep, actor: ActorDep) -> ChannelOut:
    """A channel's settings; a name without a record answers its defaults (`stored` false)."""
    return ChannelOut.of(channels.get_channel(uow, actor, name))


@router.patch("/channels/{name}")
def update_channel(name: Name, body: ChannelPatch, uow: UowDep, actor: ActorDep) -> ChannelOut:
    """Change the settings given (admin); 404 when the name has no record."""
    return ChannelOut.of(channels.update_channel(uow, actor, name, body.changes()))


@router.post("/channels/{name}/secret")
def rotate_secret(name: Name, uow: UowDep, actor: ActorDep) -> ChannelWithSecret:
    """A new webhook secret, answered this once (admin); the old one stops verifying."""
    return ChannelWithSecret.made(channels.rotate_secret(uow, actor, name))
