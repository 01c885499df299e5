"""The agreement of a settled mediation: recorded with the outcome, accepted, performed or unpaid.

The mediator's settled outcome records the agreement in the same transaction
(services/mediation.py calls `record_agreement`). Each later step is a workflow action taken
through `lifecycle.act_on_complaint` (or `apply_action` for the scheduler), so it is checked,
versioned, hash-chained on the timeline and announced like every other action; the effects below
apply it after asking services/agreement_rules.py whether this party may take this step now.

For the guarantee deposit (services/deposit_payouts.py): `unpaid_agreement(complaint_id)` is the
agreement of that complaint whose deadline passed without the consumer's receipt, with the
amount the shop owes (`owed_by_shop`); a payout from the deposit records the payment on it
(`record_deposit_payment`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from complaints import participants
from complaints.extensions import db
from complaints.models import Agreement, AgreementStatus, Complaint, NotSettledReason, Outcome, Payer, User
from complaints.services.agreement_rules import (
    IN_FORCE,
    AgreementFacts,
    Side,
    Step,
    refusal,
    status_after_acceptance,
)
from complaints.services.effects import Change, effect
from complaints.services.money import parse_amount
from complaints.timekeeping import now
from complaints.workflow import N_, Action, Refusal

MAX_TERMS = 4_000
MAX_NOTE = 2_000
LONGEST_DEADLINE = timedelta(days=180)  # how far ahead a mediator may set the deadline to perform
RECEIVED, NOT_ARRIVED = "received", "not_arrived"


def platform_today() -> date:
    """Today's date in the platform's zone: deadlines to perform are dates there."""
    return now().astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def agreement_of(complaint_id: int) -> Agreement | None:
    """The complaint's agreement, if its mediation settled."""
    return db.session.scalar(select(Agreement).where(Agreement.complaint_id == complaint_id))


def unpaid_agreement(complaint_id: int) -> Agreement | None:
    """The complaint's agreement if it is unpaid (its deadline passed without the consumer's
    receipt): what a payout from the shop's guarantee deposit may make good."""
    agreement = agreement_of(complaint_id)
    return agreement if agreement is not None and agreement.status is AgreementStatus.UNPAID else None


def owed_by_shop(agreement: Agreement) -> Decimal | None:
    """What the shop owes the consumer under `agreement` once it is unpaid (None: nothing)."""
    if agreement.status is not AgreementStatus.UNPAID or agreement.payer is not Payer.SHOP:
        return None
    return agreement.amount


def side_of(user: User | None) -> Side:
    """Which side of an agreement `user` acts for, asked of the participant policy."""
    entry = participants.of(user)
    if entry.party == "consumer":
        return Side.CONSUMER
    if entry.party == "merchant":
        return Side.SHOP
    return Side.PLATFORM if entry.platform_staff else Side.NONE


def facts_of(agreement: Agreement) -> AgreementFacts:
    """The agreement as the pure rules see it."""
    paid = agreement.paid_at is not None and not (
        agreement.received is False and agreement.receipt_at and agreement.receipt_at >= agreement.paid_at
    )
    return AgreementFacts(
        status=agreement.status.value,
        payer=agreement.payer.value,
        perform_by=agreement.perform_by,
        consumer_accepted=agreement.consumer_accepted_at is not None,
        shop_accepted=agreement.shop_accepted_at is not None,
        paid=paid,
        not_arrived=agreement.received is False and not paid,
    )


def _text(value, limit: int, missing: str | None, too_long: str) -> str | None:
    text = (value or "").strip()
    if not text:
        if missing:
            raise Refusal(missing)
        return None
    if len(text) > limit:
        raise Refusal(too_long, max=limit)
    return text


def record_agreement(complaint: Complaint, mediator: User, params: dict) -> dict:
    """Record the agreement of `complaint`'s settled mediation; return the facts for its event.

    complaint: the complaint whose outcome `mediator` records (settled), in the same transaction.
    mediator: who recorded it.
    params: terms (the note), compensation_amount, payer ("shop" / "platform"), perform_by (a
      date in the platform's zone, after today and at most 180 days ahead).
    The PDF is rendered in Chinese as it stands now (no acceptance yet) and its SHA-256 kept.
    """
    from complaints.services.agreement_pdf import pdf_sha256

    terms = _text(params.get("note"), MAX_TERMS, N_("Write down the terms the parties agreed."), _TOO_LONG)
    try:
        payer = Payer(params.get("payer") or "")
    except ValueError as exc:
        raise Refusal(N_("Say who pays: the shop or the platform.")) from exc
    perform_by = params.get("perform_by")
    if isinstance(perform_by, datetime) and perform_by.tzinfo is not None:  # an instant: its day here
        perform_by = perform_by.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    if not isinstance(perform_by, date) or isinstance(perform_by, datetime):
        raise Refusal(N_("Give the date by which the agreement is to be performed."))
    today = platform_today()
    if perform_by <= today:
        raise Refusal(N_("The date to perform the agreement must be after today."))
    if perform_by > today + LONGEST_DEADLINE:
        raise Refusal(N_("The date to perform the agreement can be at most 180 days ahead."))
    agreement = Agreement(
        complaint_id=complaint.id,
        mediator_id=mediator.id,
        organisation_id=complaint.mediation_org_id,
        terms=terms,
        amount=parse_amount(params.get("compensation_amount"), field="amount"),
        payer=payer,
        perform_by=perform_by,
        status=AgreementStatus.AWAITING_ACCEPTANCE,
        created_at=now(),
        pdf_sha256="",
    )
    # Rendering reads the parties' names; nothing is flushed before the lifecycle's own flush,
    # which is the one that meets a concurrent change of the complaint (StaleComplaint).
    with db.session.no_autoflush:
        agreement.pdf_sha256 = pdf_sha256(agreement, complaint)
    db.session.add(agreement)
    return {
        "payer": payer.value,
        "perform_by": perform_by.isoformat(),
        "pdf_sha256": agreement.pdf_sha256,
    }


_TOO_LONG = N_("The text can be at most %(max)s characters.")


def _locked(complaint: Complaint) -> Agreement | None:
    """The complaint's agreement, locked for this transaction where the database can."""
    return _locked_by_id(complaint.id)


def _locked_by_id(complaint_id: int) -> Agreement | None:
    return db.session.scalar(
        select(Agreement).where(Agreement.complaint_id == complaint_id).with_for_update()
    )


def _agreement_for(complaint: Complaint, step: Step, user: User | None) -> Agreement:
    agreement = _locked(complaint)
    if agreement is None:
        raise Refusal(N_("This complaint has no mediation agreement."))
    reason = refusal(step, side_of(user), facts_of(agreement))
    if reason:
        raise Refusal(reason)
    return agreement


@effect(Action.ACCEPT_AGREEMENT)
def _accept(complaint: Complaint, user: User, params: dict) -> Change:
    from complaints.services.agreement_pdf import pdf_sha256

    agreement = _agreement_for(complaint, Step.ACCEPT, user)
    side, at = side_of(user), now()
    status = status_after_acceptance(facts_of(agreement), side)
    if side is Side.CONSUMER:
        agreement.consumer_accepted_by_id, agreement.consumer_accepted_at = user.id, at
    else:
        agreement.shop_accepted_by_id, agreement.shop_accepted_at = user.id, at
    detail = {"agreement": agreement.id, "side": side.value, "binding": status == "binding"}
    if status == "binding":
        agreement.status = AgreementStatus.BINDING
        agreement.bound_at = at
        # The document as both parties accepted it, with both acceptances printed on it.
        with db.session.no_autoflush:
            agreement.binding_pdf_sha256 = detail["pdf_sha256"] = pdf_sha256(agreement, complaint)
        detail["perform_by"] = agreement.perform_by.isoformat()
    return Change(detail)


@effect(Action.DECLINE_AGREEMENT)
def _decline(complaint: Complaint, user: User, params: dict) -> Change:
    """A party will not accept the agreement: it ends declined, and the mediation's outcome is
    what it then was, not settled because a party refused (the success rate counts it so)."""
    agreement = _agreement_for(complaint, Step.DECLINE, user)
    missing = N_("Say why you do not accept the agreement; the other party and the mediator read it.")
    reason = _text(params.get("reason"), MAX_NOTE, missing, _TOO_LONG)
    agreement.status = AgreementStatus.DECLINED
    agreement.declined_by_id, agreement.declined_at, agreement.decline_reason = user.id, now(), reason
    complaint.outcome = Outcome.NOT_SETTLED
    complaint.not_settled_reason = NotSettledReason.PARTY_REFUSED
    complaint.compensation_amount = None
    return Change(
        {
            "agreement": agreement.id,
            "side": side_of(user).value,
            "reason": reason,
            "outcome": Outcome.NOT_SETTLED.value,
            "not_settled_reason": NotSettledReason.PARTY_REFUSED.value,
        }
    )


def record_deposit_payment(complaint_id: int, user: User, entry_id: int) -> Agreement | None:
    """The shop's guarantee deposit paid the consumer of `complaint_id` (entry `entry_id`): an
    agreement of it that the shop was to pay and that is unpaid (or binding without a payment
    confirmed) counts as paid by the platform from the deposit; the consumer confirms receipt as
    after any payment. Returns that agreement, or None if the payout made good no agreement."""
    agreement = _locked_by_id(complaint_id)
    if agreement is None or agreement.payer is not Payer.SHOP:
        return None
    if agreement.status.value not in IN_FORCE or facts_of(agreement).paid:
        return None
    agreement.paid_by_id, agreement.paid_at, agreement.deposit_entry_id = user.id, now(), entry_id
    return agreement


@effect(Action.CONFIRM_PAYMENT)
def _paid(complaint: Complaint, user: User, params: dict) -> Change:
    agreement = _agreement_for(complaint, Step.PAID, user)
    note = _text(params.get("note"), MAX_NOTE, None, _TOO_LONG)
    agreement.paid_by_id, agreement.paid_at, agreement.paid_note = user.id, now(), note
    return Change({"agreement": agreement.id, "note": note, "amount": _amount(agreement)})


@effect(Action.CONFIRM_RECEIPT)
def _receipt(complaint: Complaint, user: User, params: dict) -> Change:
    answer = params.get("answer")
    if answer not in (RECEIVED, NOT_ARRIVED):
        raise Refusal(N_("Say whether you received it."))
    step = Step.RECEIVED if answer == RECEIVED else Step.NOT_ARRIVED
    agreement = _agreement_for(complaint, step, user)
    missing = N_("Say what did not arrive, so that the shop and the platform can look into it.")
    note = _text(params.get("note"), MAX_NOTE, missing if step is Step.NOT_ARRIVED else None, _TOO_LONG)
    at = now()
    agreement.received = step is Step.RECEIVED
    agreement.receipt_by_id, agreement.receipt_at, agreement.receipt_note = user.id, at, note
    if step is Step.RECEIVED:
        agreement.status = AgreementStatus.PERFORMED
        agreement.performed_at = at
    return Change({"agreement": agreement.id, "answer": answer, "note": note})


@effect(Action.MARK_UNPAID)
def _unpaid(complaint: Complaint, user: User | None, params: dict) -> Change:
    agreement = _locked(complaint)
    if agreement is None or agreement.status is not AgreementStatus.BINDING:
        raise Refusal(N_("There is no binding agreement to perform."))
    if platform_today() <= agreement.perform_by:
        raise Refusal(N_("The date to perform the agreement has not passed yet."))
    agreement.status = AgreementStatus.UNPAID
    agreement.unpaid_at = now()
    return Change(
        {
            "agreement": agreement.id,
            "perform_by": agreement.perform_by.isoformat(),
            "amount": _amount(agreement),
        }
    )


def _amount(agreement: Agreement) -> str | None:
    return str(agreement.amount) if agreement.amount is not None else None


def overdue_agreements(today: date | None = None, limit: int = 500) -> list[tuple[int, str]]:
    """(agreement id, complaint reference) of binding agreements whose deadline passed before
    `today` (the platform's date), oldest deadline first: read over (status, perform_by)."""
    today = today or platform_today()
    rows = db.session.execute(
        select(Agreement.id, Complaint.reference)
        .join(Complaint, Complaint.id == Agreement.complaint_id)
        .where(Agreement.status == AgreementStatus.BINDING, Agreement.perform_by < today)
        .order_by(Agreement.perform_by, Agreement.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in rows]


def mark_unpaid_agreements() -> int:
    """Mark every binding agreement whose deadline passed without the consumer's receipt as
    unpaid, each through the workflow (one event, the supervisors told once), one commit each;
    returns how many. Safe to run in several processes: the second to reach an agreement finds it
    unpaid already (its complaint's version moved) and skips it."""
    from complaints.services.lifecycle import apply_action

    marked = 0
    for _agreement_id, reference in overdue_agreements():
        complaint = participants.get_visible_complaint(None, reference)
        try:
            apply_action(complaint, None, Action.MARK_UNPAID, expected_version=complaint.version)
        except Refusal:  # a StaleComplaint too: another process got there first
            db.session.rollback()
            continue
        db.session.commit()
        marked += 1
    return marked
