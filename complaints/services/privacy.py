"""Personal data: who sees a consumer's contact details, the consumer's own copy, erasure.

Who sees what of a consumer's contact details (`contact_for`):

| viewer | name | email | phone | why |
|---|---|---|---|---|
| the consumer themself | full | full | full | it is theirs |
| agent, supervisor | full | full | full | they contact the consumer about the complaint |
| admin | full | full | masked | an email is the sign-in identity admins manage; they never call consumers |
| mediator | full | masked | masked | mediation sessions are arranged through the platform's staff |
| merchant staff | full | masked | masked | shops answer through PledgeDesk, never around it |
| anyone else | full | masked | masked | |

A deleted account shows as "Deleted user" with no contact details, to everyone.

Deleting an account anonymises it instead of removing rows: the complaints it filed are the
platform's record of a dispute (merchant, amounts, outcome, messages) and stay, with their
timelines untouched; only what identifies the person goes.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from complaints.extensions import db
from complaints.models import (
    Attachment,
    Complaint,
    Event,
    Message,
    MessageKind,
    Notification,
    Role,
    SlaClock,
    User,
)
from complaints.services.access import visible_complaints
from complaints.services.accounts import authenticate, set_password
from complaints.services.clock import now
from complaints.workflow import N_, Refusal

log = logging.getLogger(__name__)

DELETED_NAME = N_("Deleted user")
_DELETED_EMAIL = re.compile(r"^deleted-\d+@invalid$")

FULL_EMAIL_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
FULL_PHONE_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})

EXPORT_FORMAT = "pledgedesk-personal-data/1"


# --- Masking ---------------------------------------------------------------------------------


def mask_email(email: str | None) -> str:
    """`lilei@example.com` -> `l***@example.com`: the first letter and the domain stay.

    A one-letter name is hidden entirely; text without an "@" keeps only its first letter.
    """
    email = (email or "").strip()
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at:
        return email[0] + "***"
    shown = local[0] if len(local) > 1 else ""
    return f"{shown}***@{domain}"


def mask_phone(phone: str | None) -> str:
    """`13812345678` -> `138****5678`, as Chinese services show mobile numbers.

    Separators are dropped and a leading "+" is kept. Numbers of 11 digits or more keep their
    prefix (country code and carrier) and last four digits; shorter ones keep at most the last
    four, and very short ones nothing, so that a mask never reveals most of a number.
    """
    phone = (phone or "").strip()
    if not phone:
        return ""
    plus = "+" if phone.startswith("+") else ""
    digits = re.sub(r"\D", "", phone)
    n = len(digits)
    if n >= 11:
        return f"{plus}{digits[: n - 8]}****{digits[-4:]}"
    if n >= 8:
        return f"{plus}****{digits[-4:]}"
    if n >= 5:
        return f"{plus}****{digits[-2:]}"
    return "****"


def is_deleted_account(user: User | None) -> bool:
    """Whether `user` is an account its owner deleted (anonymised, never to sign in again)."""
    return user is not None and not user.active and bool(_DELETED_EMAIL.match(user.email or ""))


def contact_for(viewer, consumer: User | None) -> dict:
    """The name, email and phone of `consumer` in the form `viewer` may see (see the table above).

    viewer: the signed-in user (or an anonymous user / None: everything masked).
    Returns name, email, phone (each possibly masked, "" when unknown), email_masked,
    phone_masked, and deleted (the template then shows "Deleted user" in the reader's language).
    """
    if consumer is None or is_deleted_account(consumer):
        return _no_contact(name=consumer.name if consumer else "", deleted=consumer is not None)
    role = getattr(viewer, "role", None) if getattr(viewer, "is_authenticated", False) else None
    own = role is not None and viewer.id == consumer.id
    full_email = own or role in FULL_EMAIL_ROLES
    full_phone = own or role in FULL_PHONE_ROLES
    return _no_contact(name=consumer.name) | {
        "email": consumer.email if full_email else mask_email(consumer.email),
        "phone": (consumer.phone or "") if full_phone else mask_phone(consumer.phone),
        "email_masked": not full_email,
        "phone_masked": not full_phone and bool(consumer.phone),
    }


def _no_contact(name: str, deleted: bool = False) -> dict:
    return {
        "name": name,
        "email": "",
        "phone": "",
        "email_masked": False,
        "phone_masked": False,
        "deleted": deleted,
    }


# --- The account page ------------------------------------------------------------------------

_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{3,30}$")


def update_profile(user: User, *, name: str, phone: str | None, locale: str, timezone: str | None) -> None:
    """Change what `user` says about themself.

    name: required, at most 120 characters.
    phone: optional; digits with spaces, dashes, brackets and a leading "+".
    locale: one of the app's LANGUAGES.
    timezone: an IANA zone name (checked with zoneinfo), or empty for the platform's default.
    Raises Refusal naming the problem. The caller commits.
    """
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise Refusal(N_("Give your name (at most 120 characters)."))
    phone = (phone or "").strip() or None
    if phone is not None and not (_PHONE.match(phone) and len(re.sub(r"\D", "", phone)) >= 5):
        raise Refusal(N_("Give a phone number of digits, optionally starting with +."))
    if locale not in current_app.config["LANGUAGES"]:
        raise Refusal(N_("Choose a language."))
    timezone = (timezone or "").strip() or None
    if timezone is not None and not is_time_zone(timezone):
        raise Refusal(N_("Choose a time zone from the list."))
    user.name, user.phone, user.locale, user.timezone = name, phone, locale, timezone


def is_time_zone(name: str) -> bool:
    """Whether `name` is a time zone this system knows (IANA name, e.g. Asia/Shanghai)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class WrongPassword(Refusal):
    """The password given to confirm a change is not the account's."""

    def __init__(self):
        super().__init__(N_("That is not your current password."))


def confirm_password(user: User, password: str) -> None:
    """Raise WrongPassword unless `password` is `user`'s.

    Goes through sign-in's check, so a wrong password counts towards the lockout like a failed
    sign-in (AccountLocked when too many); the caller commits after WrongPassword so it counts.
    """
    found = authenticate(user.email, password)
    if found is None or found.id != user.id:
        raise WrongPassword()


def change_password(user: User, *, current: str, new: str) -> None:
    """Replace `user`'s password after checking the current one (see confirm_password) and the
    rules for a new one (accounts.check_password_rules). Raises Refusal. The caller commits."""
    confirm_password(user, current)
    set_password(user, new)


# --- Erasure ---------------------------------------------------------------------------------


def delete_consumer_account(user: User) -> None:
    """Anonymise the consumer `user` at their request; they can never sign in again.

    user: a consumer whose password the caller has confirmed (confirm_password).
    The account keeps its id (complaints point to it) but loses everything that identifies the
    person: name "Deleted user", email deleted-<id>@invalid (unique, and not an address anyone
    can register), no phone, an unusable password hash, no language or time zone; it is made
    inactive and its notifications are removed. Their complaints stay as they are, with their
    messages (the dispute record) now shown by "Deleted user"; no event is added to any
    timeline. Logged for the audit trail. The caller commits and ends the session.
    """
    if user.role is not Role.CONSUMER:
        raise Refusal(N_("Only a consumer's own account can be deleted here."))
    user.name = DELETED_NAME
    user.email = f"deleted-{user.id}@invalid"
    user.phone = None
    # "!" never parses as an Argon2 hash, so no password can ever match it.
    user.password_hash = "!" + secrets.token_hex(32)
    user.active = False
    user.locale = None
    user.timezone = None
    user.failed_logins = 0
    user.locked_until = None
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.flush()
    log.info("account_deleted: consumer %s anonymised at their request", user.id)


# --- Export ----------------------------------------------------------------------------------

# Facts on public events a consumer may take with them (never who on the staff was assigned).
_PUBLIC_DETAIL = [
    "reason",
    "outcome",
    "compensation_amount",
    "rating",
    "organisation",
    "disputed_outcome",
    "party",
    "clock",
    "due_at",
    "met",
    "paused_seconds",
    "files",
    "attachments",
    "major",
    "held_at",
    "channel",
    "claimed_amount",
]


def export_consumer_data(user: User) -> dict:
    """Everything PledgeDesk holds about the consumer `user`, as JSON-ready data.

    Their account (never the password hash), every complaint they filed with its public
    messages, public timeline, attachments (name, type, size, SHA-256; not the bytes), pledge
    clocks and rating, and their notifications. Internal notes, staff-only events and the
    staff's identities stay out. Times are ISO 8601 in UTC. Read-only, in a fixed number of queries.
    """
    if user.role is not Role.CONSUMER:
        raise Refusal(N_("Only consumers can download their data."))
    complaints = list(
        db.session.scalars(
            visible_complaints(user)
            .options(
                joinedload(Complaint.merchant),
                joinedload(Complaint.category),
                joinedload(Complaint.mediation_org),
            )
            .order_by(Complaint.created_at, Complaint.id)
        )
    )
    ids = [c.id for c in complaints]
    messages = _by_complaint(
        select(Message)
        .where(Message.complaint_id.in_(ids), Message.kind != MessageKind.INTERNAL)
        .options(joinedload(Message.author))
        .order_by(Message.created_at, Message.id)
    )
    events = _by_complaint(
        select(Event)
        .where(Event.complaint_id.in_(ids), Event.public.is_(True))
        .options(joinedload(Event.actor))
        .order_by(Event.id)
    )
    attachments = _by_complaint(
        select(Attachment)
        .outerjoin(Message, Attachment.message_id == Message.id)
        .where(
            Attachment.complaint_id.in_(ids),
            Attachment.message_id.is_(None) | (Message.kind != MessageKind.INTERNAL),
        )
        .order_by(Attachment.id)
    )
    clocks = _by_complaint(select(SlaClock).where(SlaClock.complaint_id.in_(ids)).order_by(SlaClock.id))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": iso(now()),
        "account": _account(user),
        "complaints": [
            {
                **_complaint(c),
                "messages": [_message(m, user) for m in messages[c.id]],
                "timeline": [_event(e, user) for e in events[c.id]],
                "attachments": [_attachment(a, user) for a in attachments[c.id]],
                "clocks": [_clock(k) for k in clocks[c.id]],
            }
            for c in complaints
        ],
        "notifications": _notifications(user),
    }


def iso(value: datetime | None) -> str | None:
    """An instant as ISO 8601 in UTC (`2026-03-02T02:00:00Z`)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _by_complaint(query) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in db.session.scalars(query).unique():
        grouped[row.complaint_id].append(row)
    return grouped


def _money(value) -> str | None:
    return None if value is None else str(value)


def _who(person: User | None, person_id: int | None, me: User) -> str:
    """Who wrote or did something, from the consumer's side: themself, or which party."""
    if person_id is None:
        return "system"
    if person_id == me.id:
        return "you"
    if person is not None and person.role is Role.MEDIATOR:
        return "mediator"
    return "platform_staff"


def _account(user: User) -> dict:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "phone": user.phone,
        "role": user.role.value,
        "language": user.locale,
        "time_zone": user.timezone,
        "active": user.active,
        "created_at": iso(user.created_at),
        "failed_sign_in_attempts": user.failed_logins,
        "locked_until": iso(user.locked_until),
    }


def _complaint(c: Complaint) -> dict:
    rating = {"score": c.rating, "comment": c.rating_comment} if c.rating is not None else None
    return {
        "reference": c.reference,
        "state": c.state.value,
        "waiting_on": c.waiting_on.value if c.waiting_on else None,
        "merchant": {"shop_code": c.merchant.shop_code, "name": c.merchant.name},
        "category": c.category.code,
        "order_reference": c.order_reference,
        "title": c.title,
        "description": c.description,
        "desired_outcome": c.desired_outcome.value,
        "claimed_amount": _money(c.claimed_amount),
        "is_major": c.is_major,
        "mediation_organisation": c.mediation_org.name if c.mediation_org else None,
        "rejection_reason": c.rejection_reason,
        "outcome": c.outcome.value if c.outcome else None,
        "outcome_note": c.outcome_note,
        "compensation_amount": _money(c.compensation_amount),
        "rating": rating,
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
        "first_response_at": iso(c.first_response_at),
        "decided_at": iso(c.decided_at),
        "closed_at": iso(c.closed_at),
    }


def _message(m: Message, me: User) -> dict:
    return {
        "kind": m.kind.value,
        "author": _who(m.author, m.author_id, me),
        "body": m.body,
        "created_at": iso(m.created_at),
    }


def _event(e: Event, me: User) -> dict:
    return {
        "action": e.action,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "by": _who(e.actor, e.actor_id, me),
        "at": iso(e.created_at),
        "detail": {k: e.detail[k] for k in _PUBLIC_DETAIL if k in (e.detail or {})},
    }


def _attachment(a: Attachment, me: User) -> dict:
    return {
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_by_you": a.uploaded_by_id == me.id,
        "uploaded_at": iso(a.created_at),
    }


def _clock(k: SlaClock) -> dict:
    return {
        "kind": k.kind.value,
        "started_at": iso(k.started_at),
        "due_at": iso(k.due_at),
        "paused_at": iso(k.paused_at),
        "stopped_at": iso(k.stopped_at),
        "breached_at": iso(k.breached_at),
    }


def _notifications(user: User) -> list[dict]:
    rows = db.session.execute(
        select(Notification, Complaint.reference)
        .outerjoin(Complaint, Notification.complaint_id == Complaint.id)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id)
    )
    return [
        {
            "kind": n.kind.value,
            "complaint": reference,
            "detail": n.detail or {},
            "created_at": iso(n.created_at),
            "read_at": iso(n.read_at),
        }
        for n, reference in rows
    ]
