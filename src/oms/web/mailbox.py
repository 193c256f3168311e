"""The mailbox pages, for admins of an oms without an SMTP server: the e-mails written to
the local folder, newest first, and one of them with its headers, its text and its HTML
(in a sandboxed frame: an e-mail's HTML never runs in the back office)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from oms.services import mailbox, views
from oms.web.shell import PageDep, PageRoute, container

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/mailbox")
def mailbox_list(page: PageDep) -> Response:
    found = mailbox.list_messages(page.actor, container(page.request).mailbox())
    return page.render(
        "mailbox/list.html",
        messages=found,
        smtp_host=page.settings.smtp_host,
        folder=page.settings.mailbox_dir,
        zone=views.time_zone(page.uow, page.views),
    )


@router.get("/mailbox/{name}")
def mailbox_message(page: PageDep, name: str) -> Response:
    message = mailbox.read_message(page.actor, container(page.request).mailbox(), name)
    zone = views.time_zone(page.uow, page.views)
    return page.render("mailbox/message.html", message=message, zone=zone)
