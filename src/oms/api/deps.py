"""Typed dependencies: the unit of work and the acting user for each request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from oms.bootstrap import Container
from oms.domain.access import Actor
from oms.domain.errors import Unauthenticated
from oms.services.ports import UnitOfWork
from oms.services.users import BAD_TOKEN, authenticate_token, authenticate_token_with

T = TypeVar("T")


# No I/O here: `async` keeps FastAPI from sending it to a worker thread.
async def get_uow(request: Request) -> UnitOfWork:
    container: Container = request.app.state.container
    return container.uow()


UowDep = Annotated[UnitOfWork, Depends(get_uow)]


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]
# An id in a path: ids are 64-bit, so anything larger is refused (422) before the database.
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]

# auto_error=False: a missing or malformed header gets our own 401 (problem+json, the same
# body as an unknown, revoked or disabled token), not the framework's.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token, as printed by `oms users create` or `oms tokens create`.",
)


def get_actor(
    request: Request,
    uow: UowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The caller, from `Authorization: Bearer <token>`; 401 if there is no live token."""
    actor = authenticate_token(uow, credentials.credentials if credentials else None)
    request.state.user = actor.name  # for the request's log line (api/observe.py)
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The bearer token, not yet checked (a missing one is refused here, with the same 401):
    a route that checks it with `actor_for` in the worker thread that does its work makes
    one trip to the thread pool instead of two (the hot path, `POST /orders`)."""
    if credentials is None or not credentials.credentials:
        raise Unauthenticated(BAD_TOKEN)
    return credentials.credentials


TokenDep = Annotated[str, Depends(bearer_token)]


def actor_for(
    request: Request, uow: UnitOfWork, token: str, read: Callable[[], T]
) -> tuple[Actor, T]:
    """`get_actor` for a route holding a `TokenDep`, called in its own worker thread; with
    `read` done in the same read transaction as the token check (authenticate_token_with)."""
    actor, found = authenticate_token_with(uow, token, read)
    request.state.user = actor.name
    return actor, found
