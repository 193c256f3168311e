"""Channels in the back office: the list, a channel's page (its settings, the return policy
that applies, the webhook URLs to paste into Shopify or WooCommerce, the CSV upload), and
for admins the forms to add a channel, change its settings and rotate its secret.

A secret is shown in the answer that made it (creation, rotation) and never again: those
answers are pages, not redirects. The upload answers the channel's page with the import's
report (its row errors): the report is not stored, so that page is the last import's report
for whoever uploaded it."""

from __future__ import annotations

import shutil
import tempfile
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from oms.adapters.channels.order_csv import ImportRequest, import_file
from oms.domain.access import Permission
from oms.domain.channels.model import DEFAULT_HOLD_MINUTES, Channel, ChannelKind
from oms.domain.channels.order_rows import COLUMNS, MappingError
from oms.domain.errors import FieldErrors, InvalidInput
from oms.services import channels
from oms.services.channels import ChannelView
from oms.services.order_import import ImportReport
from oms.web import forms
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute, container

router = APIRouter(include_in_schema=False, route_class=PageRoute)
Typed = Annotated[str, Field(max_length=2000)]
BASE = "/channels"


class ChannelForm(BaseModel):
    """A channel's settings as typed, shown back unchanged after a refusal."""

    model_config = ConfigDict(extra="ignore")

    csrf_token: Typed = ""
    name: Typed = ""
    kind: Typed = ChannelKind.WEB.value
    currency: Typed = ""
    tax_inclusive: Typed = ""
    buffer_units: Typed = "0"
    buffer_percent: Typed = "0"
    hold_minutes: Typed = str(DEFAULT_HOLD_MINUTES)

    @classmethod
    def of(cls, c: Channel) -> ChannelForm:
        return cls(
            name=c.name,
            kind=c.kind.value,
            currency=c.currency or "",
            tax_inclusive="on" if c.tax_inclusive else "",
            buffer_units=str(c.buffer_units),
            buffer_percent=str(c.buffer_percent),
            hold_minutes=str(c.hold_minutes),
        )

    def channel(self) -> Channel:
        errors = FieldErrors()
        if self.kind not in {k.value for k in ChannelKind}:
            errors.add("kind", "one of " + ", ".join(k.value for k in ChannelKind))
        numbers = {
            name: forms.integer(getattr(self, name), name, errors)
            for name in ("buffer_units", "buffer_percent", "hold_minutes")
        }
        errors.raise_if_any()
        return Channel(
            self.name.strip(),
            ChannelKind(self.kind),
            self.currency.strip().upper() or None,
            bool(self.tax_inclusive),
            numbers["buffer_units"] or 0,
            numbers["buffer_percent"] or 0,
            numbers["hold_minutes"] if numbers["hold_minutes"] is not None else 0,
        )


FormDep = Annotated[ChannelForm, Form()]


def url_of(name: str) -> str:
    return f"{BASE}/{quote(name, safe='')}"


def _context(page: Page) -> dict[str, object]:
    return {
        "may_manage": page.actor.may(Permission.CHANNEL_MANAGE),
        "may_import": page.actor.may(Permission.ORDER_CREATE),
        "kinds": list(ChannelKind),
        "url_of": url_of,
        "columns": COLUMNS,
    }


def _list(page: Page, new: tuple[ChannelForm, Problem] | None = None) -> Response:
    return page.render(
        "channels/list.html",
        new[1].status if new else 200,
        found=channels.list_channels(page.uow, page.actor),
        form=new[0] if new else ChannelForm(),
        problem=new[1] if new else None,
        **_context(page),
    )


@router.get(BASE)
def channel_list(page: PageDep) -> Response:
    return _list(page)


@router.post(BASE)
def add_channel(page: PageDep, typed: FormDep) -> Response:
    page.check_csrf(typed.csrf_token)
    try:
        page.actor.require(Permission.CHANNEL_MANAGE)
        made = channels.create_channel(page.uow, page.actor, typed.channel())
    except InvalidInput as error:
        return _list(page, (typed, problem_of(error)))
    return _detail(page, made.view, secret=made.secret, created=True)


def _detail(  # noqa: PLR0913
    page: Page,
    view: ChannelView,
    *,
    secret: str | None = None,
    created: bool = False,
    edit: tuple[ChannelForm, Problem] | None = None,
    report: ImportReport | None = None,
    upload_problem: Problem | None = None,
) -> Response:
    base = str(page.request.base_url).rstrip("/")
    status = edit[1].status if edit else upload_problem.status if upload_problem else 200
    return page.render(
        "channels/detail.html",
        status,
        view=view,
        c=view.channel,
        secret=secret,
        created=created,
        form=edit[0] if edit else ChannelForm.of(view.channel),
        problem=edit[1] if edit else None,
        report=report,
        upload_problem=upload_problem,
        webhook_base=f"{base}/api/v1/channels/{quote(view.channel.name, safe='')}",
        policy_url=f"/returns/policies/{quote(view.channel.name, safe='')}",
        **_context(page),
    )


@router.get(BASE + "/{name}")
def channel_page(page: PageDep, name: str) -> Response:
    return _detail(page, channels.get_channel(page.uow, page.actor, name))


@router.post(BASE + "/{name}")
def edit_channel(page: PageDep, name: str, typed: FormDep) -> Response:
    page.check_csrf(typed.csrf_token)
    try:
        page.actor.require(Permission.CHANNEL_MANAGE)
        c = typed.model_copy(update={"name": name}).channel()
        changes = {k: getattr(c, k) for k in channels.SETTINGS}
        channels.update_channel(page.uow, page.actor, name, changes)
    except InvalidInput as error:
        view = channels.get_channel(page.uow, page.actor, name)
        return _detail(page, view, edit=(typed, problem_of(error)))
    return page.redirect(url_of(name), f"Settings of channel {name} saved.")


@router.post(BASE + "/{name}/secret")
def rotate_secret(page: PageDep, name: str, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    made = channels.rotate_secret(page.uow, page.actor, name)
    return _detail(page, made.view, secret=made.secret)


@router.post(BASE + "/{name}/imports")
def upload(  # noqa: PLR0913
    page: PageDep,
    name: str,
    file: Annotated[UploadFile, File()],
    csrf_token: FormText = "",
    mapping: Annotated[str, Form(alias="map", max_length=2000)] = "",
    defaults: Annotated[str, Form(alias="set", max_length=2000)] = "",
    create_products: FormText = "",
) -> Response:
    page.check_csrf(csrf_token)
    page.actor.require(Permission.ORDER_CREATE)
    asked = ImportRequest(mapping, defaults, bool(create_products))
    problem: Problem | None = None
    report: ImportReport | None = None
    with tempfile.TemporaryFile() as copy:
        shutil.copyfileobj(file.file, copy)
        copy.seek(0)
        try:
            fresh = container(page.request).uow
            report = import_file(page.uow, page.actor, name, copy, asked, fresh=fresh)
        except MappingError as error:
            problem = problem_of(FieldErrors.single("map", str(error)))
        except (UnicodeDecodeError, OSError, EOFError):
            problem = problem_of(FieldErrors.single("file", "not UTF-8 text (nor gzip of it)"))
    view = channels.get_channel(page.uow, page.actor, name)
    return _detail(page, view, report=report, upload_problem=problem)
