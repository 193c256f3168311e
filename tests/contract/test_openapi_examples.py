"""The examples of /openapi.json: the main operations have them, each one is valid against
its own schema, and they are what the API answers (recorded again and compared)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from oms.api.openapi import examples
from oms.bootstrap import Container
from tests.conftest import FakeClock
from tests.openapi_examples import FILE, record

# The operations of API.md's main sections, each with a request example (when it takes a
# body) and an answer example.
MAIN = [
    "POST /api/v1/orders",
    "GET /api/v1/orders",
    "GET /api/v1/orders/{order_id}",
    "POST /api/v1/orders/{order_id}/cancel",
    "POST /api/v1/products",
    "GET /api/v1/products/{sku}",
    "GET /api/v1/products/{sku}/availability",
    "PUT /api/v1/stock/{location_code}/{sku}",
    "POST /api/v1/stock/{location_code}/{sku}/adjustments",
    "GET /api/v1/stock",
    "POST /api/v1/holds",
    "GET /api/v1/channels/{channel}/availability",
    "GET /api/v1/shipments",
    "GET /api/v1/shipments/{shipment_id}",
    "POST /api/v1/shipments/{shipment_id}/ship",
    "POST /api/v1/orders/{order_id}/returns",
    "GET /api/v1/returns",
    "GET /api/v1/returns/{return_id}",
]


@pytest.fixture(scope="module")
def document(sqlite_template: Any) -> dict[str, Any]:
    from oms.api.app import create_app
    from oms.bootstrap import bootstrap
    from oms.config import Settings

    container = bootstrap(Settings(database_url=f"sqlite:///{sqlite_template}"))
    try:
        found: dict[str, Any] = TestClient(create_app(container)).get("/openapi.json").json()
    finally:
        container.close()
    return found


def _examples_of(node: dict[str, Any]) -> list[Any]:
    """The examples an OpenAPI media type or parameter object gives."""
    found = [node["example"]] if "example" in node else []
    return found + [e["value"] for e in node.get("examples", {}).values() if "value" in e]


def every_example(document: dict[str, Any]) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """(where, example, schema) for every example the document holds."""
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in op.get("parameters", []):
                for value in _examples_of(parameter):
                    yield f"{where} parameter {parameter['name']}", value, parameter["schema"]
            for kind, content in op.get("requestBody", {}).get("content", {}).items():
                for value in _examples_of(content):
                    yield f"{where} request {kind}", value, content["schema"]
            for status, answer in op.get("responses", {}).items():
                for kind, content in answer.get("content", {}).items():
                    for value in _examples_of(content):
                        yield f"{where} answer {status} {kind}", value, content["schema"]
    yield from _schema_examples(document["components"]["schemas"], "components")


def _schema_examples(node: Any, where: str) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """JSON Schema's own `examples` (Field(examples=...)), anywhere in the schemas."""
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list) and ("type" in node or "$ref" in node):
            for value in node["examples"]:
                yield where, value, {k: v for k, v in node.items() if k != "examples"}
        for key, value in node.items():
            yield from _schema_examples(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _schema_examples(value, f"{where}[{i}]")


def errors(schema: dict[str, Any], value: Any, document: dict[str, Any]) -> list[str]:
    root = {**schema, "components": document["components"]}
    validator = jsonschema_rs.Draft202012Validator(root, validate_formats=True)
    return [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(value)]


def test_the_main_operations_have_a_request_and_an_answer_example(
    document: dict[str, Any],
) -> None:
    missing = []
    for key in MAIN:
        method, path = key.split(" ", 1)
        op = document["paths"][path][method.lower()]
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None and not _examples_of(body):
            missing.append(f"{key}: no request example")
        answers = [
            content
            for status, answer in op["responses"].items()
            if status.startswith("2")
            for content in answer.get("content", {}).values()
        ]
        if not any(_examples_of(content) for content in answers):
            missing.append(f"{key}: no answer example")
    assert missing == []


def test_every_example_in_the_document_is_valid_against_its_own_schema(
    document: dict[str, Any],
) -> None:
    found = list(every_example(document))
    assert len(found) > len(MAIN)  # the walk does find them (answers, requests, parameters)
    wrong = {where: e for where, value, schema in found if (e := errors(schema, value, document))}
    assert wrong == {}


def test_an_invalid_example_would_be_caught(document: dict[str, Any]) -> None:
    place = document["paths"]["/api/v1/orders"]["post"]
    schema = place["requestBody"]["content"]["application/json"]["schema"]
    broken = {**place["requestBody"]["content"]["application/json"]["example"], "lines": "x"}
    assert errors(schema, broken, document)  # the check is not blind
    answer = place["responses"]["201"]["content"]["application/json"]
    assert errors(answer["schema"], {**answer["example"], "id": "one"}, document)


def test_the_examples_are_what_the_api_answers_today(
    container: Container, clock: FakeClock
) -> None:
    """Recorded again on a fresh database: the same requests, the same answers. When an
    answer changes on purpose: `python -m tests.openapi_examples` writes them anew."""
    if not container.settings.database_url.startswith("sqlite"):
        pytest.skip("recorded on SQLite (ids and numbers as a fresh database gives them)")
    assert record(container, clock) == examples() == json.loads(FILE.read_text())
