"""Every error the API answers, as application/problem+json (RFC 9457), mapped in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from oms.api.schemas.common import FieldProblem, Problem
from oms.domain.errors import (
    DomainError,
)
from oms.web.problems import STATUSES

PROBLEM = "application/problem+json"

# A 401 names the scheme to use; a 429 says when to try again.
_HEADERS = {401: {"WWW-Authenticate": "Bearer"}, 429: {"Retry-After": "60"}}


def problem(
    status: int,
    title: str,
    detail: str,
    slug: str,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=f"urn:oms:problem:{slug}", title=title, status=status, detail=detail, errors=errors
    )
    # Left out rather than null: `errors` unless listed, a field's pack-mismatch counts.
    content = body.model_dump(exclude_none=True)
    return JSONResponse(content, status_code=status, media_type=PROBLEM, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


async def _domain_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    for cls, status, slug in STATUSES:
        if isinstance(error, cls):
            errors = getattr(error, "errors", None)
            listed: list[FieldProblem] | None = (
                [FieldProblem(field=e.field, message=e.message) for e in errors]
                if errors
                else ([] if status == 422 else None)
            )
            differences = getattr(error, "differences", None)
            if differences and listed:
                # A pack mismatch: each differing SKU with its expected and scanned counts.
                for item, d in zip(listed, differences, strict=True):
                    item.sku, item.expected, item.scanned = d.sku, d.expected, d.scanned
            return problem(
                status,
                error.title,
                error.detail,
                slug,
                listed,
                _HEADERS.get(status),
            )
    return problem(400, error.title, error.detail, "bad-request")


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        FieldProblem(
            field="body" if e["type"] == "json_invalid" else _field(tuple(e["loc"])),
            message=e["msg"],
        )
        for e in error.errors()
    ]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return problem(422, "Invalid input", detail, "invalid-input", errors)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    if error.status_code == 400:
        # A body the framework could not even parse (not UTF-8, broken form data): invalid
        # input like any other, not a different kind of answer.
        message = str(error.detail)
        errors = [FieldProblem(field="body", message=message)]
        return problem(422, "Invalid input", f"body: {message}", "invalid-input", errors)
    if error.status_code == 405:
        # Allow names every method of the path, not only those of the first route matched.
        headers = {"Allow": ", ".join(sorted(_methods(request)))}
        return problem(405, "Method not allowed", str(error.detail), "http-error", None, headers)
    titles = {401: "Unauthorized", 404: "Not found", 405: "Method not allowed"}
    return problem(
        error.status_code,
        titles.get(error.status_code, "Error"),
        str(error.detail),
        "http-error",
        headers=getattr(error, "headers", None),
    )


def _methods(request: Request) -> set[str]:
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.router.routes):
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE:
            methods |= route.methods or set()
    return methods


async def _data_error(_: Request, error: Exception) -> JSONResponse:
    # The database refused a value no rule above caught: out of its range, or a NUL
    # character PostgreSQL cannot store. Bad input, not a server fault; nothing was written.
    return problem(
        422,
        "Invalid input",
        "a value is out of range or holds a character that cannot be stored",
        "invalid-input",
        [],
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(DataError, _data_error)
