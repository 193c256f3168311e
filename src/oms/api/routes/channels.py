"""Channels as records: create (admin), list and read (whoever reads orders), change
settings, rotate the webhook secret (admin). The secret is answered at creation and at
rotation only."""

from __future__ import annotations

import shutil
import tempfile
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, File, Form, Path, UploadFile

from oms.adapters.channels.order_csv import ImportRequest, import_file
from oms.api.deps import ActorDep, ContainerDep, UowDep
from oms.api.pagination import whole
from oms.api.schemas.channels import (
    ChannelIn,
    ChannelOut,
    ChannelPatch,
    ChannelWithSecret,
    SecretIn,
)
from oms.api.schemas.common import Page
from oms.api.schemas.imports import ImportOut
from oms.domain.channels.order_rows import MappingError
from oms.domain.errors import FieldErrors
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
def rotate_secret(
    name: Name, uow: UowDep, actor: ActorDep, body: SecretIn | None = None
) -> ChannelWithSecret:
    """A new webhook secret, answered this once (admin); the old one stops verifying. With
    `{"secret": ...}`, that one (a platform's own signing key, 16 to 128 characters)."""
    given = body.secret if body else None
    return ChannelWithSecret.made(channels.rotate_secret(uow, actor, name, given))


@router.post("/channels/{name}/imports")
def import_orders(  # noqa: PLR0913
    name: Name,
    file: Annotated[UploadFile, File(description="The CSV of order lines (.csv or .csv.gz).")],
    uow: UowDep,
    actor: ActorDep,
    container: ContainerDep,
    mapping: Annotated[str, Form(alias="map", max_length=2000)] = "",
    defaults: Annotated[str, Form(alias="set", max_length=2000)] = "",
    create_products: Annotated[bool, Form()] = False,
    skip_prefix: Annotated[str | None, Form(max_length=32)] = None,
    tz: Annotated[str, Form(max_length=64)] = "UTC",
) -> ImportOut:
    """Import a CSV of order lines for the channel (multipart/form-data, the same columns
    and options as `oms import orders`): each good order placed, idempotent by (channel,
    external id); an order with a bad row skipped whole and reported. Needs order.create
    (and catalogue.write with `create_products`). A header or option that cannot be read
    is 422 before anything is placed."""
    try:
        asked = ImportRequest(mapping, defaults, create_products, skip_prefix, ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        raise FieldErrors.single("tz", f"unknown time zone {tz!r}") from None
    with tempfile.TemporaryFile() as copy:  # on disk, read twice: memory stays flat
        shutil.copyfileobj(file.file, copy)
        copy.seek(0)
        try:
            report = import_file(uow, actor, name, copy, asked, fresh=container.uow)
        except MappingError as error:
            raise FieldErrors.single("map", str(error)) from None
        except (UnicodeDecodeError, OSError, EOFError):
            raise FieldErrors.single("file", "not UTF-8 text (nor gzip of it)") from None
    return ImportOut.of(report)
