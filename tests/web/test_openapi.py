"""The OpenAPI document: valid, true to the app's routes; a fuzzer driven by it finds nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from assetmap import create_app
from assetmap.domain.assets import validate_asset
from assetmap.domain.fields import FIELDS
from assetmap.storage import assets as store
from assetmap.web import db
from assetmap.web.api.openapi import PATHS
from tests.web.helpers import add_user, bearer

METHODS = {"get", "post", "put", "patch", "delete"}
UNKNOWN = "openreferral.unknown"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()  # type: ignore[no-any-return]


def test_the_document_is_valid_openapi(client: FlaskClient) -> None:
    validate(document(client))


def test_the_document_describes_exactly_the_apps_api_routes(
    app: Flask, client: FlaskClient
) -> None:
    served: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        # The Open Referral UK API answers a path it does not have in its own error shape.
        if rule.rule.startswith(("/api/", "/openreferral/")) and rule.endpoint != UNKNOWN:
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            methods = {method.lower() for method in rule.methods or ()} & METHODS
            served.setdefault(path, set()).update(methods)
    described = {
        path: {method for method in item if method in METHODS}
        for path, item in document(client)["paths"].items()
    }
    assert described == served


def test_every_refusal_is_described_with_the_one_error_shape(client: FlaskClient) -> None:
    doc = document(client)
    for path, item in doc["paths"].items():
        for method in METHODS & set(item):
            for status, answer in item[method]["responses"].items():
                if status.startswith("4"):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, status)


def test_the_open_referral_routes_are_described_with_their_parameters(
    client: FlaskClient,
) -> None:
    paths = document(client)["paths"]
    listed = {p["name"] for p in paths["/openreferral/services"]["get"]["parameters"]}
    assert listed == {
        "search",
        "page",
        "per_page",
        "format",
        "taxonomy_term_id",
        "taxonomy_id",
        "organization_id",
        "modified_after",
        "minimal",
        "full",
    }
    located = paths["/openreferral/service_at_locations"]["get"]["parameters"]
    assert {"postcode", "proximity"} <= {p["name"] for p in located}
    root = client.get("/openreferral/").get_json()
    assert root["openapi_url"].endswith("/api/openapi.json")


def test_the_map_features_contract_is_described() -> None:
    operation = PATHS["/api/map/features"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"bbox", "zoom", "kind", "theme", "q"}
    assert parameters["bbox"]["required"] and parameters["zoom"]["required"]
    assert parameters["zoom"]["schema"] == {"type": "integer", "minimum": 0, "maximum": 22}
    assert parameters["kind"]["schema"]["items"]["enum"] == ["skill", "group", "space"]
    assert parameters["kind"]["explode"] is True
    assert set(operation["responses"]) == {"200", "400"}


def test_the_changes_a_request_sends_are_the_field_tables(client: FlaskClient) -> None:
    schemas = document(client)["components"]["schemas"]
    changes = schemas["AssetChanges"]["properties"]
    assert changes == {f.name: f.request for f in FIELDS if f.request is not None}
    required = schemas["NewAsset"]["allOf"][1]["required"]
    assert list(changes)[: len(required)] == required


def test_every_bad_parameter_answer_names_the_parameter(client: FlaskClient) -> None:
    for query in ("near=1", "bbox=x", "kind=x", "limit=x", "radius=5"):
        error = client.get(f"/api/assets?{query}").get_json()["error"]
        assert error["field"] == query.split("=")[0]


@pytest.fixture
def fuzzed_app(sqlite_url: str) -> Iterator[Flask]:
    app = create_app(
        {"TESTING": True, "DATABASE_URL": sqlite_url, "SECRET_KEY": "fuzz", "AREA_BBOX": ""}
    )
    with app.app_context(), db.database().session() as session:
        for i in range(30):
            raw = {
                "kind": ("skill", "group", "space")[i % 3],
                "title": f"Garden share {i}",
                "themes": ["environment"],
                "lon": -2.32 + i * 0.0007,
                "lat": 51.23 - i * 0.0004,
                "share_modes": ["teach"] if i % 3 == 0 else [],
                "contact": "hello@example.org",
                "contact_via_coach": i % 2 == 0,
            }
            store.add_asset(session, validate_asset(raw), owner_id=None, cell_m=400.0)
        session.commit()
    yield app
    db.database(app).dispose()


@pytest.fixture
def admin_headers(fuzzed_app: Flask) -> dict[str, str]:
    return bearer(fuzzed_app, add_user(fuzzed_app, "ada@example.org", "admin", password=None))


def _inputs(item: dict[str, Any], method: str) -> bool:
    operation = item[method]
    return bool(item.get("parameters") or operation.get("parameters") or "requestBody" in operation)


# Input the document forbids can only be made for an operation that takes input.
CASES = [
    (path, method.upper(), mode)
    for path, item in PATHS.items()
    for method in item
    if method in METHODS
    for mode in GenerationMode
    if mode is GenerationMode.POSITIVE or _inputs(item, method)
]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "method", "mode"), CASES, ids=str)
def test_fuzzing_finds_no_server_error_and_no_answer_outside_the_document(
    fuzzed_app: Flask, admin_headers: dict[str, str], path: str, method: str, mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", fuzzed_app)
    operation = schema[path][method]
    # The in-process WSGI client does not undo Content-Encoding as an HTTP client would.
    headers = {"Accept-Encoding": "identity"}
    if method in {"POST", "PUT", "PATCH", "DELETE"}:
        headers.update(admin_headers)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def fuzz(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    fuzz()
