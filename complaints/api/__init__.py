"""The integration API: /api/v1 (JSON, OpenAPI 3.1 at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

import http

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from complaints.api.schemas import Problem

PROBLEM_JSON = "application/problem+json"


class _Api(Api):
    """flask-smorest's Api without its application-wide error handlers: the API blueprint answers
    its own errors as problem details, and the web pages keep theirs."""

    ERROR_SCHEMA = Problem

    def _register_error_handlers(self):
        return None

    def _register_responses(self):
        """Every error response (each status's and the default) is documented as problem details."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = Problem
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem (RFC 9457) with a stable code", "schema": Problem}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def init_api(app: Flask) -> _Api:
    app.config.setdefault("API_TITLE", "PledgeDesk API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    from complaints.api.docs import bp as docs_bp
    from complaints.api.views import bp

    api = _Api(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(bp)
    app.register_blueprint(docs_bp)
    app.extensions["pledgedesk_api"] = api
    return api
