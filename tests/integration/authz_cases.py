"""Who may use which endpoint: the expectation table of the authorization matrix.

One Case per (endpoint, method, variant). Each names, for every role, the outcome that role must
get. Roles that must be refused send a request that would change something if it got through
(`attack`); roles that are let in send a deliberately invalid form (`probe`), so that the matrix
proves the door is open without changing the shared world. test_authorization_matrix.py runs
every cell and fails when app.url_map has an endpoint this table does not decide on.
"""

from __future__ import annotations

import io
import secrets
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from tests.support import PASSWORD

ANONYMOUS = "anonymous"
CONSUMER = "consumer"
OTHER_CONSUMER = "other_consumer"
AGENT = "agent"
SUPERVISOR = "supervisor"
MEDIATOR = "mediator"
OTHER_MEDIATOR = "other_mediator"
ADMIN = "admin"
MERCHANT = "merchant"  # staff of the shop every planted complaint is about
ROLES = (ANONYMOUS, CONSUMER, OTHER_CONSUMER, AGENT, SUPERVISOR, MEDIATOR, OTHER_MEDIATOR, ADMIN, MERCHANT)
STAFF = (AGENT, SUPERVISOR)

HOME = {
    CONSUMER: "/portal/complaints",
    OTHER_CONSUMER: "/portal/complaints",
    AGENT: "/desk/",
    SUPERVISOR: "/desk/",
    MEDIATOR: "/mediation/",
    OTHER_MEDIATOR: "/mediation/",
    ADMIN: "/admin/users",
    MERCHANT: "/merchant/",
}

# Texts planted in the world (test_authorization_matrix.build_world) and who may read them.
INTERNAL_NOTE = "MATRIX-INTERNAL-NOTE 该商家本月第三次被投诉"
MERCHANT_QUESTION = "MATRIX-MERCHANT-QUESTION 请商家提供发货记录"
SESSION_NOTES = "MATRIX-SESSION-NOTES 双方同意再谈一次"
PRIVATE = {  # in the title and description of each complaint
    "received": "MATRIX-PRIVATE-RECEIVED",
    "verified": "MATRIX-PRIVATE-VERIFIED",
    "mediated": "MATRIX-PRIVATE-MEDIATED",
    "resolved": "MATRIX-PRIVATE-RESOLVED",
    "rejected": "MATRIX-PRIVATE-REJECTED",
    "foreign": "MATRIX-PRIVATE-FOREIGN",  # other_consumer's complaint
}
# The consumer's contact details (planted by build_world): in full for the platform's staff, who
# contact the consumer; masked for mediators and the shop; never shown to anyone else.
# (The email is looked for as the link staff get: other_consumer@example.com contains it as text.)
CONSUMER_EMAIL, CONSUMER_PHONE = "mailto:consumer@example.com", "13812345678"
MASKED_CONTACT = ("c***@example.com", "138****5678")
FULL_CONTACT = (CONSUMER_EMAIL, CONSUMER_PHONE)
CONSUMERS_OWN = tuple(PRIVATE[k] for k in ("received", "verified", "mediated", "resolved", "rejected"))
STAFF_ONLY = (INTERNAL_NOTE,)
# The platform's question to the shop is part of the case: its parties read it, nobody else.

NEVER_SHOWN_TO: dict[str, tuple[str, ...]] = {
    ANONYMOUS: (*STAFF_ONLY, MERCHANT_QUESTION, SESSION_NOTES, *PRIVATE.values(), *FULL_CONTACT),
    CONSUMER: (*STAFF_ONLY, SESSION_NOTES, PRIVATE["foreign"]),
    OTHER_CONSUMER: (*STAFF_ONLY, MERCHANT_QUESTION, SESSION_NOTES, *CONSUMERS_OWN, *FULL_CONTACT),
    # Mediation session notes are the organisation's own (participants.sees_mediation_notes).
    AGENT: (SESSION_NOTES,),
    SUPERVISOR: (SESSION_NOTES,),
    MEDIATOR: (*STAFF_ONLY, *(v for k, v in PRIVATE.items() if k != "mediated"), *FULL_CONTACT),
    OTHER_MEDIATOR: (*STAFF_ONLY, MERCHANT_QUESTION, SESSION_NOTES, *PRIVATE.values(), *FULL_CONTACT),
    # Admins manage sign-in identities (emails), never call consumers.
    ADMIN: (*STAFF_ONLY, MERCHANT_QUESTION, SESSION_NOTES, *PRIVATE.values(), CONSUMER_PHONE),
    MERCHANT: (*STAFF_ONLY, SESSION_NOTES, *FULL_CONTACT),
}


@dataclass(frozen=True)
class Outcome:
    status: int
    location: str | None = None  # the path a redirect must lead to (query ignored; {World field}s filled in)
    refused: bool = False  # the role is kept out: it sends the attack and nothing may change

    def __str__(self) -> str:
        return f"{self.status} -> {self.location}" if self.location else str(self.status)


OK = Outcome(200)
FORM_ERROR = Outcome(400)
FORBIDDEN = Outcome(403, refused=True)
NOT_FOUND = Outcome(404, refused=True)
LOGIN = Outcome(302, "/login", refused=True)
GONE = Outcome(410, refused=True)  # a link that worked once and no longer does


def to(path: str) -> Outcome:
    """A redirect after an accepted request."""
    return Outcome(302, path)


def turned_away(path: str) -> Outcome:
    """A redirect that refuses the request (a signed-in user sent to their home page)."""
    return Outcome(302, path, refused=True)


@dataclass(frozen=True)
class World:
    """The ids and references of the planted world that URLs and forms need."""

    refs: dict[str, str]  # PRIVATE's keys -> complaint reference
    versions: dict[str, int]  # same keys -> complaint version
    attachments: dict[str, int]  # "received", "mediated", "foreign" -> attachment id
    attachment_bytes: dict[str, bytes]
    merchant_id: int
    category_id: int
    other_category_id: int
    org_id: int
    other_org_id: int
    agent2_id: int
    bystander_id: int  # a consumer no role signs in as; the target of toggle_user
    policy_id: int  # the general service pledge
    major_policy_id: int  # the pledge for major complaints (may be deactivated)
    calendar_id: int  # the China working-day calendar
    calendar_day_id: int  # a day declared on that calendar
    notification_id: int = 0  # one of the consumer's notifications (the planted actions told them)
    api_client_id: int = 0  # the marketplace's order pages, an API client (its webhooks' pages)


Payload = Callable[[World], dict]


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    values: Callable[[World], dict]  # url_for values (path and query)
    expect: dict[str, Outcome]
    variant: str = ""
    attack: Payload | None = None  # sent by refused roles: would change the world if let through
    probe: Payload | None = None  # sent by roles let in: an invalid form, changes nothing
    shows: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role -> texts the page must show
    may_change: frozenset[str] = frozenset()  # "table.column" a let-in request may legitimately touch
    bugs: dict[str, str] = field(default_factory=dict)  # role -> known bug (cell is xfail strict)
    attack_by: str | None = None  # a role for whom the attack succeeds: proves the attack is real

    @property
    def id(self) -> str:
        variant = f"/{self.variant}" if self.variant else ""
        return f"{self.endpoint}{variant}-{self.method}"


def only(*roles: str, ok: Outcome = OK, **others: Outcome) -> dict[str, Outcome]:
    """`roles` get `ok`; anonymous goes to the login page; every other role gets 403."""
    table = {role: FORBIDDEN for role in ROLES}
    table[ANONYMOUS] = LOGIN
    table.update(dict.fromkeys(roles, ok))
    table.update(others)
    return table


def everyone(outcome: Outcome, **others: Outcome) -> dict[str, Outcome]:
    table = dict.fromkeys(ROLES, outcome)
    table.update(others)
    return table


def ref(key: str) -> Callable[[World], dict]:
    return lambda w: {"reference": w.refs[key]}


def act(key: str, action: str) -> Callable[[World], dict]:
    return lambda w: {"reference": w.refs[key], "action": action}


def version(key: str, **more) -> Payload:
    return lambda w: {"version": str(w.versions[key]), **more}


def tiny_png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def png_upload() -> tuple[io.BytesIO, str]:
    return io.BytesIO(tiny_png()), "attack.png"


ATTACK_TEXT = "MATRIX-ATTACK this must never be stored"

# --- auth -----------------------------------------------------------------------------------

AUTH = [
    Case(
        "auth.index",
        "GET",
        lambda w: {},
        everyone(OK, **{role: to(path) for role, path in HOME.items()}),
    ),
    Case("auth.login", "GET", lambda w: {}, everyone(OK)),
    Case("auth.login", "POST", lambda w: {}, everyone(FORM_ERROR), probe=lambda w: {"email": ""}),
    Case(
        "auth.logout",
        "POST",
        lambda w: {},
        everyone(to("/login"), anonymous=LOGIN),
        attack=lambda w: {},
        # Signing out ends every session of the account: its session token changes.
        may_change=frozenset({"users.session_token"}),
    ),
    Case(
        "auth.register",
        "GET",
        lambda w: {},
        everyone(OK, **{role: turned_away(path) for role, path in HOME.items()}),
    ),
    Case(
        "auth.register",
        "POST",
        lambda w: {},
        everyone(FORM_ERROR, **{role: turned_away(path) for role, path in HOME.items()}),
        # A signed-in person cannot open a second account on the side.
        attack=lambda w: {
            "name": "Second Account",
            "email": "second-account@example.com",
            "password": "another-horse-42",
            "confirm": "another-horse-42",
        },
        probe=lambda w: {"email": ""},
        attack_by=ANONYMOUS,
    ),
    Case("auth.language", "POST", lambda w: {}, everyone(FORM_ERROR), probe=lambda w: {"locale": "xx"}),
    Case("auth.notifications", "GET", lambda w: {}, everyone(OK, anonymous=LOGIN)),
    Case(
        "auth.notifications_read",
        "POST",
        lambda w: {},
        everyone(to("/notifications"), anonymous=LOGIN),
        attack=lambda w: {},
        probe=lambda w: {},
        may_change=frozenset({"notifications.read_at"}),
    ),
]

# --- invitations of a shop's staff ---------------------------------------------------------------

SHOP_NAME = "优品数码旗舰店"  # the world's shop (tests.support.World), shown on its invitation page


def planted_invitation(state: str, world: World) -> tuple[int, str]:
    """A fresh invitation to the world's shop in `state` ("pending", "used", "revoked", "expired"):
    its id and token. A token exists only when it is made (only its hash is stored), so each cell
    plants its own when it asks for its URL, inside the app (Matrix.url). Outside an app (a check of
    the table itself) it is an invitation nobody has."""
    from flask import has_app_context

    if not has_app_context():
        return 0, "no-such-invitation"
    from complaints.extensions import db
    from complaints.models import Merchant
    from complaints.services import shop_staff
    from complaints.timekeeping import now

    shop = db.session.get(Merchant, world.merchant_id)
    email = f"invitee-{secrets.token_hex(6)}@example.com"
    invitation, token = shop_staff.invite_shop_staff(shop, name="Invitee", email=email, actor=None)
    if state == "used":
        shop_staff.accept_invitation(token, name="Invitee", password=PASSWORD)
    elif state == "revoked":
        shop_staff.revoke_invitation(invitation, actor=None)
    elif state == "expired":
        invitation.expires_at = now() - timedelta(seconds=1)
    db.session.commit()
    return invitation.id, token


def invitation_link(state: str) -> Callable[[World], dict]:
    return lambda w: {"token": planted_invitation(state, w)[1]}


def invitation_id(state: str) -> Callable[[World], dict]:
    return lambda w: {"invitation_id": planted_invitation(state, w)[0]}


def accepting(w: World) -> dict:
    return {"name": ATTACK_TEXT, "password": "invited-horse-42", "confirm": "invited-horse-42"}


INVITATIONS = [
    # Anyone may open a usable link; a signed-in person is told to sign out first (no form).
    Case(
        "auth.invitation",
        "GET",
        invitation_link("pending"),
        everyone(OK),
        shows={role: (SHOP_NAME,) for role in ROLES},
    ),
    # Only someone signed out opens the account; a signed-in person cannot open a second one.
    Case(
        "auth.invitation",
        "POST",
        invitation_link("pending"),
        everyone(Outcome(409, refused=True), anonymous=FORM_ERROR),
        attack=accepting,
        probe=lambda w: {"name": "", "password": "invited-horse-42", "confirm": "invited-horse-42"},
    ),
    Case(
        "auth.invitation",
        "GET",
        lambda w: {"token": "no-such-invitation"},
        everyone(Outcome(404)),
        variant="unknown",
    ),
    Case(
        "auth.invitation",
        "POST",
        lambda w: {"token": "no-such-invitation"},
        everyone(NOT_FOUND),
        variant="unknown",
        attack=accepting,
    ),
    *(
        Case("auth.invitation", "GET", invitation_link(state), everyone(Outcome(410)), variant=state)
        for state in ("used", "revoked", "expired")
    ),
    *(
        Case(
            "auth.invitation", "POST", invitation_link(state), everyone(GONE), variant=state, attack=accepting
        )
        for state in ("used", "revoked", "expired")
    ),
]

SIGNED_IN = everyone(OK, anonymous=LOGIN)

ACCOUNT = [
    Case("auth.account", "GET", lambda w: {}, SIGNED_IN),
    Case(
        "auth.account",
        "POST",
        lambda w: {},
        everyone(FORM_ERROR, anonymous=LOGIN),
        attack=lambda w: {"name": ATTACK_TEXT, "locale": "en", "timezone": ""},
        probe=lambda w: {"name": "", "locale": "en"},
    ),
    Case(
        "auth.account_password",
        "POST",
        lambda w: {},
        everyone(FORM_ERROR, anonymous=LOGIN),
        attack=lambda w: {
            "pw-current": PASSWORD,
            "pw-new": "stolen-horse-42",
            "pw-repeat": "stolen-horse-42",
        },
        # An empty current password fails the form before any password is checked (no lockout count).
        probe=lambda w: {"pw-current": "", "pw-new": "x", "pw-repeat": "y"},
    ),
    # A consumer's data to take away: their own complaints only, never staff notes.
    Case(
        "auth.account_export",
        "GET",
        lambda w: {},
        only(CONSUMER, OTHER_CONSUMER),
        shows={CONSUMER: (PRIVATE["mediated"], PRIVATE["received"])},
    ),
    # Opening a notification marks it read and goes to its complaint; it is the consumer's own.
    Case(
        "auth.notification_open",
        "POST",
        lambda w: {"notification_id": w.notification_id},
        everyone(NOT_FOUND, anonymous=LOGIN, consumer=Outcome(302, "/portal/complaints/{refs[received]}")),
        attack=lambda w: {},
        may_change=frozenset({"notifications.read_at"}),
    ),
    Case(
        "auth.account_notifications",
        "POST",
        lambda w: {},
        everyone(FORM_ERROR, anonymous=LOGIN),
        attack=lambda w: {"frequency": "never"},
        probe=lambda w: {"frequency": "sometimes"},
    ),
    Case("auth.account_delete", "GET", lambda w: {}, only(CONSUMER, OTHER_CONSUMER)),
    Case(
        "auth.account_delete",
        "POST",
        lambda w: {},
        only(CONSUMER, OTHER_CONSUMER, ok=FORM_ERROR),
        attack=lambda w: {"password": PASSWORD, "confirm": "y"},
        probe=lambda w: {"password": "", "confirm": "y"},
        attack_by=CONSUMER,
    ),
]

# --- portal ---------------------------------------------------------------------------------

CONSUMERS = (CONSUMER, OTHER_CONSUMER)


def own_complaint(ok: Outcome = OK) -> dict[str, Outcome]:
    """consumer's complaint: the consumer is let in, the other consumer finds nothing."""
    return only(CONSUMER, ok=ok, other_consumer=NOT_FOUND)


PORTAL_PROBE: Payload = lambda w: {  # noqa: E731 - every consumer action form is invalid with this
    "version": "not-a-number",
    "body": "",
    "evidence": "",
    "rating": "",
    "dispute_reason": "",
    "appeal_reason": "",
}

PORTAL_ACTIONS = {
    # action: (complaint it fits, a valid request that would change that complaint)
    "reply": ("mediated", lambda w: {"body": ATTACK_TEXT}),
    "evidence": ("mediated", lambda w: {"evidence": [png_upload()]}),
    "withdraw": ("received", version("received", withdraw_reason=ATTACK_TEXT)),
    "confirm": ("resolved", version("resolved", rating="5")),
    "dispute": (
        "resolved",
        lambda w: {
            "version": str(w.versions["resolved"]),
            "mediation_org_id": str(w.org_id),
            "dispute_reason": ATTACK_TEXT,
        },
    ),
    "appeal": ("rejected", version("rejected", appeal_reason=ATTACK_TEXT)),
    "escalate": (
        "verified",
        lambda w: {"version": str(w.versions["verified"]), "mediation_org_id": str(w.org_id)},
    ),
    # The shop's offer planted on the received complaint (test_authorization_matrix.build_world).
    "accept_offer": ("received", version("received", offer_id="1")),
    "decline_offer": ("received", version("received", offer_id="1", decline_reason=ATTACK_TEXT)),
}

PORTAL = [
    Case("portal.my_complaints", "GET", lambda w: {}, only(*CONSUMERS)),
    Case("portal.new_complaint", "GET", lambda w: {}, only(*CONSUMERS)),
    # Shop suggestions while filing: active shops by name or code, for consumers only.
    Case("portal.shops", "GET", lambda w: {"q": "SHOP"}, only(*CONSUMERS)),
    Case(
        "portal.new_complaint",
        "POST",
        lambda w: {},
        only(*CONSUMERS, ok=FORM_ERROR),
        attack=lambda w: {
            "merchant_id": str(w.merchant_id),
            "order_reference": "ORD-MATRIX-0001",
            "category_id": str(w.category_id),
            "title": ATTACK_TEXT,
            "description": ATTACK_TEXT,
            "desired_outcome": "refund",
            "claimed_amount": "10.00",
        },
        probe=lambda w: {"title": ""},
        attack_by=CONSUMER,
    ),
    Case("portal.filed", "GET", ref("received"), own_complaint()),
    Case(
        "portal.complaint",
        "GET",
        ref("mediated"),
        own_complaint(),
        variant="mediated",
        shows={CONSUMER: (PRIVATE["mediated"],)},
    ),
    Case(
        "portal.complaint",
        "GET",
        ref("received"),
        own_complaint(),
        variant="received",
        shows={CONSUMER: (PRIVATE["received"],)},
    ),
    Case(
        "portal.complaint", "GET", ref("foreign"), only(OTHER_CONSUMER, consumer=NOT_FOUND), variant="foreign"
    ),
    *[
        Case(
            "portal.act",
            "POST",
            act(key, action),
            own_complaint(FORM_ERROR),
            variant=action,
            attack=attack,
            probe=PORTAL_PROBE,
            # The consumer may escalate only once the resolution pledge is breached, which the
            # frozen world never reaches; the agent's escalation proves the same change.
            attack_by=CONSUMER if action != "escalate" else None,
        )
        for action, (key, attack) in PORTAL_ACTIONS.items()
    ],
    Case(
        "portal.act",
        "POST",
        act("received", "verify"),  # a staff action: no such consumer action
        only(consumer=NOT_FOUND, other_consumer=NOT_FOUND),
        variant="unknown-action",
        attack=version("received"),
    ),
]

# --- desk -----------------------------------------------------------------------------------

DESK_PROBE: Payload = lambda w: {  # noqa: E731 - every desk action form is invalid with this
    "version": "not-a-number",
    "assignee_id": "",
    "reply_body": "",
    "note_body": "",
    "request_body": "",
    "answer_body": "",
    "reason": "",
    "outcome": "",
    "escalate_reason": "",
    "category_id": "",
    "claimed_amount": "",
    "original_reference": "",
}

DESK_ACTIONS = {
    "claim": ("received", version("received")),
    "assign": (
        "received",
        lambda w: {"version": str(w.versions["received"]), "assignee_id": str(w.agent2_id)},
    ),
    "reply": ("mediated", lambda w: {"reply_body": ATTACK_TEXT}),
    "note": ("mediated", lambda w: {"note_body": ATTACK_TEXT}),
    "request_info": ("received", lambda w: {"party": "consumer", "request_body": ATTACK_TEXT}),
    "merchant_answer": ("received", lambda w: {"answer_body": ATTACK_TEXT}),
    "verify": ("received", version("received")),
    "reject": ("received", version("received", reason=ATTACK_TEXT)),
    "resolve": ("verified", version("verified", outcome="upheld")),
    "escalate": (
        "verified",
        lambda w: {
            "version": str(w.versions["verified"]),
            "mediation_org_id": str(w.org_id),
            "escalate_reason": ATTACK_TEXT,
        },
    ),
    "reclassify": (
        "received",
        lambda w: {
            "version": str(w.versions["received"]),
            "category_id": str(w.other_category_id),
            "claimed_amount": "9999.00",
        },
    ),
    # Both are the consumer's complaints about the world's shop: the received one repeats the other.
    "mark_duplicate": (
        "received",
        lambda w: {"version": str(w.versions["received"]), "original_reference": w.refs["verified"]},
    ),
}


def planted_canned_reply(world: World) -> int:
    """A fresh canned reply's id, planted when its URL is asked for (inside the app, like
    planted_invitation); outside an app, an id nobody has."""
    from flask import has_app_context

    if not has_app_context():
        return 0
    from complaints.extensions import db
    from complaints.models import User
    from complaints.services.canned_replies import create_canned_reply

    reply = create_canned_reply(
        db.session.get(User, world.agent2_id),
        title_zh="已收到",
        title_en="Received",
        body_zh="您的投诉 {reference} 已收到。",
        body_en="We have received {reference}.",
    )
    db.session.commit()
    return reply.id


def canned_reply(w: World) -> dict:
    return {"canned_reply_id": planted_canned_reply(w)}


CANNED_REPLY_ATTACK: Payload = lambda w: {  # noqa: E731
    "title_zh": ATTACK_TEXT,
    "title_en": ATTACK_TEXT,
    "body_zh": f"{ATTACK_TEXT} {{reference}}",
    "body_en": ATTACK_TEXT,
}


def planted_saved_filter(world: World) -> dict:
    """The filter_id of a queue filter agent2 saved (nobody signs in as agent2), planted when
    its URL is asked for, inside the app; outside an app, an id nobody has."""
    from flask import has_app_context

    if not has_app_context():
        return {"filter_id": 0}
    from complaints.extensions import db
    from complaints.models import User
    from complaints.services.saved_filters import save_filter

    saved, _new = save_filter(db.session.get(User, world.agent2_id), "MATRIX", {"queue": "mine"})
    db.session.commit()
    return {"filter_id": saved.id}


DESK = [
    Case("desk.queue", "GET", lambda w: {}, only(*STAFF)),
    # Bulk actions: each complaint through the same lifecycle (tests/integration/test_bulk_actions.py).
    Case(
        "desk.bulk",
        "POST",
        lambda w: {},
        only(*STAFF, ok=FORM_ERROR),
        attack=lambda w: {"bulk_action": "claim", "ref": [w.refs["received"]]},
        probe=lambda w: {"bulk_action": ""},
        # Let through, the attack answers 200 with each complaint's result (not a redirect);
        # test_bulk_actions.py proves it takes the complaint.
    ),
    # Saved queue filters: each person's own (tests/integration/test_saved_filters.py).
    Case(
        "desk.save_filter",
        "POST",
        lambda w: {},
        only(*STAFF, ok=FORM_ERROR),
        attack=lambda w: {"filter_name": "MATRIX-ATTACK", "query": "queue=open"},
        probe=lambda w: {"filter_name": "", "query": "queue=open"},
    ),
    Case(
        "desk.delete_filter",
        "POST",
        planted_saved_filter,
        only(*STAFF, ok=NOT_FOUND),  # another person's: not found, and kept
        attack=lambda w: {"query": "queue=open"},
    ),
    # The pledge views: which complaints are about to break the pledge, or broke it.
    Case("desk.at_risk", "GET", lambda w: {}, only(SUPERVISOR)),
    Case("desk.breached", "GET", lambda w: {}, only(SUPERVISOR)),
    Case("desk.search", "GET", lambda w: {"q": w.refs["mediated"]}, only(*STAFF)),
    Case(
        "desk.complaint",
        "GET",
        ref("mediated"),
        only(*STAFF),
        # Staff see the internal notes and the consumer's contact details in full: the leak
        # checks elsewhere are not vacuous.
        shows={
            AGENT: (INTERNAL_NOTE, MERCHANT_QUESTION, *FULL_CONTACT),
            SUPERVISOR: FULL_CONTACT,
        },
    ),
    Case("desk.complaint", "GET", ref("foreign"), only(*STAFF), variant="foreign"),
    *[
        Case(
            "desk.act",
            "POST",
            act(key, action),
            only(*STAFF, ok=FORM_ERROR),
            variant=action,
            attack=attack,
            probe=DESK_PROBE,
            attack_by=SUPERVISOR if action == "assign" else AGENT,
        )
        for action, (key, attack) in DESK_ACTIONS.items()
    ],
    # Canned replies: supervisors manage them; staff insert one into a reply (which changes nothing).
    Case("desk.canned_replies", "GET", lambda w: {}, only(SUPERVISOR)),
    Case("desk.new_canned_reply", "GET", lambda w: {}, only(SUPERVISOR)),
    Case(
        "desk.new_canned_reply",
        "POST",
        lambda w: {},
        only(SUPERVISOR, ok=FORM_ERROR),
        attack=CANNED_REPLY_ATTACK,
        probe=lambda w: {"title_zh": "", "body_en": "{order_number}"},
        attack_by=SUPERVISOR,
    ),
    Case("desk.edit_canned_reply", "GET", canned_reply, only(SUPERVISOR)),
    Case(
        "desk.edit_canned_reply",
        "POST",
        canned_reply,
        only(SUPERVISOR, ok=FORM_ERROR),
        attack=CANNED_REPLY_ATTACK,
        probe=lambda w: {"title_zh": ""},
    ),
    Case(
        "desk.edit_canned_reply",
        "GET",
        lambda w: {"canned_reply_id": 999_999},
        only(SUPERVISOR, ok=Outcome(404)),
        variant="missing",
    ),
    Case(
        "desk.toggle_canned_reply",
        "POST",
        canned_reply,
        only(SUPERVISOR, ok=FORM_ERROR),
        attack=lambda w: {"active": "0"},
        probe=lambda w: {"active": "maybe"},
    ),
    Case(
        "desk.insert_canned_reply",
        "POST",
        ref("mediated"),
        only(*STAFF, ok=FORM_ERROR),
        attack=lambda w: {"canned_reply_id": "1", "reply_body": ATTACK_TEXT},
        probe=lambda w: {"canned_reply_id": "", "reply_body": ATTACK_TEXT},
    ),
    Case(
        "desk.act",
        "POST",
        act("mediated", "outcome"),  # a mediator's action: no such desk action
        only(agent=NOT_FOUND, supervisor=NOT_FOUND),
        variant="unknown-action",
        attack=version("mediated", outcome="settled"),
    ),
]

# --- mediation ------------------------------------------------------------------------------

MEDIATORS = (MEDIATOR, OTHER_MEDIATOR)


def referred_case(ok: Outcome = OK) -> dict[str, Outcome]:
    """The case referred to world.org_id: its mediator is let in, the other one finds nothing."""
    return only(MEDIATOR, ok=ok, other_mediator=NOT_FOUND)


MEDIATION_PROBE: Payload = lambda w: {  # noqa: E731
    "version": "not-a-number",
    "held_at": "",
    "channel": "",
    "session_notes": "",
    "outcome": "",
    "reply_body": "",
}

MEDIATION_ACTIONS = {
    "session": lambda w: {"held_at": "2026-03-02T09:00", "channel": "phone", "session_notes": ATTACK_TEXT},
    "outcome": version(
        "mediated",
        outcome="settled",
        outcome_note=ATTACK_TEXT,
        payer="shop",
        perform_by="2026-03-20",
        confirm="1",
    ),
    "reply": lambda w: {"reply_body": ATTACK_TEXT},
}

MEDIATION = [
    Case("mediation.cases", "GET", lambda w: {}, only(*MEDIATORS), shows={MEDIATOR: (PRIVATE["mediated"],)}),
    Case("mediation.cases", "GET", lambda w: {"tab": "decided"}, only(*MEDIATORS), variant="decided"),
    Case(
        "mediation.case",
        "GET",
        ref("mediated"),
        referred_case(),
        shows={MEDIATOR: (PRIVATE["mediated"], SESSION_NOTES, *MASKED_CONTACT)},
    ),
    Case(
        "mediation.case",
        "GET",
        ref("received"),  # never referred: no mediator sees it
        only(mediator=NOT_FOUND, other_mediator=NOT_FOUND),
        variant="not-referred",
    ),
    *[
        Case(
            "mediation.act",
            "POST",
            act("mediated", action),
            referred_case(FORM_ERROR),
            variant=action,
            attack=attack,
            probe=MEDIATION_PROBE,
            attack_by=MEDIATOR,
        )
        for action, attack in MEDIATION_ACTIONS.items()
    ],
    Case(
        "mediation.act",
        "POST",
        act("received", "reply"),
        only(mediator=NOT_FOUND, other_mediator=NOT_FOUND),
        variant="not-referred",
        attack=MEDIATION_ACTIONS["reply"],
    ),
    Case(
        "mediation.act",
        "POST",
        act("mediated", "verify"),
        only(mediator=NOT_FOUND, other_mediator=NOT_FOUND),
        variant="unknown-action",
        attack=version("mediated"),
    ),
]

# --- admin ----------------------------------------------------------------------------------


def admin_only(ok: Outcome = OK) -> dict[str, Outcome]:
    return only(ADMIN, ok=ok)


def admin_form(endpoint: str, values, attack: Payload, probe: Payload, variant: str = "") -> list[Case]:
    """The GET and POST of one administration form."""
    return [
        Case(endpoint, "GET", values, admin_only(), variant=variant),
        Case(
            endpoint,
            "POST",
            values,
            admin_only(FORM_ERROR),
            variant=variant,
            attack=attack,
            probe=probe,
            attack_by=ADMIN,
        ),
    ]


ADMIN_CASES = [
    Case("admin.users", "GET", lambda w: {}, admin_only()),
    Case("admin.users", "GET", lambda w: {"role": "mediator"}, admin_only(), variant="by-role"),
    *admin_form(
        "admin.new_user",
        lambda w: {},
        attack=lambda w: {
            "name": "Mallory",
            "email": "mallory@example.com",
            "role": "agent",
            "mediation_org_id": "",
            "shop_code": "",
            "password": "mallory-horse-42",
        },
        probe=lambda w: {"email": "not-an-address"},
    ),
    Case(
        "admin.toggle_user",
        "POST",
        lambda w: {"user_id": w.bystander_id},
        admin_only(FORM_ERROR),
        attack=lambda w: {"active": "0"},
        probe=lambda w: {"active": "maybe"},
        attack_by=ADMIN,
    ),
    Case(
        "admin.toggle_user",
        "POST",
        lambda w: {"user_id": 999_999},
        admin_only(NOT_FOUND),
        variant="missing",
        attack=lambda w: {"active": "0"},
    ),
    Case("admin.merchants", "GET", lambda w: {}, admin_only()),
    *admin_form(
        "admin.new_merchant",
        lambda w: {},
        attack=lambda w: {"shop_code": "SHOP-EVIL", "name": ATTACK_TEXT, "active": "y"},
        probe=lambda w: {"shop_code": ""},
    ),
    *admin_form(
        "admin.edit_merchant",
        lambda w: {"merchant_id": w.merchant_id},
        attack=lambda w: {"shop_code": "SHOP-A", "name": ATTACK_TEXT, "active": "y"},
        probe=lambda w: {"shop_code": ""},
    ),
    Case(
        "admin.edit_merchant",
        "GET",
        lambda w: {"merchant_id": 999_999},
        admin_only(NOT_FOUND),
        variant="missing",
    ),
    *admin_form(
        "admin.new_shop_staff",
        lambda w: {"merchant_id": w.merchant_id},
        attack=lambda w: {
            "name": ATTACK_TEXT,
            "email": "mallory-shop@example.com",
            "password": "mallory-horse-42",
        },
        probe=lambda w: {"email": "not-an-address"},
    ),
    Case(
        "admin.new_shop_staff",
        "GET",
        lambda w: {"merchant_id": 999_999},
        admin_only(NOT_FOUND),
        variant="missing",
    ),
    *admin_form(
        "admin.invite_shop_staff",
        lambda w: {"merchant_id": w.merchant_id},
        attack=lambda w: {"name": ATTACK_TEXT, "email": "mallory-invite@example.com"},
        probe=lambda w: {"email": ""},
    ),
    Case(
        "admin.invite_shop_staff",
        "GET",
        lambda w: {"merchant_id": 999_999},
        admin_only(NOT_FOUND),
        variant="missing",
    ),
    # Revoking a pending invitation changes the world, and its invitation exists only in the live
    # world (see planted_invitation), not in a fork: test_shop_staff.py proves that one. Here:
    # revoking again is harmless, a used invitation is refused, an unknown one is not found.
    Case(
        "admin.revoke_invitation",
        "POST",
        invitation_id("revoked"),
        admin_only(to("/admin/merchants")),
        variant="revoked",
        attack=lambda w: {},
    ),
    Case(
        "admin.revoke_invitation",
        "POST",
        invitation_id("used"),
        admin_only(Outcome(409)),
        variant="used",
        attack=lambda w: {},
    ),
    Case(
        "admin.revoke_invitation",
        "POST",
        lambda w: {"invitation_id": 999_999},
        admin_only(NOT_FOUND),
        variant="missing",
        attack=lambda w: {},
    ),
    Case("admin.categories", "GET", lambda w: {}, admin_only()),
    *admin_form(
        "admin.new_category",
        lambda w: {},
        attack=lambda w: {"code": "evil", "name_zh": ATTACK_TEXT, "name_en": ATTACK_TEXT, "active": "y"},
        probe=lambda w: {"code": ""},
    ),
    *admin_form(
        "admin.edit_category",
        lambda w: {"category_id": w.category_id},
        attack=lambda w: {"code": "quality", "name_zh": ATTACK_TEXT, "name_en": ATTACK_TEXT, "active": "y"},
        probe=lambda w: {"code": ""},
    ),
    Case("admin.organisations", "GET", lambda w: {}, admin_only()),
    *admin_form(
        "admin.new_organisation",
        lambda w: {},
        attack=lambda w: {"name": ATTACK_TEXT, "name_en": ATTACK_TEXT, "active": "y"},
        probe=lambda w: {"name": ""},
    ),
    *admin_form(
        "admin.edit_organisation",
        lambda w: {"organisation_id": w.org_id},
        attack=lambda w: {"name": ATTACK_TEXT, "name_en": ATTACK_TEXT, "active": "y"},
        probe=lambda w: {"name": ""},
    ),
]

POLICY_TARGET = {
    "resolution-amount": "9",
    "resolution-unit": "working_days",
    "resolution-warn_percent": "75",
}


def policy_attack(**more) -> Payload:
    return lambda w: {**POLICY_TARGET, "resolution-calendar_id": str(w.calendar_id), **more}


PLEDGE_CASES = [
    Case("admin.policies", "GET", lambda w: {}, admin_only()),
    *admin_form(
        "admin.new_policy",
        lambda w: {},
        attack=lambda w: {
            **policy_attack()(w),
            "name": ATTACK_TEXT,
            "name_en": ATTACK_TEXT,
            "category_id": str(w.category_id),
            "major": "any",
        },
        probe=lambda w: {"name": "", "major": "any"},
    ),
    *admin_form(
        "admin.edit_policy",
        lambda w: {"policy_id": w.policy_id},
        attack=policy_attack(note=ATTACK_TEXT),
        probe=lambda w: {"note": ""},
    ),
    Case(
        "admin.edit_policy", "GET", lambda w: {"policy_id": 999_999}, admin_only(NOT_FOUND), variant="missing"
    ),
    Case(
        "admin.rename_policy",
        "POST",
        lambda w: {"policy_id": w.policy_id},
        admin_only(FORM_ERROR),
        attack=lambda w: {"name": ATTACK_TEXT, "name_en": ATTACK_TEXT},
        probe=lambda w: {"name": "", "name_en": "Renamed"},
        attack_by=ADMIN,
    ),
    Case(
        "admin.toggle_policy",
        "POST",
        lambda w: {"policy_id": w.major_policy_id},
        admin_only(FORM_ERROR),
        attack=lambda w: {"active": "0"},
        probe=lambda w: {"active": "maybe"},
        attack_by=ADMIN,
    ),
    Case("admin.calendars", "GET", lambda w: {}, admin_only()),
    Case("admin.audit", "GET", lambda w: {}, admin_only()),
    *admin_form(
        "admin.edit_calendar",
        lambda w: {"calendar_id": w.calendar_id},
        attack=lambda w: {"timezone": "Europe/London", "hours_0": "09:00-17:00", "hours_1": "09:00-17:00"},
        probe=lambda w: {"timezone": ""},
    ),
    Case(
        "admin.add_calendar_day",
        "POST",
        lambda w: {"calendar_id": w.calendar_id},
        admin_only(FORM_ERROR),
        attack=lambda w: {
            "day": "2026-10-11",
            "kind": "working",
            "note": ATTACK_TEXT,
            "note_en": ATTACK_TEXT,
        },
        probe=lambda w: {"day": "not-a-date", "kind": "working"},
        attack_by=ADMIN,
    ),
    Case(
        "admin.remove_calendar_day",
        "POST",
        lambda w: {"calendar_id": w.calendar_id, "day_id": w.calendar_day_id},
        # No form to get wrong: the admin's cell runs on a private copy of the world.
        admin_only(to("/admin/calendars/{calendar_id}")),
        attack=lambda w: {},
        attack_by=ADMIN,
    ),
    Case(
        "admin.remove_calendar_day",
        "POST",
        lambda w: {"calendar_id": w.calendar_id, "day_id": 999_999},
        admin_only(NOT_FOUND),
        variant="missing",
        attack=lambda w: {},
    ),
]

# --- evidence downloads ---------------------------------------------------------------------


def attachment(ref_key: str, attachment_key: str) -> Callable[[World], dict]:
    return lambda w: {"reference": w.refs[ref_key], "attachment_id": w.attachments[attachment_key]}


FILES = [
    Case(
        "files.attachment",
        "GET",
        attachment("mediated", "mediated"),
        # Admins manage accounts, not complaints: they see no complaint, so no evidence either.
        everyone(
            OK,
            anonymous=LOGIN,
            other_consumer=NOT_FOUND,
            other_mediator=NOT_FOUND,
            admin=NOT_FOUND,
        ),
    ),
    Case(
        "files.attachment",
        "GET",
        attachment("received", "received"),
        everyone(
            OK,
            anonymous=LOGIN,
            other_consumer=NOT_FOUND,
            mediator=NOT_FOUND,
            other_mediator=NOT_FOUND,
            admin=NOT_FOUND,
        ),
        variant="not-referred",
    ),
    Case(
        "files.attachment",
        "GET",
        # Both complaints are the consumer's, but the file does not belong to the one named.
        attachment("received", "mediated"),
        everyone(NOT_FOUND, anonymous=LOGIN),
        variant="other-complaints-file",
    ),
    Case(
        "files.attachment",
        "GET",
        # Someone else's file under one's own reference.
        attachment("received", "foreign"),
        everyone(NOT_FOUND, anonymous=LOGIN),
        variant="foreign-file-own-reference",
    ),
    Case(
        "files.attachment",
        "GET",
        attachment("foreign", "foreign"),
        # Another consumer's complaint, against the same shop: its staff see the evidence too.
        everyone(NOT_FOUND, anonymous=LOGIN, other_consumer=OK, agent=OK, supervisor=OK, merchant=OK),
        variant="foreign",
    ),
    # The desk's PDF preview: the same authorisation as the download, for PDFs only.
    Case(
        "files.attachment_inline",
        "GET",
        attachment("mediated", "mediated"),
        everyone(OK, anonymous=LOGIN, other_consumer=NOT_FOUND, other_mediator=NOT_FOUND, admin=NOT_FOUND),
    ),
    Case(
        "files.attachment_inline",
        "GET",
        attachment("received", "received"),  # a photo: downloaded or shown as an image, never here
        everyone(NOT_FOUND, anonymous=LOGIN),
        variant="not-a-pdf",
    ),
    Case(
        "files.attachment_inline",
        "GET",
        attachment("received", "mediated"),
        everyone(NOT_FOUND, anonymous=LOGIN),
        variant="other-complaints-file",
    ),
]

# The public pledge scorecard: anyone, signed in or not, reads it.
SCORECARD_CASES = [Case("scorecard.pledge", "GET", lambda w: {}, everyone(OK))]

from tests.integration.authz_agreements import AGREEMENT_CASES  # noqa: E402 - it builds on the above
from tests.integration.authz_api import API_CASES  # noqa: E402 - it builds on the above
from tests.integration.authz_deposits import DEPOSIT_CASES  # noqa: E402 - it builds on the above
from tests.integration.authz_merchant import MERCHANT_CASES  # noqa: E402 - it builds on the above
from tests.integration.authz_referrals import REFERRAL_CASES  # noqa: E402 - it builds on the above
from tests.integration.authz_reports import REPORT_CASES  # noqa: E402 - it builds on the above
from tests.integration.authz_reputation import REPUTATION_CASES  # noqa: E402 - it builds on the above

CASES: list[Case] = [
    *AUTH,
    *INVITATIONS,
    *ACCOUNT,
    *PORTAL,
    *DESK,
    *MEDIATION,
    *MERCHANT_CASES,
    *ADMIN_CASES,
    *PLEDGE_CASES,
    *FILES,
    *DEPOSIT_CASES,
    *SCORECARD_CASES,
    *AGREEMENT_CASES,
    *REFERRAL_CASES,
    *REPUTATION_CASES,
    *REPORT_CASES,
    *API_CASES,
]
