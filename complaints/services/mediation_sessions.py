"""Mediation underway: sessions the mediator schedules for both parties, and the mediator's
questions to a party.

A scheduled session (when, and how: phone, video, in person, online) is told to both parties and
shown on their pages in their own time zone; it carries no notes. Notes belong to the sessions the
mediator records as held (services/mediation.py), which only the organisation reads
(participants.sees_mediation_notes). A question to a party sets the complaint waiting on it, which
pauses the clocks its pledge names, until that party answers (a reply, or the shop's answer).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from complaints.extensions import db
from complaints.models import Complaint, MediationSession, Message, MessageKind, User, WaitingOn
from complaints.services.conversation import MAX_BODY
from complaints.services.effects import Change, effect
from complaints.services.mediation import CHANNELS
from complaints.timekeeping import now
from complaints.workflow import N_, Action, Refusal

SCHEDULED, HELD = "scheduled", "held"


@effect(Action.SCHEDULE_SESSION)
def _schedule_session(complaint: Complaint, user: User, params: dict) -> Change:
    starts_at = params["starts_at"]
    if not isinstance(starts_at, datetime) or starts_at.tzinfo is None:
        raise Refusal(N_("Give the date and time of the session."))
    if starts_at <= now():
        raise Refusal(N_("A session is scheduled for a time still to come."))
    channel = params.get("channel")
    if channel not in CHANNELS:
        raise Refusal(N_("Choose how the session is held."))
    db.session.add(
        MediationSession(
            complaint_id=complaint.id,
            mediator_id=user.id,
            held_at=starts_at,
            channel=channel,
            notes="",
            status=SCHEDULED,
            created_at=now(),
        )
    )
    return Change({"starts_at": starts_at.isoformat(), "channel": channel})


@effect(Action.ASK_PARTY)
def _ask_party(complaint: Complaint, user: User, params: dict) -> Change:
    try:
        party = WaitingOn(params["party"])
    except ValueError as exc:
        raise Refusal(N_("Choose whom to ask: the consumer or the merchant.")) from exc
    body = (params.get("body") or "").strip()
    if not body:
        raise Refusal(N_("Write a message."))
    if len(body) > MAX_BODY:
        raise Refusal(N_("A message can be at most %(max)s characters."), max=MAX_BODY)
    # The consumer reads a question to them as a reply; the shop reads its question in its portal.
    kind = MessageKind.PUBLIC if party is WaitingOn.CONSUMER else MessageKind.MERCHANT_QUESTION
    db.session.add(
        Message(complaint_id=complaint.id, author_id=user.id, kind=kind, body=body, created_at=now())
    )
    complaint.set_waiting_on(party, True)
    return Change({"party": party.value})


def scheduled_sessions(complaint_id: int) -> list[MediationSession]:
    """The sessions scheduled for a complaint, soonest first (both parties and the mediators see
    them; they carry no notes)."""
    return list(
        db.session.scalars(
            select(MediationSession)
            .where(MediationSession.complaint_id == complaint_id, MediationSession.status == SCHEDULED)
            .order_by(MediationSession.held_at, MediationSession.id)
        )
    )
