"""Schemathesis hooks for tests/e2e/test_schemathesis.py (loaded by SCHEMATHESIS_HOOKS).

A generated request may revoke a token or disable a user (DELETE /tokens/{id},
POST /users/{name}/disable), the fuzzing admin's own among them: every request gets a
fresh admin token made straight in the database the server serves, so the run goes on
as an admin whatever an earlier request did.
"""

from __future__ import annotations

import itertools
from typing import Any

import schemathesis

from oms.bootstrap import bootstrap
from oms.config import Settings
from oms.domain.access import SYSTEM, Role
from oms.domain.errors import DomainError
from oms.domain.users import NewUser
from oms.services.users import create_token, create_user

_container = bootstrap(Settings())  # OMS_DATABASE_URL: the server's database
_uow = _container.uow
_names = itertools.count(1)
_user = {"name": "fuzz-admin-0"}


@schemathesis.auth(refresh_interval=None)
class FreshAdminToken:
    def get(self, case: Any, context: Any) -> str:
        try:
            return create_token(_uow(), SYSTEM, _user["name"]).token
        except DomainError:  # disabled or gone: another admin, made now
            _user["name"] = f"fuzz-admin-{next(_names)}"
            new = NewUser(_user["name"], Role.ADMIN, None, None)
            return create_user(_uow(), SYSTEM, new).token.token

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
