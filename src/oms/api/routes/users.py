"""Users and API tokens (admins only), and `/me` for anyone with a token."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from oms.api.deps import ActorDep, IdPath, UowDep
from oms.api.schemas import Page
from oms.domain.access import MATRIX, Role
from oms.domain.users import MAX_PASSWORD, NewUser
from oms.services import users
from oms.services.users import IssuedToken

router = APIRouter(tags=["users"])
Name = Annotated[str, Field(max_length=100)]
Label = Annotated[str, Field(max_length=100)]


class UserIn(BaseModel):
    # Not stripped: a password is taken exactly as given.
    model_config = ConfigDict(extra="forbid")

    name: Name
    role: Role
    carrier: Annotated[str, Field(max_length=32)] | None = None
    password: Annotated[str, Field(max_length=MAX_PASSWORD)] | None = None
    label: Label = "initial"


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    role: Role
    carrier: str | None
    disabled: bool
    has_password: bool
    created_at: datetime


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: Name
    label: Label = ""


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class IssuedTokenOut(TokenOut):
    token: str = Field(description="The token itself, shown this once and stored nowhere.")

    @classmethod
    def issued(cls, t: IssuedToken) -> IssuedTokenOut:
        return cls(**TokenOut.model_validate(t.info).model_dump(), token=t.token)


class CreatedUserOut(BaseModel):
    user: UserOut
    token: IssuedTokenOut


class MeOut(BaseModel):
    name: str
    role: Role
    carrier: str | None
    permissions: list[str]


@router.get("/me")
def me(actor: ActorDep) -> MeOut:
    """Who this token acts as, and what that role may do."""
    allowed = sorted(p.value for p in MATRIX[actor.role])
    return MeOut(name=actor.name, role=actor.role, carrier=actor.carrier, permissions=allowed)


@router.get("/users")
def list_users(uow: UowDep, actor: ActorDep) -> Page[UserOut]:
    return Page(
        items=[UserOut.model_validate(u) for u in users.list_users(uow, actor)], next_cursor=None
    )


@router.post("/users", status_code=201)
def create_user(body: UserIn, uow: UowDep, actor: ActorDep) -> CreatedUserOut:
    """Create a user and their first API token (shown once in the answer)."""
    new = NewUser(body.name, body.role, body.carrier)
    created = users.create_user(uow, actor, new, body.password, body.label)
    return CreatedUserOut(
        user=UserOut.model_validate(created.user), token=IssuedTokenOut.issued(created.token)
    )


@router.post("/users/{name}/disable")
def disable_user(name: str, uow: UowDep, actor: ActorDep) -> UserOut:
    """Disable a user: their tokens and sessions stop working at once."""
    return UserOut.model_validate(users.disable_user(uow, actor, name))


@router.get("/tokens")
def list_tokens(uow: UowDep, actor: ActorDep, user: str | None = None) -> Page[TokenOut]:
    """Tokens (never their secret), optionally of one user."""
    items = users.list_tokens(uow, actor, user)
    return Page(items=[TokenOut.model_validate(t) for t in items], next_cursor=None)


@router.post("/tokens", status_code=201)
def create_token(body: TokenIn, uow: UowDep, actor: ActorDep) -> IssuedTokenOut:
    """A new token for a user, shown this once."""
    return IssuedTokenOut.issued(users.create_token(uow, actor, body.user, body.label))


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: IdPath, uow: UowDep, actor: ActorDep) -> Response:
    """Revoke a token; the very next request with it is refused."""
    users.revoke_token(uow, actor, token_id)
    return Response(status_code=204)
