"""Referral to third-party mediation, sessions, and the mediator's outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from complaints.extensions import db
from complaints.models import (
    MEDIATION_OUTCOMES,
    Complaint,
    MediationOrganisation,
    MediationSession,
    NotSettledReason,
    Outcome,
    User,
)
from complaints.services import agreements, referrals
from complaints.services.attachments import store_attachments
from complaints.services.effects import Change, effect
from complaints.services.money import parse_amount
from complaints.timekeeping import now
from complaints.workflow import N_, Action, Refusal


def active_organisations() -> list[MediationOrganisation]:
    """Mediation organisations that take new referrals, by name."""
    return list(
        db.session.scalars(
            select(MediationOrganisation)
            .where(MediationOrganisation.active.is_(True))
            .order_by(MediationOrganisation.name)
        )
    )


def _refer(complaint: Complaint, user: User, org_id, via: Action) -> MediationOrganisation:
    # The referral waits for both parties' consent and the organisation's acceptance (referrals.py).
    return referrals.refer(complaint, user, org_id, via)


def _named(org: MediationOrganisation) -> dict:
    """The organisation's names as the timeline keeps them: the reader sees the one of their
    language (web.templating.in_locale), as it was called when the complaint was referred."""
    return {"organisation": org.name, "organisation_en": org.name_en}


@effect(Action.ESCALATE)
def _escalate(complaint: Complaint, user: User, params: dict) -> Change:
    org = _refer(complaint, user, params["mediation_org_id"], Action.ESCALATE)
    return Change({**_named(org), "reason": params.get("reason") or None})


@effect(Action.DISPUTE)
def _dispute(complaint: Complaint, user: User, params: dict) -> Change:
    org = _refer(complaint, user, params["mediation_org_id"], Action.DISPUTE)
    disputed = complaint.outcome.value if complaint.outcome else None
    complaint.decided_at = None
    return Change({**_named(org), "reason": params["reason"], "disputed_outcome": disputed})


_CHOOSE_OUTCOME = N_("Choose settled, not settled or withdrawn.")
# What the note of each outcome says; the consumer and the shop read it.
_NOTE_NEEDED = {
    Outcome.SETTLED: N_("Write down the terms the parties agreed."),
    Outcome.NOT_SETTLED: N_("Write down why the parties did not settle."),
    Outcome.MEDIATION_WITHDRAWN: N_("Write down who withdrew from mediation, and why."),
}


@effect(Action.RECORD_OUTCOME)
def _record_outcome(complaint: Complaint, user: User, params: dict) -> Change:
    try:
        outcome = Outcome(params["outcome"])
    except ValueError as exc:
        raise Refusal(_CHOOSE_OUTCOME) from exc
    if outcome not in MEDIATION_OUTCOMES:
        raise Refusal(_CHOOSE_OUTCOME)
    note = (params.get("note") or "").strip()
    if not note:
        raise Refusal(_NOTE_NEEDED[outcome])
    amount = parse_amount(params.get("compensation_amount"), field="amount")
    reason = None
    if outcome is not Outcome.SETTLED:
        amount = None
    if outcome is Outcome.NOT_SETTLED:
        given = params.get("not_settled_reason")
        reason = _not_settled_reason(given) if given else None  # the form asks for it; callers may not know
    complaint.outcome = outcome
    complaint.outcome_note = note
    complaint.compensation_amount = amount
    complaint.not_settled_reason = reason
    complaint.decided_at = now()
    detail = {"outcome": outcome.value, "compensation_amount": str(amount) if amount is not None else None}
    if outcome is Outcome.SETTLED:
        # The agreement the parties are to accept, in the same transaction as the outcome.
        detail.update(agreements.record_agreement(complaint, user, params))
    elif reason is not None:
        detail["not_settled_reason"] = reason.value
    return Change(detail)


def _not_settled_reason(value) -> NotSettledReason:
    try:
        return NotSettledReason(value or "")
    except ValueError as exc:
        raise Refusal(
            N_(
                "Say why the parties did not settle: a party refused, was unreachable, no agreement, or time ran out."
            )
        ) from exc


CHANNELS = ("phone", "video", "in_person", "online")


@effect(Action.RECORD_SESSION)
def _record_session(complaint: Complaint, user: User, params: dict) -> Change:
    held_at = params["held_at"]
    if not isinstance(held_at, datetime) or held_at.tzinfo is None:
        raise Refusal(N_("Give the date and time the session was held."))
    if held_at > now():
        raise Refusal(N_("A session cannot be recorded before it is held."))
    channel = params.get("channel") or "phone"
    if channel not in CHANNELS:
        raise Refusal(N_("Choose how the session was held."))
    session = MediationSession(
        complaint_id=complaint.id,
        mediator_id=user.id,
        held_at=held_at,
        channel=channel,
        notes=params["notes"],
        created_at=now(),
    )
    db.session.add(session)
    documents = []
    if params.get("files"):
        db.session.flush()  # the session's id, for its documents
        documents = store_attachments(complaint, user, params["files"], session=session)
    return Change({"held_at": held_at.isoformat(), "channel": channel, "documents": len(documents)})
