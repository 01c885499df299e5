"""Error pages: a clear message and the right status, never a stack trace."""

from __future__ import annotations

import contextlib
import logging

from flask import render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from complaints.extensions import db
from complaints.models.types import chinese_or_english
from complaints.workflow import Refusal

log = logging.getLogger(__name__)

_MESSAGES = {
    400: lambda: _("The request could not be understood."),
    403: lambda: _("You do not have access to this page."),
    404: lambda: _("We could not find that page or complaint."),
    405: lambda: _("That action is not possible on this page."),
    409: lambda: _("That action is not possible now."),
    413: lambda: _("The upload is too large. Each file may be at most 10 MB, and at most 5 files at a time."),
    429: lambda: _("Too many attempts. Wait a moment and try again."),
    500: lambda: _("Something went wrong on our side. Nothing was saved; please try again."),
    503: lambda: _("The service is busy for a moment. Nothing was saved; please try again in a few seconds."),
}


def translated(problem) -> str:
    """A Refusal's or InvalidUpload's message in the viewer's language, states by their labels,
    and a name given with its English form (`name` and `name_en`) in the viewer's form."""
    from complaints.web.labels import STATE, label
    from complaints.workflow import State

    params = dict(problem.params)
    for key in [k for k in params if k.endswith("_en")]:
        params[key[:-3]] = chinese_or_english(str(get_locale()), params.get(key[:-3]), params.pop(key))
    if "state" in params:
        with contextlib.suppress(ValueError):  # not a state: shown as given
            params["state"] = label(STATE, State(params["state"])).lower()
    return _(problem.template, **params)


def render_error(status: int, message: str | None = None):
    db.session.rollback()
    body = render_template(
        "errors/error.html", status=status, message=message or _MESSAGES.get(status, _MESSAGES[500])()
    )
    response = (body, status)
    if status == 503:
        return body, status, {"Retry-After": "5"}
    return response


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(
            400, _("This form has expired or was sent from elsewhere. Reload the page and try again.")
        )

    @app.errorhandler(Refusal)
    def refusal(exc: Refusal):
        return render_error(409, translated(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/v1/"):  # no API route matched: still a problem detail
            from complaints.api.problems import http_problem

            return http_problem(exc)
        code = exc.code or 500
        if code not in _MESSAGES:
            code = 400 if 400 <= code < 500 else 500
        return render_error(code)

    @app.errorhandler(OperationalError)
    def database_unavailable(exc):
        log.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
        return render_error(503)

    @app.errorhandler(Exception)
    def unexpected(exc):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
