"""The facts the workflow's guards need about one complaint, read where the pledge keeps them.

The lifecycle (before an action) and the sweep (before offering the consumer mediation) build
them with this one function, so both ask the workflow the same question.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select

from complaints.extensions import db
from complaints.models import (
    Agreement,
    AgreementStatus,
    ClockKind,
    ConsentParty,
    OfferStatus,
    Referral,
    ReferralStatus,
    SettlementOffer,
    SlaClock,
)
from complaints.sla import terms
from complaints.timekeeping import now
from complaints.workflow import Facts, State

# What a caller passes for a fact's source it has not read (None means it read: there is none).
UNREAD = object()


def facts_for(
    complaint,
    *,
    resolution_breached: bool | None = None,
    at: datetime | None = None,
    offers=UNREAD,
    agreement=UNREAD,
    referral=UNREAD,
) -> Facts:
    """The workflow facts of `complaint` at `at` (default now).

    complaint: a Complaint, or a row of the complaints table with the same columns.
    resolution_breached: already known (the sweep has just recorded that breach); else read
      from the complaint's latest resolution clock.
    offers, agreement, referral: the complaint's settlement offers, its agreement and its latest
      referral (or None: it has none), when the caller has read them (a complaint page shows
      them); else read here.
    """
    at = at or now()
    if resolution_breached is None:
        resolution_breached = latest_is_overdue_or_missed(complaint.id, ClockKind.RESOLUTION, at)
    agreement = _agreement_status(complaint.id) if agreement is UNREAD else agreement and agreement.status
    open_offer = (
        _has_open_offer(complaint.id)
        if offers is UNREAD
        else any(offer.status == OfferStatus.OPEN for offer in offers)
    )
    state = State(complaint.state)
    if state is not State.MEDIATED:
        referral = None  # (the referral's stage matters in mediation only)
    elif referral is UNREAD:
        referral = latest_referral(complaint.id)
    return Facts(
        state=state,
        was_mediated=bool(complaint.was_mediated),
        appeal_used=bool(complaint.appeal_used),
        within_appeal_window=within_appeal_window(complaint.decided_at, at),
        resolution_breached=resolution_breached,
        open_offer=open_offer,
        agreement_pending=agreement is AgreementStatus.AWAITING_ACCEPTANCE,
        agreement_in_force=agreement in (AgreementStatus.BINDING, AgreementStatus.UNPAID),
        **referral_facts(referral, at),
    )


# A referral's status as the workflow's facts name its stage.
REFERRAL_STAGES = {
    ReferralStatus.AWAITING_CONSENT: "consent",
    ReferralStatus.AWAITING_ORGANISATION: "organisation",
    ReferralStatus.ACCEPTED: "underway",
}
# The actor who answers for each party.
CONSENTING_ACTORS = {ConsentParty.CONSUMER: "consumer", ConsentParty.SHOP: "merchant"}


def latest_referral(complaint_id: int) -> Referral | None:
    """The complaint's most recent referral to mediation, if it ever had one."""
    return db.session.scalar(
        select(Referral).where(Referral.complaint_id == complaint_id).order_by(Referral.id.desc()).limit(1)
    )


def consent_lapsed(referral: Referral, at: datetime) -> bool:
    """Whether the window to consent to `referral` passed without both answers, at `at`, whether
    or not the scheduler has recorded the lapse yet."""
    return referral.status is ReferralStatus.AWAITING_CONSENT and at > referral.consent_due_at


def referral_facts(referral: Referral | None, at: datetime) -> dict:
    """The workflow's facts about a mediated complaint's latest referral (none: mediation that
    began before referrals asked for consent counts as underway)."""
    stage = REFERRAL_STAGES.get(referral.status) if referral is not None else None
    if stage is None:
        return {}
    answered = {consent.party for consent in referral.consents}
    return {
        "referral": stage,
        "awaiting_consent_of": frozenset(a for p, a in CONSENTING_ACTORS.items() if p not in answered),
        "consent_lapsed": consent_lapsed(referral, at),
    }


def within_appeal_window(decided_at: datetime | None, at: datetime | None = None) -> bool:
    """Whether a decision taken at `decided_at` can still be appealed or disputed at `at`."""
    if decided_at is None:
        return True
    days = current_app.config["APPEAL_WINDOW_DAYS"]
    return (at or now()) <= decided_at + timedelta(days=days)


def latest_is_overdue_or_missed(complaint_id: int, kind: ClockKind, at: datetime) -> bool:
    """Whether the newest `kind` clock of the complaint broke its promise by `at`: overdue now
    (whether or not the sweep has seen it) or stopped as missed."""
    latest = db.session.scalar(
        select(SlaClock)
        .where(SlaClock.complaint_id == complaint_id, SlaClock.kind == kind)
        .order_by(SlaClock.id.desc())
        .limit(1)
    )
    return latest is not None and terms.broke_promise(latest, at)


def latest_broke_promise(clocks: list[SlaClock], kind: ClockKind, at: datetime) -> bool:
    """The same question for clocks already loaded (oldest first), without asking the database."""
    latest = next((clock for clock in reversed(clocks) if clock.kind is kind), None)
    return latest is not None and terms.broke_promise(latest, at)


def _has_open_offer(complaint_id: int) -> bool:
    """Whether the shop has an offer on the complaint that the consumer has not answered."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    SettlementOffer.complaint_id == complaint_id, SettlementOffer.status == OfferStatus.OPEN
                )
            )
        )
    )


def _agreement_status(complaint_id: int) -> AgreementStatus | None:
    """The status of the complaint's mediation agreement, if a settled mediation produced one."""
    return db.session.scalar(select(Agreement.status).where(Agreement.complaint_id == complaint_id))
