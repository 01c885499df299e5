"""The application's endpoints as the probes see them, read from app.url_map at collection time.

Every route becomes one or more Requests: a URL filled in from the planted world and, for a
POST, a form that would change that world if it got through (an "attack"). Endpoints that take
an <action> are expanded into one Request per action, from the tables the views dispatch on, so
a new route or a new action is probed without anyone adding it here. A route with a URL argument
this module does not know fails its probes with a message saying what to teach it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from tests.files import png_bytes
from tests.security.support import Planted

ATTACK_TEXT = "SECURITY-PROBE this must never be stored"


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: str
    methods: frozenset[str]
    arguments: frozenset[str]


@cache
def routes() -> tuple[Route, ...]:
    """Every route of the application (without HEAD/OPTIONS and static files)."""
    from complaints import create_app

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = frozenset(rule.methods - {"HEAD", "OPTIONS"})
        found.append(Route(rule.endpoint, rule.rule, methods, frozenset(rule.arguments)))
    return tuple(sorted(found, key=lambda r: (r.rule, r.endpoint)))


def actions_of(endpoint: str) -> tuple[str, ...] | None:
    """The <action>s an endpoint dispatches on, from the view's own table."""
    from complaints.desk.forms import ACTION_FORMS as DESK
    from complaints.mediation.forms import ACTION_FORMS as MEDIATION
    from complaints.mediation.referral_forms import MEDIATOR_FORMS
    from complaints.merchant.forms import ACTION_FORMS as MERCHANT
    from complaints.portal.views import ACTIONS as PORTAL
    from complaints.reputation.forms import MEASURE_FORMS
    from complaints.web.agreement_forms import STEP_FORMS as AGREEMENT_STEPS
    from complaints.web.referral_forms import PARTY_FORMS

    return {
        "portal.act": tuple(PORTAL),
        "desk.act": tuple(DESK),
        "mediation.act": tuple(MEDIATION),
        "merchant.act": tuple(MERCHANT),
        **{f"{area}.agreement_act": tuple(AGREEMENT_STEPS) for area in AGREEMENT_AREAS},
        **{f"{area}.referral_answer": tuple(PARTY_FORMS) for area in REFERRAL_AREAS},
        "mediation.referral_step": tuple(MEDIATOR_FORMS),
        "reputation.decide": tuple(MEASURE_FORMS),
    }.get(endpoint)


AGREEMENT_AREAS = ("portal", "merchant", "mediation", "desk")
AGREEMENT_ENDPOINTS = (
    ("agreement", (None,)),
    ("agreement_pdf", (None,)),
    ("agreement_act", ("accept", "decline", "paid", "receipt")),
)

# A referral to mediation: the parties' page and answers (the shop's also recorded by staff).
REFERRAL_AREAS = ("portal", "merchant", "desk")

# Which planted complaint each action fits (its state allows the action).
FITS = {
    **{(f"{area}.referral", None): "referred" for area in REFERRAL_AREAS},
    **{(f"{area}.referral_answer", a): "referred" for area in REFERRAL_AREAS for a in ("consent", "decline")},
    ("mediation.referral_step", "accept"): "consented",
    ("mediation.referral_step", "return"): "consented",
    ("mediation.referral_step", "schedule"): "mediated",
    ("mediation.referral_step", "ask"): "mediated",
    ("portal.act", "reply"): "mediated",
    ("portal.act", "evidence"): "mediated",
    ("portal.act", "withdraw"): "received",
    ("portal.act", "confirm"): "resolved",
    ("portal.act", "dispute"): "resolved",
    ("portal.act", "appeal"): "rejected",
    ("portal.act", "escalate"): "verified",
    ("portal.act", "accept_offer"): "received",
    ("portal.act", "decline_offer"): "received",
    ("portal.deposit_consent", None): "resolved",
    ("portal.give_deposit_consent", None): "resolved",
    ("portal.decline_deposit_payout", None): "resolved",
    ("merchant.act", "answer"): "mediated",
    ("merchant.act", "message"): "mediated",
    ("merchant.act", "offer"): "received",
    ("desk.act", "resolve"): "verified",
    ("desk.act", "escalate"): "verified",
    ("desk.act", "reply"): "mediated",
    ("desk.act", "note"): "mediated",
    ("files.attachment_inline", None): "mediated",  # the planted PDF
    # The agreement of the planted settled mediation (tests/security/support.py).
    **{
        (f"{area}.{endpoint}", action): "settled"
        for area in AGREEMENT_AREAS
        for endpoint, actions in AGREEMENT_ENDPOINTS
        for action in actions
    },
}

Form = Callable[[Planted, str], dict]  # (world, complaint key) -> form data


def _version(**more) -> Form:
    return lambda w, key: {"version": str(w.versions[key]), **more}


def _evidence(field_name: str) -> Form:
    return lambda w, key: {field_name: [(io.BytesIO(png_bytes(9, 9, 9)), "attack.png")]}


def _referral(reason_field: str) -> Form:
    return lambda w, key: {
        "version": str(w.versions[key]),
        "mediation_org_id": str(w.people.org_id),
        reason_field: ATTACK_TEXT,
    }


POLICY_TARGET = {"resolution-amount": "9", "resolution-unit": "working_days", "resolution-warn_percent": "75"}

# Forms that would change the world if they got through, by (endpoint, action).
ATTACKS: dict[tuple[str, str | None], Form] = {
    ("auth.login", None): lambda w, key: {"email": w.email("agent"), "password": "wrong-password-1"},
    ("auth.register", None): lambda w, key: {
        "name": "Second Account",
        "email": "second-account@example.com",
        "password": "another-horse-42",
        "confirm": "another-horse-42",
    },
    ("auth.language", None): lambda w, key: {"locale": "zh_CN", "next": "/"},
    ("portal.new_complaint", None): lambda w, key: {
        "merchant_id": str(w.people.merchant_ids[0]),
        "order_reference": "ORD-PROBE-0001",
        "category_id": str(w.people.category_ids[0]),
        "title": ATTACK_TEXT,
        "description": ATTACK_TEXT,
        "desired_outcome": "refund",
        "claimed_amount": "10.00",
    },
    ("portal.act", "reply"): lambda w, key: {"body": ATTACK_TEXT},
    ("portal.act", "evidence"): _evidence("evidence"),
    ("portal.act", "withdraw"): _version(withdraw_reason=ATTACK_TEXT),
    ("portal.act", "confirm"): _version(rating="5", comment=ATTACK_TEXT),
    ("portal.act", "dispute"): _referral("dispute_reason"),
    ("portal.act", "appeal"): _version(appeal_reason=ATTACK_TEXT),
    ("portal.act", "escalate"): _referral("escalate_reason"),
    # The shop's offer planted on the received complaint is the first.
    ("portal.act", "accept_offer"): _version(offer_id="1"),
    ("portal.act", "decline_offer"): _version(offer_id="1", decline_reason=ATTACK_TEXT),
    ("merchant.act", "answer"): lambda w, key: {"answer_body": ATTACK_TEXT},
    ("merchant.act", "message"): lambda w, key: {"message_body": ATTACK_TEXT},
    ("merchant.act", "offer"): lambda w, key: {
        "offer_kind": "refund",
        "offer_amount": "10",
        "offer_terms": ATTACK_TEXT,
        "offer_by": "2026-03-06",
    },
    ("auth.invitation", None): lambda w, key: {
        "name": ATTACK_TEXT,
        "password": "invited-horse-42",
        "confirm": "invited-horse-42",
    },
    ("auth.account_notifications", None): lambda w, key: {"frequency": "never"},
    ("admin.revoke_invitation", None): lambda w, key: {},
    ("auth.notification_open", None): lambda w, key: {},
    ("desk.bulk", None): lambda w, key: {"bulk_action": "claim", "ref": [w.refs["received"]]},
    ("desk.act", "claim"): _version(),
    ("desk.act", "assign"): lambda w, key: {
        "version": str(w.versions[key]),
        "assignee_id": str(w.people.agent2.id),
    },
    ("desk.act", "reply"): lambda w, key: {"reply_body": ATTACK_TEXT},
    ("desk.act", "note"): lambda w, key: {"note_body": ATTACK_TEXT},
    ("desk.act", "request_info"): lambda w, key: {"party": "consumer", "request_body": ATTACK_TEXT},
    ("desk.act", "merchant_answer"): lambda w, key: {"answer_body": ATTACK_TEXT},
    ("desk.act", "verify"): _version(),
    ("desk.act", "reject"): _version(reason=ATTACK_TEXT),
    ("desk.act", "resolve"): _version(outcome="upheld", resolve_note=ATTACK_TEXT),
    ("desk.act", "escalate"): _referral("escalate_reason"),
    ("desk.save_filter", None): lambda w, key: {"filter_name": "SECURITY-PROBE", "query": "queue=open"},
    ("desk.delete_filter", None): lambda w, key: {"query": "queue=open"},
    ("desk.act", "mark_duplicate"): lambda w, key: {
        "version": str(w.versions[key]),
        "original_reference": w.refs["verified"],
    },
    ("desk.insert_canned_reply", None): lambda w, key: {"canned_reply_id": "1", "reply_body": ATTACK_TEXT},
    ("desk.new_canned_reply", None): lambda w, key: {
        "title_zh": ATTACK_TEXT,
        "title_en": ATTACK_TEXT,
        "body_zh": ATTACK_TEXT,
        "body_en": ATTACK_TEXT,
    },
    ("desk.edit_canned_reply", None): lambda w, key: {
        "title_zh": ATTACK_TEXT,
        "title_en": ATTACK_TEXT,
        "body_zh": ATTACK_TEXT,
        "body_en": ATTACK_TEXT,
    },
    ("desk.toggle_canned_reply", None): lambda w, key: {"active": "0"},
    ("mediation.act", "session"): lambda w, key: {
        "held_at": "2026-03-02T09:00",
        "channel": "phone",
        "session_notes": ATTACK_TEXT,
    },
    ("mediation.act", "outcome"): _version(
        outcome="settled", outcome_note=ATTACK_TEXT, payer="shop", perform_by="2026-03-20", confirm="1"
    ),
    ("mediation.act", "reply"): lambda w, key: {"reply_body": ATTACK_TEXT},
    ("mediation.referral_step", "accept"): lambda w, key: {},
    ("mediation.referral_step", "return"): lambda w, key: {"return_reason": ATTACK_TEXT},
    ("mediation.referral_step", "schedule"): lambda w, key: {
        "starts_at": "2026-03-20T10:00",
        "session_channel": "video",
    },
    ("mediation.referral_step", "ask"): lambda w, key: {"ask_party": "consumer", "ask_body": ATTACK_TEXT},
    **{
        (f"{area}.referral_answer", action): form
        for area in REFERRAL_AREAS
        for action, form in (
            ("consent", lambda w, key: {"referral_consent": "y"}),
            ("decline", lambda w, key: {"referral_decline_reason": ATTACK_TEXT}),
        )
    },
    **{
        (f"{area}.agreement_act", action): form
        for area in AGREEMENT_AREAS
        for action, form in (
            ("accept", lambda w, key: {"accept_terms": "y"}),
            ("decline", lambda w, key: {"decline_reason": ATTACK_TEXT}),
            ("paid", lambda w, key: {"paid_note": ATTACK_TEXT}),
            ("receipt", lambda w, key: {"receipt_answer": "not_arrived", "receipt_note": ATTACK_TEXT}),
        )
    },
    ("admin.new_user", None): lambda w, key: {
        "name": "Mallory",
        "email": "mallory@example.com",
        "role": "agent",
        "mediation_org_id": "",
        "shop_code": "",
        "password": "mallory-horse-42",
    },
    ("admin.toggle_user", None): lambda w, key: {"active": "0"},
    ("admin.new_api_client", None): lambda w, key: {
        "name": ATTACK_TEXT,
        "owner": "Ops",
        "scopes": "complaints:read",
    },
    ("admin.issue_api_token", None): lambda w, key: {},
    ("admin.revoke_api_token", None): lambda w, key: {},
    ("admin.add_webhook", None): lambda w, key: {
        "url": "https://attacker.example/hook",
        "events": ["complaint.filed"],
    },
    ("admin.toggle_webhook", None): lambda w, key: {},
    ("admin.rotate_webhook_secret", None): lambda w, key: {},
    ("admin.replay_webhook", None): lambda w, key: {},
    ("admin.new_merchant", None): lambda w, key: {
        "shop_code": "SHOP-EVIL",
        "name": ATTACK_TEXT,
        "active": "y",
    },
    ("admin.edit_merchant", None): lambda w, key: {"shop_code": "SHOP-A", "name": ATTACK_TEXT, "active": "y"},
    ("admin.new_category", None): lambda w, key: {
        "code": "evil",
        "name_zh": ATTACK_TEXT,
        "name_en": ATTACK_TEXT,
        "active": "y",
    },
    ("admin.edit_category", None): lambda w, key: {
        "code": "quality",
        "name_zh": ATTACK_TEXT,
        "name_en": ATTACK_TEXT,
        "active": "y",
    },
    ("admin.new_organisation", None): lambda w, key: {"name": ATTACK_TEXT, "active": "y", "capacity": "5"},
    ("admin.edit_organisation", None): lambda w, key: {"name": ATTACK_TEXT, "active": "y", "capacity": "5"},
    ("admin.new_policy", None): lambda w, key: {
        **POLICY_TARGET,
        "resolution-calendar_id": str(w.calendar_id),
        "name": ATTACK_TEXT,
        "category_id": str(w.people.category_ids[0]),
        "major": "any",
    },
    ("admin.edit_policy", None): lambda w, key: {
        **POLICY_TARGET,
        "resolution-calendar_id": str(w.calendar_id),
        "note": ATTACK_TEXT,
    },
    ("admin.toggle_policy", None): lambda w, key: {"active": "0"},
    ("admin.edit_calendar", None): lambda w, key: {
        "timezone": "Europe/London",
        "hours_0": "09:00-17:00",
        "hours_1": "09:00-17:00",
    },
    ("admin.add_calendar_day", None): lambda w, key: {
        "day": "2026-10-11",
        "kind": "working",
        "note": ATTACK_TEXT,
    },
}

# The guarantee deposits: forms that would move money or a payout's status if they got through.
ATTACKS.update(
    {
        ("deposits.top_up", None): lambda w, key: {"topup_amount": "10", "topup_reason": ATTACK_TEXT},
        ("deposits.adjust", None): lambda w, key: {
            "adjust_direction": "add",
            "adjust_amount": "10",
            "adjust_reason": ATTACK_TEXT,
        },
        ("deposits.request_payout", None): lambda w, key: {
            "payout_reference": w.refs["verified"],
            "payout_amount": "1",
            "payout_reason": ATTACK_TEXT,
        },
        ("deposits.refuse", None): lambda w, key: {"refusal_reason": ATTACK_TEXT},
        ("reputation.decide", "approve"): lambda w, key: {
            "measure_step": "warning",
            "effective_from": "2026-12-31",
            "approve_reason": ATTACK_TEXT,
        },
        ("reputation.decide", "dismiss"): lambda w, key: {"dismiss_reason": ATTACK_TEXT},
        ("reputation.decide", "lift"): lambda w, key: {"lift_reason": ATTACK_TEXT},
        ("reputation.decide", "interview"): lambda w, key: {"interview_record": ATTACK_TEXT},
        ("reputation.record_orders", None): lambda w, key: {
            "volume_month": "2026-03",
            "volume_orders": "100",
        },
        ("reports.generate_report", None): lambda w, key: {"period": "2025-Q4"},
        ("deposits.cancel", None): lambda w, key: {"cancel_reason": ATTACK_TEXT},
        ("portal.give_deposit_consent", None): lambda w, key: {
            "consent_name": "Consumer",
            "consent_confirm": "y",
        },
        ("portal.decline_deposit_payout", None): lambda w, key: {"payout_decline_reason": ATTACK_TEXT},
    }
)

# The planted ids that fill each kind of URL argument.
ARGUMENTS: dict[str, Callable[[Planted], object]] = {
    "user_id": lambda w: w.bystander_id,
    "merchant_id": lambda w: w.people.merchant_ids[0],
    "category_id": lambda w: w.people.category_ids[0],
    "organisation_id": lambda w: w.people.org_id,
    "policy_id": lambda w: w.policy_id,
    "calendar_id": lambda w: w.calendar_id,
    "day_id": lambda w: w.calendar_day_id,
    "invitation_id": lambda w: w.invitation_id,
    "token": lambda w: w.invitation_token,
    "notification_id": lambda w: w.notification_id,
    "payout_id": lambda w: w.payout_id,
    "filter_id": lambda w: w.saved_filter_id,
    "canned_reply_id": lambda w: w.canned_reply_id,
    "sanction_id": lambda w: w.sanction_id,
    "slug": lambda w: w.report_slug,
    "client_id": lambda w: w.api_client_id,
    "token_id": lambda w: w.api_token_id,
    "endpoint_id": lambda w: w.webhook_id,
    "delivery_id": lambda w: w.delivery_id,
    "month": lambda w: "2026-03",  # the month the planted complaints were filed in
    "figure": lambda w: "complaints",
}


class UnknownArgument(LookupError):
    """A route has a URL argument this module does not know how to fill in."""


@dataclass(frozen=True)
class Request:
    """One request a probe sends: method, endpoint, action, and the complaint it aims at."""

    method: str
    endpoint: str
    rule: str
    arguments: frozenset[str]
    action: str | None = None
    target: str | None = None  # a PRIVATE key: the complaint in the URL (None: what the action fits)

    def __str__(self) -> str:
        name = f"{self.endpoint}:{self.action}" if self.action else self.endpoint
        return f"{self.method} {name}"

    @property
    def complaint_key(self) -> str:
        if self.target:
            return self.target
        if "reference" in self.arguments and self.endpoint.startswith("mediation."):
            return FITS.get((self.endpoint, self.action), "mediated")
        return FITS.get((self.endpoint, self.action), "received")

    def aimed_at(self, target: str) -> Request:
        return Request(self.method, self.endpoint, self.rule, self.arguments, self.action, target)

    def url(self, world: Planted) -> str:
        values: dict[str, object] = {}
        for argument in self.arguments:
            if argument == "reference":
                values[argument] = world.refs[self.complaint_key]
            elif argument == "action":
                values[argument] = self.action
            elif argument == "attachment_id":
                values[argument] = world.attachments[self.complaint_key]
            elif argument in ARGUMENTS:
                values[argument] = ARGUMENTS[argument](world)
            else:
                raise UnknownArgument(
                    f"{self.rule}: teach tests/security/endpoints.py ARGUMENTS which planted id fills <{argument}>"
                )
        return world.url(self.endpoint, **values)

    def attack(self, world: Planted) -> dict:
        """A form that would change the world if the request got through ({} if none is known)."""
        form = ATTACKS.get((self.endpoint, self.action))
        return form(world, self.complaint_key) if form else {}

    def send(self, client, world: Planted, **extra):
        url = self.url(world)
        if self.method == "GET":
            return client.get(url)
        return client.post(url, data={**self.attack(world), **extra})


def requests(method: str, prefix: str = "/") -> list[Request]:
    """Every request with `method` to a route under `prefix`, <action> routes once per action."""
    found = []
    for route in routes():
        if method not in route.methods or not route.rule.startswith(prefix):
            continue
        if route.endpoint.startswith(TOKEN_API):
            continue
        if "action" in route.arguments:
            actions = actions_of(route.endpoint) or ("<unknown action table>",)
            found.extend(Request(method, route.endpoint, route.rule, route.arguments, a) for a in actions)
        else:
            found.append(Request(method, route.endpoint, route.rule, route.arguments))
    return found


# The JSON API authenticates by token, never by the session, so CSRF does not apply to it and these
# session probes do not either; tests/integration/test_api*.py and the schemathesis run probe it.
TOKEN_API = "api."
PUBLIC = {
    "auth.index",
    "auth.login",
    "auth.register",
    "scorecard.pledge",
    "reputation.model",
    "reputation.notices",
    "api_docs.docs",
    "api-docs.openapi_json",
}
# Endpoints of a blueprint another role than its usual one uses.
ENDPOINT_ROLE = {"reputation.my_shop": "merchant", "reputation.my_shop_figure": "merchant"}
# Supervisors may do everything agents do, and have pages of their own.
BLUEPRINT_ROLE = {
    "portal": "consumer",
    "desk": "supervisor",
    "mediation": "mediator",
    "merchant": "merchant",
    "admin": "admin",
    "deposits": "supervisor",
    "reputation": "supervisor",
    "reports": "supervisor",
}


def role_for(request: Request) -> str | None:
    """Who may use the endpoint (None: anyone, signed out)."""
    if request.endpoint in PUBLIC:
        return None
    if request.endpoint in ENDPOINT_ROLE:
        return ENDPOINT_ROLE[request.endpoint]
    blueprint = request.endpoint.split(".")[0]
    if blueprint in ("auth", "files"):
        return "consumer"  # any signed-in user; the consumer owns the planted evidence
    if blueprint not in BLUEPRINT_ROLE:
        raise LookupError(f"{request}: teach tests/security/endpoints.py BLUEPRINT_ROLE who may use it")
    return BLUEPRINT_ROLE[blueprint]
