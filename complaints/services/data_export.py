"""Everything held about a consumer, as one JSON document they can download (their right of access).

Public records only: the consumer's account, their complaints with public messages, public
events, attachment metadata, pledge clocks and notifications. Never internal notes, staff-only
events or other people's data.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from complaints import participants
from complaints.extensions import db
from complaints.models import (
    Attachment,
    Complaint,
    Event,
    Message,
    MessageKind,
    Notification,
    SettlementOffer,
    SlaClock,
    User,
)
from complaints.participants import visible_complaints
from complaints.timekeeping import now
from complaints.workflow import N_, Refusal

log = logging.getLogger(__name__)

EXPORT_FORMAT = "pledgedesk-personal-data/1"


# --- Export ----------------------------------------------------------------------------------

# Facts on public events a consumer may take with them (never who on the staff was assigned).
_PUBLIC_DETAIL = [
    "reason",
    "outcome",
    "compensation_amount",
    "rating",
    "organisation",
    "organisation_en",
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
    clocks, the shop's settlement offers and rating, and their notifications. Internal notes, staff-only events and the
    staff's identities stay out. Times are ISO 8601 in UTC. Read-only, in a fixed number of queries.
    """
    if not participants.of(user).data_subject:
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
            Attachment.session_id.is_(None),  # a mediation session's documents are the organisation's
            Attachment.message_id.is_(None) | (Message.kind != MessageKind.INTERNAL),
        )
        .order_by(Attachment.id)
    )
    clocks = _by_complaint(select(SlaClock).where(SlaClock.complaint_id.in_(ids)).order_by(SlaClock.id))
    offers = _by_complaint(
        select(SettlementOffer).where(SettlementOffer.complaint_id.in_(ids)).order_by(SettlementOffer.id)
    )
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
                "settlement_offers": [_offer(o) for o in offers[c.id]],
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
    return participants.of(person).party if person is not None else "platform_staff"


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
        "waiting_on": [party.value for party in c.waiting],
        "merchant": {"shop_code": c.merchant.shop_code, "name": c.merchant.name},
        "category": c.category.code,
        "order_reference": c.order_reference,
        "title": c.title,
        "description": c.description,
        "desired_outcome": c.desired_outcome.value,
        "claimed_amount": _money(c.claimed_amount),
        "is_major": c.is_major,
        "mediation_organisation": c.mediation_org.name if c.mediation_org else None,
        "mediation_organisation_en": c.mediation_org.name_en if c.mediation_org else None,
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


def _offer(o: SettlementOffer) -> dict:
    return {
        "kind": o.kind.value,
        "amount": _money(o.amount),
        "terms": o.terms,
        "perform_by": iso(o.perform_by),
        "status": o.status.value,
        "offered_at": iso(o.created_at),
        "answered_at": iso(o.answered_at),
        "decline_reason": o.decline_reason,
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
