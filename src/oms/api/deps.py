"""Typed dependencies: the unit of work and the acting user for each request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from oms.bootstrap import Container
from oms.domain.access import Actor, Role
from oms.services.ports import UnitOfWork


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_uow(request: Request) -> UnitOfWork:
    return get_container(request).uow()


def get_actor() -> Actor:
    """The caller. Until access control lands every API caller acts as an admin named `api`."""
    return Actor("api", Role.ADMIN)


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
ActorDep = Annotated[Actor, Depends(get_actor)]
