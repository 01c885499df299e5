"""RFC 9457 problem details for the API, each with a stable `code`. Registered on the API
blueprint only: the web pages keep their own error pages."""

from __future__ import annotations

from flask import Blueprint, Response, json
from werkzeug.exceptions import HTTPException

from complaints.extensions import db
from complaints.services.errors import ComplaintNotFound, InvalidUpload, StaleComplaint
from complaints.workflow import Refusal

PROBLEM_TYPE = "https://pledgedesk.example/problems/"
_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
}


class ApiProblem(Exception):
    def __init__(self, status: int, code: str, detail: str, **extra):
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra


def problem(status: int, code: str, detail: str, headers: dict | None = None, **extra) -> Response:
    body = {"type": PROBLEM_TYPE + code, "title": code.replace("_", " "), "status": status, "code": code}
    body.update(detail=detail, **extra)
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register(bp: Blueprint) -> None:
    @bp.errorhandler(ApiProblem)
    def _api_problem(exc: ApiProblem):
        db.session.rollback()
        return problem(exc.status, exc.code, exc.detail, **exc.extra)

    @bp.errorhandler(ComplaintNotFound)
    def _not_found(exc):
        return problem(404, "complaint_not_found", "No such complaint, or not one you may see.")

    @bp.errorhandler(StaleComplaint)
    def _stale(exc):
        db.session.rollback()
        return problem(409, "version_conflict", exc.message)

    @bp.errorhandler(Refusal)
    def _refused(exc):
        db.session.rollback()
        return problem(409, "action_refused", exc.message)

    @bp.errorhandler(InvalidUpload)
    def _invalid_upload(exc):
        db.session.rollback()
        return problem(400, "invalid_upload", str(exc))

    bp.errorhandler(HTTPException)(http_problem)


def http_problem(exc: HTTPException) -> Response:
    """An HTTP error as a problem detail; webargs' validation errors a 400 naming each field."""
    status = exc.code or 500
    code = _CODES.get(status, "error")
    headers = {}
    if status == 429:
        headers["Retry-After"] = str(getattr(exc, "retry_after", None) or 60)
    messages = (getattr(exc, "data", None) or {}).get("messages")
    if status in (400, 422) and messages:  # webargs' validation errors: a 400 naming each field
        fields, unreadable = {}, False
        for found in messages.values():
            if isinstance(found, dict):
                fields.update(found)
            else:  # the body itself could not be read ({"json": ["Invalid JSON body."]})
                unreadable = True
        if unreadable and not fields:
            return problem(400, "invalid_body", "The request body is not valid JSON.")
        return problem(400, "invalid_input", "Some fields are missing or invalid.", errors=fields)
    return problem(status, code, exc.description or code, headers)
