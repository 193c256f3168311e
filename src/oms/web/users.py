"""Users and their tokens, for admins: the list with role, state and location; create a user
(their password typed or generated, shown once) bound to a location or not; change a
user's role and location; disable them; revoke any of their API tokens.

Only a role that may manage users has the navigation entry and the forms; the services
refuse anyone else (403), forged POSTs included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter
from fastapi.responses import Response

from oms.domain.access import Permission, Role
from oms.domain.errors import Conflict, FieldErrors, InvalidInput
from oms.domain.users import NewUser, UserChange
from oms.services import catalogue, users, views
from oms.services.users import CreatedUser
from oms.web.forms import optional
from oms.web.problems import Problem, problem_of
from oms.web.shell import FormText, Page, PageDep, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
ROLES = [r for r in Role if r is not Role.CARRIER]  # a carrier user needs `--carrier` (CLI/API)


@dataclass
class UserForm:
    """A user form as typed, shown back unchanged after a refusal (never the password)."""

    name: str = ""
    role: str = Role.WAREHOUSE.value
    location: str = ""
    problem: Problem | None = None
    fields: dict[str, str] = field(default_factory=dict)

    def refused(self, error: InvalidInput | Conflict) -> UserForm:
        self.problem = problem_of(error)
        self.fields = self.problem.fields
        return self


@dataclass(frozen=True, slots=True)
class Created:
    """A user just made: their password and first token, shown this once."""

    user: CreatedUser
    password: str
    generated: bool


def _role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise FieldErrors.single("role", f"unknown role {text!r}") from None


def _list(page: Page, new: UserForm | None = None, created: Created | None = None) -> Response:
    return page.render(
        "users/list.html",
        new.problem.status if new and new.problem else 200,
        users=users.list_users(page.uow, page.actor),
        locations=catalogue.list_locations(page.uow, page.actor),
        roles=ROLES,
        new=new or UserForm(),
        created=created,
        zone=views.time_zone(page.uow, page.views),
    )


@router.get("/users")
def user_list(page: PageDep) -> Response:
    return _list(page)


@router.post("/users")
def create_user(
    page: PageDep,
    csrf_token: FormText = "",
    name: FormText = "",
    role: FormText = "",
    location: FormText = "",
    password: FormText = "",
) -> Response:
    page.check_csrf(csrf_token)
    typed = UserForm(name.strip(), role, location)
    try:
        page.actor.require(Permission.USER_MANAGE)  # refuse before reading the form
        chosen = password or users.generated_password()
        new = NewUser(typed.name, _role(role), None, optional(location))
        made = users.create_user(page.uow, page.actor, new, chosen, label="initial")
    except (InvalidInput, Conflict) as error:
        return _list(page, typed.refused(error))
    # Not a redirect: the password and token are shown in this answer only, never again.
    return _list(page, created=Created(made, chosen, generated=not password))


def _detail(page: Page, name: str, edit: UserForm | None = None) -> Response:
    user = users.get_user(page.uow, page.actor, name)
    return page.render(
        "users/detail.html",
        edit.problem.status if edit and edit.problem else 200,
        user=user,
        tokens=sorted(users.list_tokens(page.uow, page.actor, name), key=lambda t: -t.id),
        locations=catalogue.list_locations(page.uow, page.actor),
        roles=ROLES if user.role is not Role.CARRIER else [Role.CARRIER],
        form=edit or UserForm(user.name, user.role.value, user.location or ""),
        myself=user.name == page.actor.name,
        zone=views.time_zone(page.uow, page.views),
    )


@router.get("/users/{name}")
def user_page(page: PageDep, name: str) -> Response:
    return _detail(page, name)


@router.post("/users/{name}")
def edit_user(
    page: PageDep,
    name: str,
    csrf_token: FormText = "",
    role: FormText = "",
    location: FormText = "",
) -> Response:
    page.check_csrf(csrf_token)
    typed = UserForm(name, role, location)
    try:
        page.actor.require(Permission.USER_MANAGE)  # refuse before reading the form
        code = optional(location)
        change = UserChange(_role(role), code, clear_location=code is None)
        users.update_user(page.uow, page.actor, name, change)
    except (InvalidInput, Conflict) as error:
        return _detail(page, name, typed.refused(error))
    return page.redirect(f"/users/{name}", f"User {name} saved.")


@router.post("/users/{name}/disable")
def disable_user(page: PageDep, name: str, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    users.disable_user(page.uow, page.actor, name)
    return page.redirect(
        f"/users/{name}", f"User {name} disabled: their sessions and tokens stopped working."
    )


@router.post("/users/{name}/tokens/{token_id}/revoke")
def revoke_token(page: PageDep, name: str, token_id: int, csrf_token: FormText = "") -> Response:
    page.check_csrf(csrf_token)
    info = users.revoke_token(page.uow, page.actor, token_id)
    return page.redirect(f"/users/{info.user}", f"Token {info.label!r} of {info.user} revoked.")
