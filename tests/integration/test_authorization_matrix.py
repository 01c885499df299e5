"""The authorization matrix: every role against every endpoint, each cell its own test.

The world is built once for the module (its own database): a consumer's complaint in each state
(the mediated one referred to world.org_id, with evidence, an internal note, a question to the
merchant and a mediation session), another consumer's complaint, and a bystander account. Refused
requests carry a form that would change the world if it got through, and the whole database and
the evidence folder are compared before and after; requests that are let in carry an invalid
form, so the shared world never changes. The table lives in authz_cases.py, and a new endpoint
fails test_every_endpoint_has_a_decision_for_every_role until someone decides who may use it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from sqlalchemy import inspect, select

from complaints import create_app
from complaints.extensions import db
from complaints.models import Attachment, Notification, Role, SlaPolicy, User, WorkCalendar
from complaints.services.accounts import create_user
from complaints.services.attachments import Upload
from complaints.services.lifecycle import apply_action
from complaints.services.work_calendars import add_calendar_day
from complaints.timekeeping import FrozenClock, install_clock
from complaints.workflow import Action
from tests.conftest import _database_url
from tests.integration import authz_cases as table
from tests.integration.authz_cases import (
    ANONYMOUS,
    CASES,
    INTERNAL_NOTE,
    MERCHANT_QUESTION,
    NEVER_SHOWN_TO,
    PRIVATE,
    ROLES,
    SESSION_NOTES,
    Case,
    tiny_png,
)
from tests.support import PASSWORD, mediation_accepted
from tests.support import World as People

TINY_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FROZEN_AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # as in tests/conftest.py
SESSION_COOKIE = "session"  # Flask's default SESSION_COOKIE_NAME; config.py keeps it


@dataclass
class Matrix:
    app: Flask
    world: table.World
    emails: dict[str, str]
    template: Path | None  # a copy of the planted SQLite database and evidence folder
    sessions: dict[str, str] = field(default_factory=dict)  # role -> signed session cookie

    def url(self, case: Case) -> str:
        with self.app.test_request_context():
            return url_for(case.endpoint, **case.values(self.world))

    def fork(self, folder: Path) -> Flask:
        """A second app on a private copy of the planted world, for requests that change it."""
        if self.template is None:
            pytest.skip("forking the world copies its SQLite file")
        shutil.copytree(self.template, folder, dirs_exist_ok=True)
        app = create_app(
            "testing",
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'world.sqlite3'}",
                "ATTACHMENT_DIR": str(folder / "attachments"),
            },
        )
        install_clock(app, FrozenClock(FROZEN_AT))
        return app


def _file(people: People, key: str, consumer: str = "consumer", files=()) -> str:
    marker = PRIVATE[key]
    return people.file(
        consumer=consumer,
        title=f"{marker} 耳机左耳没有声音",
        description=f"{marker}:三月一日收到的蓝牙耳机左耳没有声音。",
        files=list(files),
    )


def build_world(people: People) -> table.World:
    """Plant the complaints, texts and files the matrix looks for; every change through the services."""
    agent, mediator = people.user("agent"), people.user("mediator")
    refs = {
        "received": _file(people, "received", files=[Upload("receipt.png", tiny_png())]),
        "verified": _file(people, "verified"),
        "mediated": _file(people, "mediated", files=[Upload("invoice.pdf", TINY_PDF)]),
        "resolved": _file(people, "resolved"),
        "rejected": _file(people, "rejected"),
        "foreign": _file(
            people, "foreign", consumer="other_consumer", files=[Upload("other.png", tiny_png())]
        ),
    }
    steps = [
        ("verified", agent, Action.VERIFY, {}),
        ("mediated", agent, Action.VERIFY, {}),
        ("mediated", agent, Action.NOTE, {"body": INTERNAL_NOTE}),
        ("mediated", agent, Action.REQUEST_INFO, {"party": "merchant", "body": MERCHANT_QUESTION}),
        ("mediated", agent, Action.ESCALATE, {"mediation_org_id": people.org_id, "reason": "调解"}),
        (
            "mediated",
            mediator,
            Action.RECORD_SESSION,
            {"held_at": FROZEN_AT - timedelta(hours=1), "channel": "phone", "notes": SESSION_NOTES},
        ),
        ("resolved", agent, Action.VERIFY, {}),
        ("resolved", agent, Action.RESOLVE, {"outcome": "upheld"}),
        ("rejected", agent, Action.REJECT, {"reason": "订单号无法核实"}),
        # The shop's offer on the received complaint (offer 1), which the consumer may answer.
        (
            "received",
            people.user("merchant"),
            Action.PROPOSE_SETTLEMENT,
            {"kind": "repair", "terms": "免费维修", "perform_by": FROZEN_AT + timedelta(days=3)},
        ),
    ]
    for key, user, action, params in steps:
        apply_action(people.complaint(refs[key]), user, action, **params)
        db.session.commit()
        if action is Action.ESCALATE:  # both parties consent and the organisation accepts
            mediation_accepted(people.complaint(refs[key]))
    people.user("consumer").phone = table.CONSUMER_PHONE
    bystander = create_user(
        email="bystander@example.com", name="Bystander", password=PASSWORD, role=Role.CONSUMER
    )
    calendar = db.session.scalars(select(WorkCalendar).where(WorkCalendar.code == "CN")).one()
    declared = add_calendar_day(calendar, day=date(2026, 9, 27), is_working=True, note="调休上班")
    general, major = (
        db.session.scalars(
            select(SlaPolicy).where(SlaPolicy.category_id.is_(None), SlaPolicy.major.is_(size))
        ).one()
        for size in (None, True)
    )
    from complaints.services import api_clients

    api_client = api_clients.create_client("Order pages", "Ops", ["consumers:act"])
    db.session.commit()
    attachments, contents = {}, {}
    for key in ("received", "mediated", "foreign"):
        [found] = db.session.scalars(
            select(Attachment).where(Attachment.complaint_id == people.complaint(refs[key]).id)
        )
        attachments[key] = found.id
        contents[key] = TINY_PDF if key == "mediated" else tiny_png()
    return table.World(
        refs=refs,
        versions={key: people.complaint(ref).version for key, ref in refs.items()},
        attachments=attachments,
        attachment_bytes=contents,
        merchant_id=people.merchant_ids[0],
        category_id=people.category_ids[0],
        other_category_id=people.category_ids[1],
        org_id=people.org_id,
        other_org_id=people.other_org_id,
        agent2_id=people.agent2.id,
        bystander_id=bystander.id,
        policy_id=general.id,
        major_policy_id=major.id,
        calendar_id=calendar.id,
        calendar_day_id=declared.id,
        api_client_id=api_client.id,
        notification_id=db.session.scalars(
            select(Notification.id)
            .where(
                Notification.user_id == people.consumer.id,
                Notification.complaint_id == people.complaint(refs["received"]).id,
            )
            .order_by(Notification.id)
        ).first(),
    )


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    """One app and one planted world for the whole module (cells never change it)."""
    root = tmp_path_factory.mktemp("authorization_matrix")
    database = _database_url(root)
    app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": database, "ATTACHMENT_DIR": str(root / "attachments")}
    )
    install_clock(app, FrozenClock(FROZEN_AT))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        people = People.build()
        world = build_world(people)
        emails = {role: people.people[role].email for role in ROLES if role != ANONYMOUS}
        db.session.remove()
        db.engine.dispose()  # the last connection to close folds the WAL into the file
    template = None
    if database.startswith("sqlite:///"):
        template = tmp_path_factory.mktemp("authorization_matrix_template")
        shutil.copyfile(database.removeprefix("sqlite:///"), template / "world.sqlite3")
        shutil.copytree(root / "attachments", template / "attachments")
    yield Matrix(app, world, emails, template)
    with app.app_context():
        db.session.remove()
        if os.environ.get("TEST_DATABASE_URL"):
            from flask_migrate import downgrade

            downgrade(revision="base")
        db.engine.dispose()


def snapshot(app: Flask, ignore: frozenset[str] = frozenset()) -> dict[str, list]:
    """Every row of every table (minus `ignore`d "table.column"s) and the stored evidence files.

    Read through the driver directly: the ORM would cost more than the requests under test.
    """
    with app.app_context():
        tables = app.extensions.setdefault("authz_tables", inspect(db.engine).get_table_names())
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            state: dict[str, list] = {}
            for name in tables:
                cursor.execute(f'SELECT * FROM "{name}"')
                columns = [column[0] for column in cursor.description]
                kept = [i for i, column in enumerate(columns) if f"{name}.{column}" not in ignore]
                state[name] = sorted((tuple(row[i] for i in kept) for row in cursor.fetchall()), key=repr)
        finally:
            connection.close()
    folder = Path(app.config["ATTACHMENT_DIR"])
    state["<attachment files>"] = sorted(str(p) for p in folder.rglob("*")) if folder.exists() else []
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]


def sign_in_on_fork(client, matrix: Matrix, role: str) -> None:
    """Sign in on a forked world: it holds the session tokens of the template, not the live ones
    (a sign-out in an earlier cell ended that role's sessions on the live world only)."""
    if role != ANONYMOUS:
        response = client.post("/login", data={"email": matrix.emails[role], "password": PASSWORD})
        assert response.status_code == 302, f"{role} could not sign in"


def sign_in(client, matrix: Matrix, role: str) -> None:
    """Sign in through the login form once per role; later clients reuse that session cookie."""
    if role == ANONYMOUS:
        return
    cookie = matrix.sessions.get(role)
    if cookie is None:
        response = client.post("/login", data={"email": matrix.emails[role], "password": PASSWORD})
        assert response.status_code == 302, f"{role} could not sign in"
        matrix.sessions[role] = client.get_cookie(SESSION_COOKIE).value
    else:
        client.set_cookie(SESSION_COOKIE, cookie)


def _cells():
    for case in CASES:
        for role in ROLES:
            marks = []
            if role in case.bugs:
                marks.append(pytest.mark.xfail(strict=True, reason=f"bug: {case.bugs[role]}"))
            yield pytest.param(case, role, id=f"{case.id}-{role}", marks=marks)


@pytest.mark.parametrize(("case", "role"), list(_cells()))
def test_each_role_gets_exactly_the_access_the_table_grants(matrix, case: Case, role: str, request):
    """One cell: the exact status (and redirect), nothing changed by a refused or invalid request,
    and no text the role may not read on the page it gets."""
    expected = case.expect[role]
    url = matrix.url(case)
    if case.method == "GET":
        client = matrix.app.test_client()
        sign_in(client, matrix, role)
        response = client.get(url)
    elif not expected.refused and case.probe is None and case.attack_by == role:
        # A let-in request with no form to get wrong really changes the world: on a private copy.
        app = matrix.fork(request.getfixturevalue("tmp_path"))
        client = app.test_client()
        sign_in_on_fork(client, matrix, role)
        response = client.post(url, data=case.attack(matrix.world))
        with app.app_context():
            db.engine.dispose()
    else:
        client = matrix.app.test_client()
        sign_in(client, matrix, role)
        payload = case.attack if expected.refused else case.probe
        before = snapshot(matrix.app, case.may_change)
        response = client.post(url, data=payload(matrix.world) if payload else {})
        after = snapshot(matrix.app, case.may_change)
        assert changed_tables(before, after) == [], f"{role}'s {case.method} {url} changed the database"

    if case.endpoint == "auth.logout":
        matrix.sessions.pop(role, None)  # that session is over; the next cell signs in again
    shown = f"{response.status_code} -> {response.location}" if response.location else response.status_code
    assert response.status_code == expected.status, (
        f"{role} {case.method} {url}: got {shown}, want {expected}"
    )
    if expected.location:
        assert urlsplit(response.location).path == expected.location.format(**vars(matrix.world))
    if response.mimetype in ("text/html", "application/json"):
        page = response.get_data(as_text=True)
        leaked = [secret for secret in NEVER_SHOWN_TO[role] if secret in page]
        assert leaked == [], f"{role} sees {leaked} on {case.method} {url}"
        for wanted in case.shows.get(role, ()):
            assert wanted in page, f"{role} should see {wanted!r} on {url}"
    if case.endpoint == "files.attachment" and response.status_code == 200:
        assert response.data in matrix.world.attachment_bytes.values()
        assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("case", [c for c in CASES if c.attack_by], ids=lambda c: c.id)
def test_each_refused_request_would_have_changed_the_world_if_let_through(matrix, case: Case, tmp_path):
    """The control of the matrix: the attack the refused roles send really changes the database
    when a role that may send it does, so "nothing changed" above means the door held."""
    app = matrix.fork(tmp_path)
    client = app.test_client()
    sign_in_on_fork(client, matrix, case.attack_by)
    before = snapshot(app)
    response = client.post(matrix.url(case), data=case.attack(matrix.world))
    assert response.status_code == 302, f"{case.attack_by}'s {case.id} was not accepted"
    assert changed_tables(before, snapshot(app)) != []
    with app.app_context():
        db.engine.dispose()


# --- sessions that should have ended ------------------------------------------------------------


def _signed_in_cookie(app: Flask, email: str, password: str = PASSWORD) -> str:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302
    return client.get_cookie(SESSION_COOKIE).value


def _client_with(app: Flask, cookie: str):
    client = app.test_client()
    client.set_cookie(SESSION_COOKIE, cookie)
    return client


def test_a_deactivated_account_loses_access_with_the_session_it_already_had(matrix, tmp_path):
    app = matrix.fork(tmp_path)
    agent = _client_with(app, _signed_in_cookie(app, matrix.emails["agent"]))
    admin = _client_with(app, _signed_in_cookie(app, matrix.emails["admin"]))
    with app.app_context():
        agent_id = db.session.scalars(select(User.id).where(User.email == matrix.emails["agent"])).one()
    assert admin.post(f"/admin/users/{agent_id}/active", data={"active": "0"}).status_code == 302
    response = agent.get("/desk/")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/login"


def test_a_session_cookie_copied_before_signing_out_no_longer_signs_anyone_in(matrix, tmp_path):
    app = matrix.fork(tmp_path)
    cookie = _signed_in_cookie(app, matrix.emails["consumer"])
    browser = _client_with(app, cookie)
    assert browser.post("/logout").status_code == 302
    assert browser.get("/portal/complaints").status_code == 302  # the browser itself is signed out
    response = _client_with(app, cookie).get("/portal/complaints")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/login"


def test_changing_the_password_ends_the_sessions_opened_with_the_old_one(matrix, tmp_path):
    app = matrix.fork(tmp_path)
    elsewhere = _signed_in_cookie(app, matrix.emails["consumer"])  # e.g. a stolen or forgotten session
    here = _client_with(app, _signed_in_cookie(app, matrix.emails["consumer"]))
    new = "fresh-horse-2026"
    changed = here.post("/account/password", data={"pw-current": PASSWORD, "pw-new": new, "pw-repeat": new})
    assert changed.status_code == 302
    response = _client_with(app, elsewhere).get("/portal/complaints")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/login"


def test_every_endpoint_has_a_decision_for_every_role():
    """A new endpoint (or a new method on one) cannot ship until this table says who may use it."""
    served = {
        (rule.endpoint, method)
        for rule in create_app("testing").url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    decided = {(case.endpoint, case.method) for case in CASES}
    undecided = sorted(served - decided)
    assert undecided == [], f"endpoints nobody decided on, add them to authz_cases.py: {undecided}"
    gone = sorted(decided - served)
    assert gone == [], f"the table names endpoints the app no longer has: {gone}"
    for case in CASES:
        assert set(case.expect) == set(ROLES), f"{case.id} does not decide for every role"
        if case.method == "POST":
            refused = [role for role, outcome in case.expect.items() if outcome.refused]
            assert case.attack is not None or not refused or case.endpoint == "auth.logout", case.id


def test_every_complaint_action_of_every_area_is_in_the_table():
    """An action is an endpoint too: each one the portal, desk or mediation area accepts is decided."""
    from complaints.desk.forms import ACTION_FORMS as DESK_ACTIONS
    from complaints.mediation.forms import ACTION_FORMS as MEDIATION_ACTIONS
    from complaints.portal.views import ACTIONS as PORTAL_ACTIONS

    for endpoint, accepted in (
        ("portal.act", PORTAL_ACTIONS),
        ("desk.act", DESK_ACTIONS),
        ("mediation.act", MEDIATION_ACTIONS),
    ):
        decided = {case.variant for case in CASES if case.endpoint == endpoint}
        assert sorted(set(accepted) - decided) == [], f"{endpoint} actions missing from the table"


def test_other_peoples_complaints_are_a_404_in_every_row_of_the_table():
    """The IDOR rows: another consumer, another organisation's mediator, an admin never reach a
    consumer's complaint or its evidence, and learn nothing from the status (404, not 403)."""
    sample = _sample_world()
    for case in CASES:
        reference = case.values(sample).get("reference", "")
        if case.endpoint.startswith("portal.") and reference.startswith("consumer-"):
            assert case.expect["other_consumer"] == table.NOT_FOUND, case.id
        if case.endpoint.startswith("mediation.") and reference:
            assert case.expect["other_mediator"] == table.NOT_FOUND, case.id
        if case.endpoint == "files.attachment":
            assert case.expect["other_mediator"] == table.NOT_FOUND, case.id
            assert case.expect["admin"] in (table.NOT_FOUND, table.FORBIDDEN), case.id
            if reference.startswith("consumer-"):
                assert case.expect["other_consumer"] == table.NOT_FOUND, case.id


def _sample_world() -> table.World:
    keys = list(PRIVATE)
    return table.World(
        refs={k: ("other-" if k == "foreign" else "consumer-") + k for k in keys},
        versions=dict.fromkeys(keys, 1),
        attachments={"received": 1, "mediated": 2, "foreign": 3},
        attachment_bytes={},
        merchant_id=1,
        category_id=1,
        other_category_id=2,
        org_id=1,
        other_org_id=2,
        agent2_id=1,
        bystander_id=1,
        policy_id=1,
        major_policy_id=2,
        calendar_id=1,
        calendar_day_id=1,
    )
