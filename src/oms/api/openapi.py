"""The OpenAPI document made complete in one place: every problem answer each operation can
give, found from what the operation declares, so a route added anywhere is covered too.

- an operation that depends on the caller (`get_actor`, `bearer_token`) answers 401 and 403;
- any input (path, query, body) may name something that does not exist: 404;
- a write (POST, PUT, PATCH, DELETE) may meet a state that forbids it: 409;
- any input (path, query, header, body) or a write may be refused: 422 (with `errors`);
- a route that can answer more says so with its own `responses=`, kept as it is.

Every problem answer is `application/problem+json` with the `Problem` schema. Times are
given formats that JSON Schema validators accept (`time` → a pattern: a wall-clock time in
oms carries no offset, which RFC 3339's `full-time` requires).

The main operations (placing, listing and reading orders, stock counts, adjustments and
availability, holds, shipments, returns) carry a request and an answer example: those of
`examples.json`, recorded from the API itself (tests/openapi_examples.py, and a test that
records them again and compares).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from oms.api.deps import bearer_token, get_actor
from oms.api.schemas.common import Problem

PROBLEM = "application/problem+json"
PROBLEM_CONTENT = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DESCRIPTIONS = {
    400: "The request could not be read",
    401: "No valid API token (missing, unknown, revoked, user disabled)",
    403: "The token's role may not do this",
    404: "Something the request names does not exist",
    409: "The current state forbids this (or a concurrent change won)",
    422: "Invalid input: `errors` lists each offending field",
    429: "Too many attempts: try again after Retry-After seconds",
}
# A wall-clock time as oms writes it ("15:00" or "15:00:00"), with no offset.
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def problem_statuses(route: APIRoute) -> set[int]:
    """The problem answers this route can give, from what it declares."""
    statuses: set[int] = set()
    calls = {d.call for d in _dependants(route.dependant)}
    if get_actor in calls or bearer_token in calls:
        statuses |= {401, 403}
    flat = list(_dependants(route.dependant))
    path_params = [p for d in flat for p in d.path_params]
    inputs = path_params or any(
        d.query_params or d.header_params or d.body_params or d.cookie_params for d in flat
    )
    if inputs:  # a path, a query or a body may name something that does not exist
        statuses.add(404)
    writes = bool((route.methods or set()) & WRITES)
    if writes:
        statuses.add(409)
    if inputs or writes:
        statuses.add(422)
    return statuses


def api_routes(app: FastAPI) -> Iterator[tuple[str, set[str], APIRoute]]:
    """Each API route with its full path (routers included with a prefix) and methods."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path_format:
            yield context.path_format, set(context.methods or ()), route


def _problem_response(status: int, existing: dict[str, Any] | None) -> dict[str, Any]:
    description = DESCRIPTIONS.get(status, "A problem")
    if existing and existing.get("description") not in (None, "Validation Error"):
        description = existing["description"]
    answer: dict[str, Any] = {"description": description, "content": PROBLEM_CONTENT}
    if status == 401:
        answer["headers"] = {
            "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}
        }
    return answer


def _fix_formats(node: Any) -> None:
    """`format: time` → a pattern validators accept for oms' offset-less times."""
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            del node["format"]
            node["pattern"] = TIME_PATTERN
        for value in node.values():
            _fix_formats(value)
    elif isinstance(node, list):
        for value in node:
            _fix_formats(value)


def complete(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """Add every route's problem answers to `schema` (FastAPI's document of `app`)."""
    routes = {
        (path, method.lower()): route
        for path, methods, route in api_routes(app)
        for method in methods
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            route = routes.get((path, method))
            if route is None:
                continue
            responses = operation.setdefault("responses", {})
            declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
            for status in sorted(problem_statuses(route) | declared):
                responses[str(status)] = _problem_response(status, responses.get(str(status)))
            operation["responses"] = dict(sorted(responses.items()))
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization"
    )
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    # FastAPI's own 422 body is never sent: every 422 is a Problem.
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    _fix_formats(schema)
    _add_examples(schema)
    return schema


@cache
def examples() -> dict[str, dict[str, Any]]:
    """`"METHOD /path"` → {request?, status, response, parameters?, headers?}."""
    found: dict[str, dict[str, Any]] = json.loads(
        (Path(__file__).with_name("examples.json")).read_text(encoding="utf-8")
    )
    return found


def _add_examples(schema: dict[str, Any]) -> None:
    """Each recorded example at its operation: the request body's, the answer's (at the
    status it was given) and its query and header parameters'."""
    paths = schema.get("paths", {})
    for key, example in examples().items():
        method, path = key.split(" ", 1)
        operation = paths.get(path, {}).get(method.lower())
        if operation is None:
            continue
        if "request" in example:
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                content["application/json"]["example"] = example["request"]
        answer = operation.get("responses", {}).get(str(example["status"]), {})
        if "application/json" in answer.get("content", {}):
            answer["content"]["application/json"]["example"] = example["response"]
        given = {**example.get("parameters", {}), **example.get("headers", {})}
        given = {name.lower(): value for name, value in given.items()}
        for parameter in operation.get("parameters", []):
            if parameter["name"].lower() in given:
                parameter["example"] = given[parameter["name"].lower()]


def install(app: FastAPI) -> None:
    """Serve the completed document at /openapi.json (built once, on first request)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(app, generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
