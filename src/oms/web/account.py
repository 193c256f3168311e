"""Your account: change your own password, and make or revoke your own API tokens.

Every role has this page. A new token is shown once, in the answer to the form that made
it, and never again (only its hash is stored).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from oms.domain.errors import DomainError, InvalidInput, NotFound
from oms.services import sessions, users, views
from oms.services.sessions import PasswordChange
from oms.services.users import IssuedToken
from oms.web.auth import start_session
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PASSWORD_FIELDS = ("current_password", "new_password", "repeat_password")


def _show(
    page: Page,
    status: int = 200,
    *,
    problem: Problem | None = None,
    form: str = "",
    label: str = "",
    issued: IssuedToken | None = None,
) -> Response:
    return page.render(
        "account.html",
        status,
        tokens=users.own_tokens(page.uow, page.actor),
        zone=views.time_zone(page.uow, page.views),
        problem=problem,
        form=form,
        label=label,
        issued=issued,
    )


@router.get("/account")
def account(page: PageDep) -> Response:
    return _show(page)


@router.post("/account/password")
def change_password(
    page: PageDep,
    csrf_token: FormText = "",
    current_password: FormText = "",
    new_password: FormText = "",
    repeat_password: FormText = "",
) -> Response:
    page.check_csrf(csrf_token)
    client = page.request.client
    change = PasswordChange(
        current_password, new_password, repeat_password, client.host if client else "unknown"
    )
    try:
        session = sessions.change_password(page.uow, page.session, change)
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        return _show(page, problem_of(error).status, problem=problem_of(error), form="password")
    response = page.redirect(
        "/account", "Password changed. Your other sessions have been logged out."
    )
    start_session(page.request, response, session)
    return response


@router.post("/account/tokens")
def create_token(page: PageDep, csrf_token: FormText = "", label: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    try:
        issued = users.create_own_token(page.uow, page.actor, label)
    except InvalidInput as error:
        problem = problem_of(error)
        return _show(page, problem.status, problem=problem, form="token", label=label)
    return _show(page, issued=issued)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(page: PageDep, token_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    info = users.revoke_own_token(page.uow, page.actor, token_id)
    return page.redirect("/account", f"Token {info.label!r} revoked.")
