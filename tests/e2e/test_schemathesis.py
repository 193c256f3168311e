"""Property-based tests of the whole API from its OpenAPI document: no answer is a 5xx."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from oms.bootstrap import Container
from oms.domain.access import SYSTEM
from oms.services.users import create_token
from tests.conftest import bearer, make_user_token

FUZZ_ADMIN = "fuzz-admin"
EXAMPLES = 20


def test_no_request_makes_the_server_fail(container: Container) -> None:
    """Every operation of /openapi.json, EXAMPLES generated requests each, as an admin.

    (schemathesis' own pytest loader does not run under this pytest, so the operations are
    walked here, each one a bounded Hypothesis run.)
    """
    from oms.api.app import create_app

    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(container))
    make_user_token(container, "admin", FUZZ_ADMIN)
    failures: list[str] = []
    for result in schema.get_all_operations():
        _fuzz(result.ok(), container, failures)
    assert not failures, "\n".join(failures)


def _fuzz(operation: Any, container: Container, failures: list[str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: Any) -> None:
        # A fresh token each time: a generated DELETE /tokens/{id} may revoke an earlier one.
        token = create_token(container.uow(), SYSTEM, FUZZ_ADMIN).token
        request = f"{case.method} {case.formatted_path} {case.query or ''} {case.body!r:.300}"
        try:
            response = case.call(headers=bearer(token))
        except Exception as error:  # the test client re-raises what the app did not handle
            failures.append(f"{request} -> {type(error).__name__}: {error}"[:600])
            return
        if response.status_code >= 500:
            failures.append(f"{request} -> {response.status_code}: {response.text[:300]}")

    run()
