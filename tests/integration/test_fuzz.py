"""Hostile input against every URL and every form, as every role: never a 5xx, and a refused
request changes nothing.

Hypothesis draws an endpoint of app.url_map, a method, a role, values for each path parameter,
query parameters and form fields (every field name of every form of the app), mixing real values
(references, ids, a valid CSRF token) with hostile ones: huge and negative integers, CR/LF, NUL,
overlong strings, odd Unicode, impossible dates, lying files. Each request must answer below 500;
each that is refused (4xx) must leave every row of the database as it was.

Bounded in `make test` (FUZZ_EXAMPLES, default 150); `make fuzz` runs a long search. Runs on
SQLite and, under `make test-postgres`, on PostgreSQL.
"""

from __future__ import annotations

import inspect as pyinspect
import io
import os
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage

from complaints import create_app
from complaints.extensions import db
from complaints.timekeeping import FrozenClock, install_clock
from tests.conftest import _database_url
from tests.integration.test_authorization_matrix import FROZEN_AT, build_world, changed_tables, snapshot
from tests.support import PASSWORD, csrf_token_from
from tests.support import World as People

ROLES = ("anonymous", "consumer", "agent", "supervisor", "mediator", "merchant", "admin")
# Requests that end the session the fuzz signs in with, or that only a user's own browser sends.
SKIPPED = {"auth.logout", "auth.account_delete", "static"}

HOSTILE_TEXT = [
    "99999999999999999999999",
    "-1",
    "0",
    str(2**31),
    str(2**63),
    "1e308",
    "NaN",
    "１２３",
    "1_000",
    "0.001",
    "1.2345678901",
    "/portal/complaints\r\nSet-Cookie: x=1",
    "a\x00b",
    "\r\n",
    "x" * 5000,
    "退" * 3000,
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2026-02-30",
    "2026-01-01T00:00:00|99999999999999999999999",
    "d:2026-03-02T02:00:00+00:00_99999999999999999999",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '"退款" NEAR(a b) *',
    "\u202e\ufeff\u200b",
    "𝕏😀",
    "../../etc/passwd",
    "//evil.example/",
    "",
    " ",
]
HOSTILE_FILES = [
    b"",
    b"%PDF-1.4\n/OpenAction << /S /JavaScript >>",
    b"\x89PNG\r\n\x1a\n",
    b"\x00" * 100,
    b"GIF89a",
]


FORM_MODULES = {
    "admin": ("complaints.admin.forms", "complaints.admin.pledge_forms", "complaints.admin.api_client_forms"),
    "auth": ("complaints.auth.forms", "complaints.auth.account_forms"),
    "desk": ("complaints.desk.forms", "complaints.web.agreement_forms", "complaints.web.referral_forms"),
    "mediation": (
        "complaints.mediation.forms",
        "complaints.web.agreement_forms",
        "complaints.mediation.referral_forms",
    ),
    "merchant": (
        "complaints.merchant.forms",
        "complaints.web.agreement_forms",
        "complaints.web.referral_forms",
    ),
    "portal": (
        "complaints.portal.forms",
        "complaints.deposits.forms",
        "complaints.web.agreement_forms",
        "complaints.web.referral_forms",
    ),
    "files": (),
    "deposits": ("complaints.deposits.forms",),
    "reputation": ("complaints.reputation.forms",),
    "reports": ("complaints.reports.forms",),
    "scorecard": (),
    # The JSON API takes JSON bodies (marshmallow schemas), not forms; schemathesis fuzzes it.
    "api": (),
    "api_docs": (),
    "api-docs": (),
}
ALWAYS = ("next", "page", "after", "before", "version", "csrf_token")


def _field_names(module_names) -> set[str]:
    """Every field name of every form class in the named modules."""
    import importlib

    from flask_wtf import FlaskForm

    names = set()
    for module_name in module_names:
        for _, cls in pyinspect.getmembers(importlib.import_module(module_name), pyinspect.isclass):
            if issubclass(cls, FlaskForm) and cls is not FlaskForm:
                for klass in cls.__mro__:
                    names.update(name for name, value in vars(klass).items() if hasattr(value, "field_class"))
    return names


FIELDS_BY_AREA = {area: sorted(_field_names(modules) | set(ALWAYS)) for area, modules in FORM_MODULES.items()}
FILE_FIELDS = ("evidence", "reply_files", "attachments", "files", "answer_files", "message_files")


class Fuzz:
    def __init__(self, app, world):
        self.app, self.world = app, world
        self.clients = {}
        self.tokens = {}
        self.names = {}
        with app.app_context():
            self.real = {
                "reference": list(world.refs.values()),
                "int": [str(v) for v in (world.merchant_id, world.category_id, world.org_id, world.policy_id)]
                + [str(v) for v in world.attachments.values()],
            }

    def names_on_page(self, endpoint: str, rule: str, role: str) -> list[str]:
        """The parameter names a page sends (its forms' fields, its links' query keys), read from
        the page as `role` sees it with real path values; remembered."""
        key = (endpoint, role)
        if key not in self.names:
            path = _ARGUMENT.sub(
                lambda m: self.real["int"][0] if m["converter"] == "int" else self.real["reference"][0], rule
            )
            response = self.client(role).get(path)
            html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            found = set(re.findall(r'name="(\w+)"', html)) | set(re.findall(r"[?&;](\w+)=", html))
            self.names[key] = sorted((found - {"csrf_token"}) | set(ALWAYS)) if found else []
        return self.names[key]

    def client(self, role: str):
        if role not in self.clients:
            client = self.app.test_client()
            if role != "anonymous":  # tests.support.World names each account <role>@example.com
                response = client.post("/login", data={"email": f"{role}@example.com", "password": PASSWORD})
                assert response.status_code == 302, role
            self.tokens[role] = csrf_token_from(client.get("/login").get_data(as_text=True))
            self.clients[role] = client
        return self.clients[role]


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": _database_url(root), "ATTACHMENT_DIR": str(root / "attachments")},
    )
    install_clock(app, FrozenClock(FROZEN_AT))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        world = build_world(People.build())
        db.session.remove()
    yield Fuzz(app, world)
    with app.app_context():
        db.session.remove()
        if os.environ.get("TEST_DATABASE_URL"):
            from flask_migrate import downgrade

            downgrade(revision="base")
        db.engine.dispose()


_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
HOSTILE_NUMBERS = ["99999999999999999999999", str(2**31), str(2**63), "-1", "0", "1e308", "１２３", "0.001"]
hostile = st.one_of(st.sampled_from(HOSTILE_NUMBERS), st.sampled_from(HOSTILE_TEXT), st.text(max_size=40))
ACTIONS = [
    "reply",
    "verify",
    "reject",
    "resolve",
    "escalate",
    "session",
    "outcome",
    "withdraw",
    "appeal",
    "note",
]


def _cases():
    """(endpoint, rule, method, role): every URL of the app, every method, every role."""
    real = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    for rule in sorted(real.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint in SKIPPED:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role in ROLES:
                yield pytest.param(rule.rule, rule.endpoint, method, role, id=f"{method} {rule.rule} {role}")


@pytest.mark.parametrize(("rule", "endpoint", "method", "role"), list(_cases()))
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 4)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=os.environ.get("FUZZ_RANDOM") is None,
)
@given(data=st.data())
def test_no_hostile_request_reaches_a_500_or_changes_anything_when_refused(
    fuzz, rule, endpoint, method, role, data
):
    fields = FIELDS_BY_AREA[endpoint.split(".")[0]]
    if method == "GET":  # the names this page itself sends: its forms' fields, its links' parameters
        fields = fuzz.names_on_page(endpoint, rule, role) or fields

    def argument(match: re.Match) -> str:
        converter, name = match["converter"], match["name"]
        real = (
            fuzz.real["int"] if converter == "int" else fuzz.real["reference"] if name == "reference" else []
        )
        real = ACTIONS if name == "action" else real
        value = data.draw(st.one_of(st.sampled_from(real), hostile) if real else hostile, label=name)
        return quote(value, safe="") or "x"

    path = _ARGUMENT.sub(argument, rule)
    client = fuzz.client(role)
    kwargs = {
        "query_string": data.draw(
            st.dictionaries(st.sampled_from(fields), hostile, max_size=6), label="query"
        )
    }
    ignore = frozenset({"users.failed_logins", "users.locked_until"})
    # A refused filing keeps the valid files chosen, for the next attempt (pending uploads, beside
    # the evidence folder; tests/integration/test_consumer_workspace*.py): the one change it may make.
    may_change = {"pending_uploads"} if endpoint == "portal.new_complaint" else set()
    if method == "POST":
        form = data.draw(
            st.dictionaries(st.sampled_from(fields), hostile, min_size=1, max_size=12), label="form"
        )
        if data.draw(st.booleans(), label="with csrf"):
            form["csrf_token"] = fuzz.tokens[role]
        for name in FILE_FIELDS:
            if name in form:
                content = data.draw(st.sampled_from(HOSTILE_FILES), label="file")
                form[name] = FileStorage(io.BytesIO(content), filename=form[name][:100] or "x.pdf")
        kwargs["data"] = form
        before = snapshot(fuzz.app, ignore=ignore)
    response = client.open(path, method=method, **kwargs)
    assert response.status_code < 500, f"{method} {path} as {role}: {response.status_code}"
    if method == "POST" and response.status_code >= 400:
        after = snapshot(fuzz.app, ignore=ignore)
        assert [t for t in changed_tables(before, after) if t not in may_change] == [], (
            f"{method} {path} as {role} was refused but changed the world"
        )
