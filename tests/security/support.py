"""What the security probes share: apps of their own, a planted world, signed-in clients, snapshots.

Probes send requests that would change the world if they got through, and compare every row of
every table (and the evidence folder) before and after, so a probe that changes nothing proves
the door held.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text

from complaints import create_app
from complaints.extensions import db
from complaints.models import Attachment, Merchant, Notification, Role, SlaPolicy, WorkCalendar
from complaints.services import api_clients
from complaints.services.accounts import create_user
from complaints.services.attachments import Upload, attachment_path
from complaints.services.canned_replies import create_canned_reply
from complaints.services.lifecycle import apply_action
from complaints.services.saved_filters import save_filter
from complaints.services.shop_staff import invite_shop_staff
from complaints.services.work_calendars import add_calendar_day
from complaints.timekeeping import FrozenClock, install_clock
from complaints.timekeeping import now as clocks_now
from complaints.workflow import Action
from tests.files import pdf_bytes, png_bytes
from tests.support import PASSWORD, csrf_token_from, mediation_accepted
from tests.support import World as People

FROZEN_AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # as in tests/conftest.py
CSRF_REFUSAL = "This form has expired or was sent from elsewhere. Reload the page and try again."
PRIVATE = {  # in the title and description of each planted complaint
    "received": "SECRET-RECEIVED",
    "verified": "SECRET-VERIFIED",
    "mediated": "SECRET-MEDIATED",
    "resolved": "SECRET-RESOLVED",
    "rejected": "SECRET-REJECTED",
    "foreign": "SECRET-FOREIGN",  # other_consumer's
    "foreign_mediated": "SECRET-FOREIGN-MEDIATED",  # other_consumer's, referred to other_org_id
}
OWNER = {key: "other_consumer" if key.startswith("foreign") else "consumer" for key in PRIVATE}


def make_app(root: Path, database: str | None = None, config_name: str = "testing", **config) -> Flask:
    """A migrated app on its own database (SQLite under `root` unless `database` says otherwise)."""
    root.mkdir(parents=True, exist_ok=True)
    app = create_app(
        config_name,
        {
            "SQLALCHEMY_DATABASE_URI": database or f"sqlite:///{root / 'app.sqlite3'}",
            "ATTACHMENT_DIR": str(root / "attachments"),
            **config,
        },
    )
    install_clock(app, FrozenClock(FROZEN_AT))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    return app


def build_people(app: Flask) -> People:
    """tests.support's marketplace (one person per role) in `app`'s database."""
    with app.app_context():
        people = People.build()
        db.session.remove()
    return people


def dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            from flask_migrate import downgrade

            downgrade(revision="base")
        db.engine.dispose()


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD, **more):
    """Sign in through the login form (with its CSRF token when the app checks them)."""
    data = {"email": email, "password": password, **more}
    if client.application.config["WTF_CSRF_ENABLED"]:
        data["csrf_token"] = csrf_token_from(client.get("/login").text)
    response = client.post("/login", data=data)
    assert response.status_code == 302, f"could not sign in as {email}: {response.status_code}"
    return response


def token_of(client: FlaskClient) -> str:
    """A valid CSRF token of `client`'s session, read from a page as a browser would."""
    page = client.get("/notifications")
    if page.status_code != 200:  # anonymous
        page = client.get("/login")
    return csrf_token_from(page.text)


def snapshot(app: Flask) -> dict[str, list]:
    """Every row of every table and the stored evidence files."""
    with app.app_context():
        tables = app.extensions.setdefault("security.tables", inspect(db.engine).get_table_names())
        with db.engine.connect() as connection:
            state = {
                name: sorted(repr(tuple(row)) for row in connection.execute(text(f'SELECT * FROM "{name}"')))
                for name in tables
            }
    state["<attachment files>"] = stored_files(app)
    return state


def stored_files(app: Flask) -> list[str]:
    folder = Path(app.config["ATTACHMENT_DIR"])
    return sorted(str(p) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def differences(before: dict[str, list], after: dict[str, list]) -> list[str]:
    """The tables (and the evidence folder) whose content changed."""
    return [name for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]


SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def assert_security_headers(response, where: str) -> None:
    """nosniff on every response; on HTML also a CSP without inline script, no framing, a referrer policy."""
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    if response.mimetype != "text/html":
        return
    policy = headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    script = directives.get("script-src", directives.get("default-src"))
    assert script, (where, policy)
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, (where, policy)
    assert not {"*", "data:", "http:", "https:"} & set(script), (where, policy)
    assert directives.get("object-src") == ["'none'"], (where, policy)
    assert directives.get("frame-ancestors") == ["'none'"], (where, policy)
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") in SAFE_REFERRER_POLICIES, where


@dataclass
class Planted:
    """The world every probe of a module runs against, and the clients that probe it."""

    app: Flask
    people: People
    refs: dict[str, str]  # PRIVATE's keys -> complaint reference
    versions: dict[str, int]
    attachments: dict[str, int]  # PRIVATE's keys (those with evidence) -> attachment id
    attachment_bytes: dict[int, bytes]  # attachment id -> its content
    bystander_id: int  # a consumer nobody signs in as; the target of toggle_user
    policy_id: int
    calendar_id: int
    calendar_day_id: int
    invitation_id: int  # a pending invitation of a shop's staff member
    invitation_token: str
    notification_id: int  # one of the consumer's notifications
    payout_id: int  # a payout from the shop's deposit, waiting for the consumer's consent
    saved_filter_id: int  # a queue filter the supervisor saved
    canned_reply_id: int  # a canned reply the supervisor wrote
    sanction_id: int  # a measure proposed against the first shop, waiting for a supervisor
    report_slug: str  # a service report generated (the first quarter of 2026)
    api_client_id: int = 0  # an API client of the marketplace
    api_token_id: int = 0  # its live token
    webhook_id: int = 0  # a webhook endpoint of it
    delivery_id: int = 0  # a delivery to that endpoint
    _clients: dict[str | None, FlaskClient] = field(default_factory=dict)

    def email(self, role: str) -> str:
        return self.people.people[role].email

    def client(self, role: str | None) -> FlaskClient:
        """A client signed in as `role` (None: anonymous), kept for the module."""
        if role not in self._clients:
            self._clients[role] = self.fresh_client(role)
        return self._clients[role]

    def fresh_client(self, role: str | None) -> FlaskClient:
        client = self.app.test_client()
        if role is not None:
            sign_in(client, self.email(role))
        return client

    def url(self, endpoint: str, **values) -> str:
        with self.app.test_request_context():
            return url_for(endpoint, **values)

    def snapshot(self) -> dict[str, list]:
        return snapshot(self.app)


def _file(people: People, key: str, files=()) -> str:
    marker = PRIVATE[key]
    return people.file(
        consumer=OWNER[key],
        title=f"{marker} 耳机左耳没有声音",
        description=f"{marker}:三月一日收到的蓝牙耳机左耳没有声音。",
        files=list(files),
    )


def plant(app: Flask) -> Planted:
    """A consumer's complaint in each state, two of the other consumer's, evidence, a bystander."""
    with app.app_context():
        people = People.build()
        agent, mediator = people.user("agent"), people.user("mediator")
        refs = {
            "received": _file(people, "received", [Upload("receipt.png", png_bytes(255, 0, 0))]),
            "verified": _file(people, "verified"),
            "mediated": _file(people, "mediated", [Upload("invoice.pdf", pdf_bytes())]),
            "resolved": _file(people, "resolved"),
            "rejected": _file(people, "rejected"),
            # Settled in mediation at org_id, its agreement awaiting acceptance; no secret in it.
            "settled": people.file(title="调解达成协议的耳机投诉", description="经调解达成协议。"),
            # Referred to org_id: waiting for both parties' consent, and consented (waiting for it).
            "referred": people.file(title="等待双方同意调解的投诉", description="已转交调解，等待同意。"),
            "consented": people.file(title="双方已同意调解的投诉", description="双方已同意调解。"),
            "foreign": _file(people, "foreign", [Upload("other.png", png_bytes(0, 255, 0))]),
            "foreign_mediated": _file(
                people, "foreign_mediated", [Upload("theirs.png", png_bytes(0, 0, 255))]
            ),
        }
        held_at = FROZEN_AT - timedelta(hours=1)
        steps = [
            ("verified", agent, Action.VERIFY, {}),
            ("mediated", agent, Action.VERIFY, {}),
            ("mediated", agent, Action.ESCALATE, {"mediation_org_id": people.org_id, "reason": "调解"}),
            (
                "mediated",
                mediator,
                Action.RECORD_SESSION,
                {"held_at": held_at, "channel": "phone", "notes": "记录"},
            ),
            ("resolved", agent, Action.VERIFY, {}),
            ("resolved", agent, Action.RESOLVE, {"outcome": "upheld"}),
            ("rejected", agent, Action.REJECT, {"reason": "订单号无法核实"}),
            ("settled", agent, Action.VERIFY, {}),
            ("settled", agent, Action.ESCALATE, {"mediation_org_id": people.org_id, "reason": "调解"}),
            (
                "settled",
                mediator,
                Action.RECORD_OUTCOME,
                {
                    "outcome": "settled",
                    "note": "商家退款",
                    "payer": "shop",
                    "perform_by": FROZEN_AT.date() + timedelta(days=10),
                },
            ),
            # The shop's open offer on the received complaint, for the consumer's answers.
            (
                "received",
                people.user("merchant"),
                Action.PROPOSE_SETTLEMENT,
                {"kind": "repair", "terms": "免费维修", "perform_by": FROZEN_AT + timedelta(days=3)},
            ),
            ("referred", agent, Action.VERIFY, {}),
            ("referred", agent, Action.ESCALATE, {"mediation_org_id": people.org_id, "reason": "调解"}),
            ("consented", agent, Action.VERIFY, {}),
            ("consented", agent, Action.ESCALATE, {"mediation_org_id": people.org_id, "reason": "调解"}),
            ("consented", people.user("consumer"), Action.CONSENT_REFERRAL, {}),
            ("consented", people.user("merchant"), Action.CONSENT_REFERRAL, {}),
            ("foreign_mediated", agent, Action.VERIFY, {}),
            (
                "foreign_mediated",
                agent,
                Action.ESCALATE,
                {"mediation_org_id": people.other_org_id, "reason": "调解"},
            ),
        ]
        for key, user, action, params in steps:
            apply_action(people.complaint(refs[key]), user, action, **params)
            db.session.commit()
            if action is Action.ESCALATE and key not in ("referred", "consented"):  # consent, accept
                mediation_accepted(people.complaint(refs[key]))
        bystander = create_user(
            email="bystander@example.com", name="Bystander", password=PASSWORD, role=Role.CONSUMER
        )
        calendar = db.session.scalars(select(WorkCalendar).where(WorkCalendar.code == "CN")).one()
        declared = add_calendar_day(calendar, day=date(2026, 9, 27), is_working=True, note="调休上班")
        general = db.session.scalars(
            select(SlaPolicy).where(SlaPolicy.category_id.is_(None), SlaPolicy.major.is_(None))
        ).one()
        invitation, invitation_token = invite_shop_staff(
            db.session.get(Merchant, people.merchant_ids[0]),
            name="Invited Staff",
            email="invited-staff@example.com",
            actor=people.user("admin"),
        )
        db.session.commit()
        notification_id = db.session.scalars(
            select(Notification.id)
            .where(Notification.user_id == people.consumer.id)
            .order_by(Notification.id)
        ).first()
        assert notification_id is not None, "the planted actions tell the consumer something"
        saved_filter_id = save_filter(people.user("supervisor"), "Mine", {"queue": "mine"})[0].id
        db.session.commit()
        api_client = api_clients.create_client("Marketplace", "Ops", ["complaints:read"])
        api_clients.issue_token(api_client)
        db.session.commit()
        api_client_id, api_token_id = api_client.id, api_client.tokens[0].id
        from complaints.models import WebhookDelivery, WebhookEvent
        from complaints.services import webhooks

        endpoint = webhooks.add_endpoint(api_client, "https://ops.example.com/hook", ["complaint.filed"])
        event = WebhookEvent(
            public_id="evt_planted", type="complaint.filed", payload={}, created_at=clocks_now()
        )
        delivery = WebhookDelivery(event=event, endpoint_id=endpoint.id, status="failed", attempts=15)
        db.session.add_all([event, delivery])
        db.session.commit()
        webhook_id, delivery_id = endpoint.id, delivery.id
        canned_reply_id = create_canned_reply(
            people.user("supervisor"),
            title_zh="已收到",
            title_en="Received",
            body_zh="您的投诉 {reference} 已收到。",
            body_en="We have received {reference}.",
        ).id
        db.session.commit()
        from decimal import Decimal

        from complaints.services import deposit_payouts, deposits

        deposits.top_up(people.user("supervisor"), people.merchant_ids[0], Decimal("1000.00"), "planted")
        payout_id = deposit_payouts.request_payout(
            people.user("agent"), people.merchant_ids[0], refs["resolved"], Decimal("10.00"), "planted"
        ).id
        from complaints.models import Sanction, SanctionStatus, SanctionStep

        sanction = Sanction(
            merchant_id=people.merchant_ids[0],
            month=date(2026, 1, 1),
            step=SanctionStep.WARNING,
            proposed_step=SanctionStep.WARNING,
            status=SanctionStatus.PROPOSED,
            proposed_at=clocks_now(),
        )
        db.session.add(sanction)
        db.session.commit()
        from complaints.services import service_reports

        report = service_reports.generate(service_reports.ReportPeriod(2026, "quarter", 1))
        attachments, contents = {}, {}
        for key, ref in refs.items():
            for found in db.session.scalars(
                select(Attachment).where(Attachment.complaint_id == people.complaint(ref).id)
            ):
                attachments[key] = found.id
                contents[found.id] = attachment_path(found.stored_name).read_bytes()
        planted = Planted(
            app=app,
            people=people,
            refs=refs,
            versions={key: people.complaint(ref).version for key, ref in refs.items()},
            attachments=attachments,
            attachment_bytes=contents,
            bystander_id=bystander.id,
            policy_id=general.id,
            calendar_id=calendar.id,
            calendar_day_id=declared.id,
            invitation_id=invitation.id,
            invitation_token=invitation_token,
            notification_id=notification_id,
            payout_id=payout_id,
            saved_filter_id=saved_filter_id,
            canned_reply_id=canned_reply_id,
            sanction_id=sanction.id,
            report_slug=service_reports.period_of(report).slug,
            api_client_id=api_client_id,
            api_token_id=api_token_id,
            webhook_id=webhook_id,
            delivery_id=delivery_id,
        )
        db.session.remove()
    return planted
