"""Users and API tokens (admins only), and `/me` for anyone with a token."""

from __future__ import annotations

from fastapi import APIRouter, Response

from oms.api.deps import ActorDep, IdPath, UowDep
from oms.api.pagination import whole
from oms.api.schemas.common import Page
from oms.api.schemas.users import (
    CreatedUserOut,
    IssuedTokenOut,
    MeOut,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
)
from oms.services import users

router = APIRouter(tags=["users"])


@router.get("/me")
def me(actor: ActorDep) -> MeOut:
    """Who this token acts as, and what that role may do."""
    return MeOut.of(actor)


@router.get("/users")
def list_users(uow: UowDep, actor: ActorDep) -> Page[UserOut]:
    return whole(users.list_users(uow, actor), UserOut.model_validate)


@router.post("/users", status_code=201)
def create_user(body: UserIn, uow: UowDep, actor: ActorDep) -> CreatedUserOut:
    """Create a user and their first API token (shown once in the answer)."""
    created = users.create_user(uow, actor, body.to_domain(), body.password, body.label)
    return CreatedUserOut.of(created)


@router.patch("/users/{name}")
def update_user(name: str, body: UserPatch, uow: UowDep, actor: ActorDep) -> UserOut:
    """Change a user's role or the location they work at (`location: null` unbinds them)."""
    return UserOut.model_validate(users.update_user(uow, actor, name, body.to_domain()))


@router.post("/users/{name}/disable")
def disable_user(name: str, uow: UowDep, actor: ActorDep) -> UserOut:
    """Disable a user: their tokens and sessions stop working at once."""
    return UserOut.model_validate(users.disable_user(uow, actor, name))


@router.get("/tokens")
def list_tokens(uow: UowDep, actor: ActorDep, user: str | None = None) -> Page[TokenOut]:
    """Tokens (never their secret), optionally of one user."""
    return whole(users.list_tokens(uow, actor, user), TokenOut.model_validate)


@router.post("/tokens", status_code=201)
def create_token(body: TokenIn, uow: UowDep, actor: ActorDep) -> IssuedTokenOut:
    """A new token for a user, shown this once."""
    return IssuedTokenOut.issued(users.create_token(uow, actor, body.user, body.label))


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: IdPath, uow: UowDep, actor: ActorDep) -> Response:
    """Revoke a token; the very next request with it is refused."""
    users.revoke_token(uow, actor, token_id)
    return Response(status_code=204)
