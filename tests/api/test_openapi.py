"""The OpenAPI document describes every route of the API, and the API keeps to it."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

API = "/api/v1"


def _document(client) -> dict:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def test_the_document_is_openapi_3_with_the_bearer_scheme(client):
    document = _document(client)
    assert document["openapi"].startswith("3.0")
    assert document["info"]["title"] and document["info"]["version"] == "v1"
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearerAuth": []}]
    # What cases never carry, said where a client's developer reads it.
    assert "never carry a phone number" in document["info"]["description"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["responses"], (path, method)
            for status, answer in operation["responses"].items():
                if status not in ("204",):
                    assert "$ref" in answer or "content" in answer, (path, method, status)
    for name, schema in document["components"]["schemas"].items():
        assert schema.get("type") == "object" and schema.get("properties"), name
    case_fields = set(document["components"]["schemas"]["CaseOut"]["properties"])
    assert not case_fields & {"phone", "name", "pseudonym", "body", "messages", "notes", "media", "outcome"}


def test_every_api_route_is_in_the_document(app, client):
    documented = {(path, method.upper()) for path, operations in _document(client)["paths"].items()
                  for method in operations if method != "parameters"}
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API + "/") or rule.endpoint.startswith("api-docs."):
            continue
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
        routed |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed and routed == documented


@pytest.mark.parametrize("role", ["admin", "factory_manager", "buyer"])
def test_the_api_keeps_to_its_document(app, api, summaries_answer, role):
    """Generated requests of every operation, with a valid token: no 500, and every answer
    (status, content type, body, headers) as the document says."""
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    headers = api.headers(role)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 12

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=headers)

        check()
