"""schemathesis against the live OpenAPI document (issue 14): every operation, a few generated
requests each, as a client acting for a consumer with every scope; no 5xx, and every response is
the one the document describes (status, content type, body schema)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from complaints import create_app
from tests.api_support import ALL, headers, make_client

MAX_EXAMPLES = int(__import__("os").environ.get("SCHEMA_EXAMPLES", 5))


# The document is generated from the code alone: read it from an app without data, then send each
# case to the test's own app (a migrated database with a consumer and one complaint).
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
)


@pytest.fixture
def api(app, world):
    world.file()  # one complaint, so that reading some reference can find one
    return app, headers(make_client(world, ALL), f"consumer:{world.consumer.id}")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, api):
    app, sent = api
    case.call_and_validate(
        app=app,
        headers={**(case.headers or {}), **sent},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
