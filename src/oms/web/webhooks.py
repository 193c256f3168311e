"""Notifications, for admins: webhook subscriptions (list, add with the secret shown once,
delete), one subscription's delivery log, and the deliveries by state with a Retry button
for dead ones.

Only a role that may manage notifications has the navigation entry; the services refuse
anyone else (403), forged POSTs included.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from oms.bootstrap import Container
from oms.domain.access import Permission
from oms.domain.errors import Conflict, InvalidInput, NotFound
from oms.domain.notifications import signing
from oms.domain.notifications.delivery import DeliveryStatus
from oms.services import notifications, views, webhooks
from oms.services.ports.notifications import Webhook
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
Typed = Annotated[str, Field(max_length=2048)]
LOG_PAGE = 50


class WebhookForm(BaseModel):
    """The new subscription as typed, shown back unchanged after a refusal."""

    model_config = ConfigDict(extra="ignore")

    csrf_token: Typed = ""
    url: Typed = ""
    events: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=50)] = []
    secret: Typed = ""


WebhookFormDep = Annotated[WebhookForm, Form()]


def _container(page: Page) -> Container:
    found: Container = page.request.app.state.container
    return found


def _list(
    page: Page,
    new: tuple[WebhookForm, Problem] | None = None,
    created: Webhook | None = None,
) -> Response:
    return page.render(
        "webhooks/list.html",
        new[1].status if new else 200,
        hooks=webhooks.list_webhooks(page.uow, page.actor),
        topics=webhooks.TOPICS,
        form=new[0] if new else WebhookForm(),
        problem=new[1] if new else None,
        created=created,
        zone=views.time_zone(page.uow, page.views),
    )


@router.get("/webhooks")
def webhook_list(page: PageDep) -> Response:
    return _list(page)


@router.post("/webhooks")
def create_webhook(page: PageDep, typed: WebhookFormDep) -> Response:
    page.check_csrf(typed.csrf_token)
    guard = _container(page).webhook_guard()
    try:
        page.actor.require(Permission.NOTIFICATION_MANAGE)  # refuse before reading the form
        secret = typed.secret.strip() or None
        hook = webhooks.create_webhook(page.uow, page.actor, typed.url, typed.events, secret, guard)
    except InvalidInput as error:
        return _list(page, (typed, problem_of(error)))
    # Not a redirect: the secret is shown in this answer only, never again.
    return _list(page, created=hook)


@router.post("/webhooks/{webhook_id}/delete")
def delete_webhook(page: PageDep, webhook_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    webhooks.delete_webhook(page.uow, page.actor, webhook_id)
    return page.redirect("/webhooks", f"Webhook {webhook_id} deleted: nothing more is sent to it.")


@router.get("/webhooks/{webhook_id}")
def webhook_page(page: PageDep, webhook_id: int, before: int | None = None) -> Response:
    hook = webhooks.get_webhook(page.uow, page.actor, webhook_id)
    attempts = webhooks.webhook_attempts(page.uow, page.actor, webhook_id, before, LOG_PAGE)
    return page.render(
        "webhooks/detail.html",
        hook=hook,
        attempts=attempts,
        older=attempts[-1].id if len(attempts) == LOG_PAGE else None,
        event_key=signing.event_key,
        zone=views.time_zone(page.uow, page.views),
    )


def _deliveries(
    page: Page, status: str, before: int | None, problem: Problem | None = None
) -> Response:
    chosen = DeliveryStatus(status) if status in set(DeliveryStatus) else DeliveryStatus.DEAD
    found = notifications.list_deliveries(page.uow, page.actor, chosen, before, LOG_PAGE)
    return page.render(
        "webhooks/deliveries.html",
        problem.status if problem else 200,
        deliveries=found,
        shown=chosen,
        older=found[-1].id if len(found) == LOG_PAGE else None,
        problem=problem,
        event_key=signing.event_key,
        zone=views.time_zone(page.uow, page.views),
    )


@router.get("/deliveries")
def delivery_list(page: PageDep, status: str = "dead", before: int | None = None) -> Response:
    return _deliveries(page, status, before)


@router.post("/deliveries/{delivery_id}/retry")
def retry_delivery(page: PageDep, delivery_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    try:
        again = notifications.retry_delivery(page.uow, page.actor, delivery_id)
    except (Conflict, NotFound) as error:  # retried twice, e.g. from two tabs
        return _deliveries(page, DeliveryStatus.DEAD.value, None, problem_of(error))
    return page.redirect(
        "/deliveries?status=dead",
        f"Delivery {again.id} to {again.recipient} is pending again: the worker sends it next.",
    )
