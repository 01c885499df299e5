"""A referral to mediation, from the referral to the organisation's answer.

Referring (services/mediation.py: an agent's escalation, the consumer's dispute or escalation after
a resolution breach) opens a referral to the organisation chosen (referral_choice.py proposes one)
and moves the complaint to `mediated`. Then:

| status | who | what |
|---|---|---|
| awaiting consent | the consumer, the shop's staff | each consents once, or declines with a reason (the complaint goes back to the platform: verified) |
| awaiting consent, window passed | the system | the parties who did not answer lapse: a decline (the scheduler, or any action read after it) |
| awaiting the organisation | its mediators | accept (mediation underway, its clock starts) or return with a reason (back to the platform) |

A consumer who refers consents by referring. The organisation sees the case only once both
consented. Each step is a workflow action through the lifecycle, so it is checked, recorded and told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from complaints.extensions import db
from complaints.models import (
    ClockKind,
    Complaint,
    ConsentAnswer,
    ConsentParty,
    MediationOrganisation,
    Referral,
    ReferralConsent,
    ReferralStatus,
    User,
    WorkCalendar,
)
from complaints.services import referral_choice
from complaints.services.effects import Change, effect
from complaints.sla import calendar as wt
from complaints.sla import policy
from complaints.sla.facts import UNREAD, consent_lapsed, latest_referral
from complaints.timekeeping import now
from complaints.workflow import N_, Action, Refusal

MAX_REASON = 2000


def consent_window_ends(complaint: Complaint, at: datetime) -> datetime:
    """When the parties' time to consent to a referral made at `at` ends: REFERRAL_CONSENT_DAYS
    working days later, in the calendar of the complaint's mediation pledge (else the first one)."""
    days = int(current_app.config["REFERRAL_CONSENT_DAYS"])
    calendar_id = _calendar_id(complaint)
    if calendar_id is None:
        return at + timedelta(days=days)
    return wt.add_working_days(policy.calendar_of(calendar_id, at), at, days)


def _calendar_id(complaint: Complaint) -> int | None:
    promises = policy.promises_of(complaint.policy_version_id) if complaint.policy_version_id else None
    if promises is not None:
        promise = promises.get(ClockKind.MEDIATION) or next(iter(promises.by_kind.values()), None)
        if promise is not None:
            return promise.calendar_id
    return db.session.scalar(select(WorkCalendar.id).order_by(WorkCalendar.id).limit(1))


def refer(complaint: Complaint, user: User | None, organisation_id, via: Action) -> MediationOrganisation:
    """Open a referral of `complaint` to the organisation `organisation_id` chose by `user`.

    via: the action that refers (escalate or dispute).
    Refusal if the organisation may not take it (referral_choice.chosen_organisation). The
    consumer who refers consents by doing so; the shop is asked in its portal.
    """
    organisation = referral_choice.chosen_organisation(complaint, organisation_id)
    proposed = referral_choice.propose(complaint.category_id)
    at = now()
    referral = Referral(
        complaint_id=complaint.id,
        organisation_id=organisation.id,
        proposed_organisation_id=proposed.id if proposed else None,
        referred_by_id=user.id if user is not None else None,
        referred_at=at,
        via=via.value,
        status=ReferralStatus.AWAITING_CONSENT,
        consent_due_at=consent_window_ends(complaint, at),
    )
    db.session.add(referral)
    db.session.flush()
    if user is not None and user.id == complaint.consumer_id:
        _answer(referral, ConsentParty.CONSUMER, ConsentAnswer.CONSENTED, user, None)
    complaint.mediation_org_id = None  # its mediators see the case once both parties consented
    complaint.was_mediated = True
    complaint.waiting_on_consumer = complaint.waiting_on_merchant = False
    return organisation


def _answer(referral: Referral, party: ConsentParty, answer: ConsentAnswer, user, reason) -> ReferralConsent:
    consent = ReferralConsent(
        referral_id=referral.id,
        party=party,
        answer=answer,
        user_id=user.id if user else None,
        reason=reason,
        answered_at=now(),
    )
    referral.consents.append(consent)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the other tab, or another of the shop's staff, answered first
        raise Refusal(N_("This referral has already been answered for your side.")) from exc
    return consent


def _open(complaint: Complaint, status: ReferralStatus) -> Referral:
    referral = latest_referral(complaint.id)
    if referral is None or referral.status is not status:
        raise Refusal(N_("There is no referral to mediation waiting for this."))
    return referral


def party_of(complaint: Complaint, user: User) -> ConsentParty:
    """The side `user` answers for: the complaint's consumer, or the shop (its staff, or the
    platform's staff recording the answer the shop gave them)."""
    return ConsentParty.CONSUMER if user.id == complaint.consumer_id else ConsentParty.SHOP


def _named(referral: Referral) -> dict:
    org = referral.organisation
    return {"organisation": org.name, "organisation_en": org.name_en}


@effect(Action.CONSENT_REFERRAL)
def _consent(complaint: Complaint, user: User, params: dict) -> Change:
    referral = _open(complaint, ReferralStatus.AWAITING_CONSENT)
    party = party_of(complaint, user)
    _answer(referral, party, ConsentAnswer.CONSENTED, user, None)
    both = {c.party for c in referral.consents if c.answer is ConsentAnswer.CONSENTED} == set(ConsentParty)
    if both:
        referral.status = ReferralStatus.AWAITING_ORGANISATION
        complaint.mediation_org_id = referral.organisation_id
    return Change({**_named(referral), "side": party.value, "to_organisation": both})


@effect(Action.DECLINE_REFERRAL)
def _decline(complaint: Complaint, user: User | None, params: dict) -> Change:
    referral = _open(complaint, ReferralStatus.AWAITING_CONSENT)
    at = now()
    if user is None:  # the window lapsed: each party that did not answer declined by silence
        answered = {c.party for c in referral.consents}
        for party in ConsentParty:
            if party not in answered:
                _answer(referral, party, ConsentAnswer.LAPSED, None, None)
        side, reason = None, None
    else:
        side, reason = party_of(complaint, user), _reason(params)
        _answer(referral, side, ConsentAnswer.DECLINED, user, reason)
    _end(complaint, referral, ReferralStatus.DECLINED, side.value if side else "lapse", reason, at)
    return Change(
        {**_named(referral), "side": side.value if side else None, "lapsed": user is None, "reason": reason}
    )


@effect(Action.ACCEPT_REFERRAL)
def _accept(complaint: Complaint, user: User, params: dict) -> Change:
    referral = _open(complaint, ReferralStatus.AWAITING_ORGANISATION)
    referral.status = ReferralStatus.ACCEPTED
    referral.answered_by_id, referral.accepted_at = user.id, now()
    return Change(_named(referral))


@effect(Action.RETURN_REFERRAL)
def _return(complaint: Complaint, user: User, params: dict) -> Change:
    referral = _open(complaint, ReferralStatus.AWAITING_ORGANISATION)
    reason = _reason(params)
    referral.answered_by_id = user.id
    _end(complaint, referral, ReferralStatus.RETURNED, "organisation", reason, now())
    return Change({**_named(referral), "reason": reason})


def _reason(params: dict) -> str:
    reason = (params.get("reason") or "").strip()
    if not reason:
        raise Refusal(N_("Give your reason."))
    if len(reason) > MAX_REASON:
        raise Refusal(N_("A reason can be at most %(max)s characters."), max=MAX_REASON)
    return reason


def _end(complaint, referral, status, ended_by: str, reason, at) -> None:
    """The referral ends; the complaint is the platform's again (a mediation accepted before
    still counts as one: the outcome of a later decision is not disputed into mediation twice)."""
    referral.status, referral.ended_by, referral.end_reason, referral.ended_at = status, ended_by, reason, at
    complaint.mediation_org_id = None
    complaint.waiting_on_consumer = complaint.waiting_on_merchant = False
    complaint.was_mediated = bool(
        db.session.scalar(
            select(
                exists().where(
                    Referral.complaint_id == complaint.id, Referral.status == ReferralStatus.ACCEPTED
                )
            )
        )
    )


@dataclass(frozen=True)
class ReferralState:
    """A complaint's latest referral as a page shows it, read truthfully now: a consent window
    that passed is `lapsed` whether or not the scheduler has recorded it."""

    referral: Referral
    lapsed: bool

    @property
    def status(self) -> str:
        """The referral's status as a page names it: lapsed once its window passed, and while it
        waits for consent, whose consent it still waits for."""
        if self.lapsed:
            return "lapsed"
        status = self.referral.status.value
        if status == ReferralStatus.AWAITING_CONSENT.value:
            answered = {consent.party for consent in self.referral.consents}
            if answered == {ConsentParty.CONSUMER}:
                return "awaiting_shop"
            if answered == {ConsentParty.SHOP}:
                return "awaiting_consumer"
        return status

    @property
    def waiting_for_consent(self) -> bool:
        """Still open to the parties' answers (not lapsed)."""
        return not self.lapsed and self.referral.status is ReferralStatus.AWAITING_CONSENT

    def answer_of(self, party: str) -> ReferralConsent | None:
        return self.referral.answer_of(ConsentParty(party))


def referral_state(complaint: Complaint, referral=UNREAD) -> ReferralState | None:
    """The latest referral of `complaint` for its page, or None if it was never referred.
    referral: that referral when the caller has read it (None: there is none)."""
    if referral is UNREAD:
        referral = latest_referral(complaint.id)
    if referral is None:
        return None
    return ReferralState(referral, consent_lapsed(referral, now()))


def lapse_overdue_consents() -> int:
    """Decline, as the system, every referral whose consent window passed without both answers
    (the scheduler's job); each in its own transaction. Returns how many lapsed."""
    from complaints.services.lifecycle import apply_action

    due = db.session.scalars(
        select(Referral.complaint_id).where(
            Referral.status == ReferralStatus.AWAITING_CONSENT, Referral.consent_due_at < now()
        )
    ).all()
    lapsed = 0
    for complaint_id in due:
        complaint = db.session.get(Complaint, complaint_id)
        try:
            apply_action(complaint, None, Action.DECLINE_REFERRAL, reason="lapsed")
        except Refusal:
            db.session.rollback()
            continue
        db.session.commit()
        lapsed += 1
    return lapsed
