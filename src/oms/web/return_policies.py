"""Return policies in the back office: the list of channels with a policy of their own (and
what every other channel gets), one channel's policy, and for admins the forms to add one,
change it and delete it.

Every role that reads orders sees them; only one that may manage policies gets the forms,
and a forged POST is refused by the service (403). Channel `*` is the default; in a URL it
is `%2A`. These routes come before the returns pages', whose `/returns/{id}` would take
`/returns/policies`.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from oms.domain.access import Permission
from oms.domain.errors import FieldErrors, InvalidInput, NotFound
from oms.domain.returns.policy import DEFAULT_COMPLETION_DAYS, MAX_WINDOW_DAYS
from oms.domain.returns.reasons import SELLERS_FAULT, ReturnReason
from oms.services import return_policies
from oms.services.ports.returns import DEFAULT_CHANNEL
from oms.services.return_policies import ChannelPolicy, SetPolicy
from oms.web import forms
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
Typed = Annotated[str, Field(max_length=20_000)]
BASE = "/returns/policies"


class PolicyForm(BaseModel):
    """A policy form as typed, shown back unchanged after a refusal. The channel is only
    in the form that adds a policy; SKUs are typed separated by spaces, commas or lines."""

    model_config = ConfigDict(extra="ignore")

    csrf_token: Typed = ""
    channel: Typed = ""
    window_days: Typed = ""
    completion_days: Typed = str(DEFAULT_COMPLETION_DAYS)
    non_returnable: Typed = ""
    customer_pays: Annotated[list[Annotated[str, Field(max_length=32)]], Field(max_length=20)] = []

    @classmethod
    def of(cls, found: ChannelPolicy) -> PolicyForm:
        p = found.policy
        return cls(
            channel=found.channel,
            window_days=str(p.window_days),
            completion_days=str(p.completion_days),
            non_returnable=" ".join(sorted(p.non_returnable)),
            customer_pays=sorted(p.customer_pays),
        )

    def command(self) -> SetPolicy:
        """The policy typed; a window that is not a whole number is the field's own error."""
        errors = FieldErrors()
        days = forms.integer(self.window_days, "window_days", errors)
        if days is None and not errors.errors:
            errors.add("window_days", "must not be empty")
        completion = forms.integer(self.completion_days, "completion_days", errors)
        if completion is None and not errors.errors:
            errors.add("completion_days", "must not be empty")
        errors.raise_if_any()
        assert days is not None and completion is not None
        skus = [s for s in re.split(r"[\s,;]+", self.non_returnable) if s]
        return SetPolicy(days, skus, self.customer_pays, completion)


PolicyFormDep = Annotated[PolicyForm, Form()]


def url_of(channel: str) -> str:
    """The page of a channel's policy: `*` and any other odd character quoted."""
    return f"{BASE}/{quote(channel, safe='')}"


def _refusal(error: InvalidInput) -> Problem:
    """The service names `non_returnable[1]`; the form has one field for all SKUs."""
    shown = problem_of(error)
    fields: dict[str, str] = {}
    for name, message in shown.fields.items():
        base = re.sub(r"\[\d+\]$", "", name)
        fields[base] = f"{fields[base]}; {message}" if base in fields else message
    return Problem(shown.status, shown.title, shown.detail, fields)


def _context(page: Page) -> dict[str, object]:
    return {
        "may_write": page.actor.may(Permission.RETURN_POLICY),
        "reasons": list(ReturnReason),
        "sellers_fault": SELLERS_FAULT,
        "max_window": MAX_WINDOW_DAYS,
        "default_channel": DEFAULT_CHANNEL,
        "url_of": url_of,
    }


def _list(page: Page, new: tuple[PolicyForm, Problem] | None = None) -> Response:
    default = return_policies.get_policy(page.uow, page.actor, DEFAULT_CHANNEL)
    return page.render(
        "returns/policies.html",
        new[1].status if new else 200,
        policies=return_policies.list_policies(page.uow, page.actor),
        default=default,
        form=new[0] if new else PolicyForm.of(default).model_copy(update={"channel": ""}),
        problem=new[1] if new else None,
        **_context(page),
    )


@router.get(BASE)
def policy_list(page: PageDep) -> Response:
    return _list(page)


@router.post(BASE)
def add_policy(page: PageDep, typed: PolicyFormDep) -> Response:
    page.check_csrf(typed.csrf_token)
    channel = typed.channel.strip()
    try:
        page.actor.require(Permission.RETURN_POLICY)  # refuse before reading the form
        return_policies.set_policy(page.uow, page.actor, channel, typed.command())
    except InvalidInput as error:
        return _list(page, (typed, _refusal(error)))
    return page.redirect(url_of(channel), f"Return policy of {_named(channel)} saved.")


def _named(channel: str) -> str:
    return "the default" if channel == DEFAULT_CHANNEL else f"channel {channel}"


def _detail(
    page: Page, channel: str, edit: tuple[PolicyForm | None, Problem] | None = None
) -> Response:
    found = return_policies.get_policy(page.uow, page.actor, channel)
    typed = edit[0] if edit else None
    return page.render(
        "returns/policy.html",
        edit[1].status if edit else 200,
        found=found,
        named=_named(channel),
        form=typed or PolicyForm.of(found),
        problem=edit[1] if edit else None,
        **_context(page),
    )


@router.get(BASE + "/{channel}")
def policy_page(page: PageDep, channel: str) -> Response:
    return _detail(page, channel)


@router.post(BASE + "/{channel}")
def edit_policy(page: PageDep, channel: str, typed: PolicyFormDep) -> Response:
    page.check_csrf(typed.csrf_token)
    try:
        page.actor.require(Permission.RETURN_POLICY)
        return_policies.set_policy(page.uow, page.actor, channel, typed.command())
    except InvalidInput as error:
        return _detail(page, channel, (typed, _refusal(error)))
    return page.redirect(url_of(channel), f"Return policy of {_named(channel)} saved.")


@router.post(BASE + "/{channel}/delete")
def delete_policy(page: PageDep, channel: str, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    try:
        now = return_policies.delete_policy(page.uow, page.actor, channel)
    except NotFound as error:
        return _detail(page, channel, (None, problem_of(error)))
    falls = "the default" if now.source == "default" else "the built-in policy"
    return page.redirect(BASE, f"Return policy of {_named(channel)} deleted: it gets {falls}.")
