"""Payouts from a shop's guarantee deposit to the consumer of one of its complaints.

A request (by an agent or a supervisor) asks the consumer for their written consent: their full
name as their account has it, typed, and a ticked confirmation, recorded with the time and the
account. A supervisor other than the requester then approves it, and paying it writes the ledger
entry (deposits.record_entry, race-safe: see services/deposits.py). Refused (by a supervisor, or
declined by the consumer) or cancelled (by the requester or a supervisor), always with a reason.
Every status moves by a conditional UPDATE, so two people acting on one request at once cannot
both succeed. Each step is an event on the complaint's hash-chained timeline, and
announcement_rules.DEPOSIT_RULES says who is told. Each use case commits, or rolls back and raises.

A payout for a complaint whose mediation agreement the shop left unpaid makes that agreement
good: paying it records the payment on the agreement (agreements.record_deposit_payment), and the
consumer confirms receipt as after any payment. `unpaid_agreement_offer` fills the request form
from such an agreement.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from flask import current_app
from sqlalchemy import select, update

from complaints import participants
from complaints.extensions import db
from complaints.models import (
    OPEN_PAYOUT_STATUSES,
    Complaint,
    DepositEntry,
    EntryKind,
    PayoutRequest,
    PayoutStatus,
    User,
)
from complaints.services import agreements, announcements
from complaints.services.deposits import (
    PayoutNotFound,
    balance_of,
    checked_amount,
    checked_text,
    record_entry,
    shop_of,
)
from complaints.timekeeping import now
from complaints.timeline import append_event
from complaints.workflow import N_, Refusal

MAX_NAME = 120


def request_payout(
    actor: User, merchant_id: int, reference: str, amount: Decimal, reason: str
) -> PayoutRequest:
    """Ask to pay the consumer of complaint `reference` from shop `merchant_id`'s deposit.

    actor: an agent or a supervisor (participants.requests_payouts).
    reference: a complaint about that shop, seen through the actor's scoped query.
    amount: more than zero and at most the balance now. reason: why the shop owes it.
    The consumer is asked for their written consent; nothing is paid yet.
    """
    if not participants.requests_payouts(actor):
        raise Refusal(N_("Your role may not ask for a payout from a deposit."))
    try:
        shop_of(merchant_id)
        complaint = participants.get_visible_complaint(actor, (reference or "").strip())
        if complaint is None or complaint.merchant_id != merchant_id:
            raise Refusal(N_("Complaint %(reference)s is not about this shop."), reference=reference)
        if complaint.consumer_id is None:
            raise Refusal(N_("This complaint has no consumer account left to give consent."))
        amount = checked_amount(amount)
        balance = balance_of(merchant_id)
        if amount > balance:
            raise Refusal(N_("The deposit holds only %(balance)s."), balance=f"{balance:,.2f}")
        if _open_request_of(complaint.id) is not None:
            raise Refusal(N_("This complaint already has a payout in progress."))
        request = PayoutRequest(
            merchant_id=merchant_id,
            complaint_id=complaint.id,
            amount=amount,
            reason=checked_text(reason, N_("Say why the shop owes the consumer this money.")),
            status=PayoutStatus.REQUESTED,
            requested_by_id=actor.id,
            requested_at=now(),
            consent_confirmed=False,
        )
        db.session.add(request)
        db.session.flush()
        _tell(complaint, actor, "deposit_payout_requested", request, reason=request.reason)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return request


def consumer_consents(
    consumer: User, reference: str, payout_id: int, typed_name: str, confirmed: bool
) -> PayoutRequest:
    """The complaint's consumer consents in writing to the payout `payout_id`.

    typed_name: their full name, as their account has it (spacing and letter case aside).
    confirmed: the confirmation box was ticked.
    The time and the account are recorded; the supervisors are told it awaits approval.
    """
    request, complaint = _consumers_request(consumer, reference, payout_id)
    try:
        name = (typed_name or "").strip()
        if not confirmed:
            raise Refusal(N_("Tick the box to confirm that you agree to this payment."))
        if not name:
            raise Refusal(N_("Type your full name to sign your consent."))
        if len(name) > MAX_NAME or _same_name(name) != _same_name(consumer.name):
            raise Refusal(
                N_(
                    "The name you typed is not the name of your account. Type your full name as it is on your account."
                )
            )
        at = now()
        _move(
            request,
            (PayoutStatus.REQUESTED,),
            PayoutStatus.CONSENTED,
            consent_name=name,
            consent_confirmed=True,
            consented_at=at,
            consented_by_id=consumer.id,
        )
        _tell(complaint, consumer, "deposit_payout_consented", request)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return request


def approve(supervisor: User, payout_id: int) -> PayoutRequest:
    """A supervisor other than the requester approves a payout the consumer consented to."""
    request = _staff_request(supervisor, payout_id, approving=True)
    try:
        if request.requested_by_id == supervisor.id:
            raise Refusal(N_("You asked for this payout; another supervisor must approve it."))
        if request.status is PayoutStatus.REQUESTED:
            raise Refusal(N_("The consumer has not consented to this payout yet."))
        _move(
            request,
            (PayoutStatus.CONSENTED,),
            PayoutStatus.APPROVED,
            approved_by_id=supervisor.id,
            approved_at=now(),
        )
        _tell(_complaint(request), supervisor, "deposit_payout_approved", request)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return request


def pay(supervisor: User, payout_id: int) -> DepositEntry:
    """Pay an approved, consented payout: the ledger entry, once, and never below zero.

    Refused when another payout took what the deposit held since (see the module docstring).
    """
    request = _staff_request(supervisor, payout_id, approving=True)
    try:
        if request.status in (PayoutStatus.REQUESTED, PayoutStatus.CONSENTED):
            raise Refusal(N_("This payout needs the consumer's consent and a supervisor's approval first."))
        at = now()
        _move(request, (PayoutStatus.APPROVED,), PayoutStatus.PAID, paid_by_id=supervisor.id, paid_at=at)
        entry = record_entry(
            supervisor,
            request.merchant_id,
            EntryKind.PAYOUT,
            -request.amount,
            request.reason,
            complaint_id=request.complaint_id,
            payout_request_id=request.id,
        )
        # An unpaid agreement the shop was to pay is paid by this (the consumer confirms receipt).
        made_good = agreements.record_deposit_payment(request.complaint_id, supervisor, entry.id)
        extra = {"agreement": made_good.id} if made_good is not None else {}
        _tell(_complaint(request), supervisor, "deposit_payout_paid", request, entry=entry.id, **extra)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    current_app.logger.info("user %s paid payout %s (%s)", supervisor.id, request.id, request.amount)
    return entry


def refuse(user: User, payout_id: int, reason: str, *, reference: str | None = None) -> PayoutRequest:
    """Refuse an open payout, with the reason: a supervisor, or the complaint's consumer declining
    to consent (`reference`: their complaint, as their page names it)."""
    if reference is not None:
        request, complaint = _consumers_request(user, reference, payout_id)
        statuses = (PayoutStatus.REQUESTED,)
    else:
        request = _staff_request(user, payout_id, approving=True)
        complaint, statuses = _complaint(request), OPEN_PAYOUT_STATUSES
    return _close(user, request, complaint, statuses, PayoutStatus.REFUSED, reason)


def cancel(user: User, payout_id: int, reason: str) -> PayoutRequest:
    """Withdraw an open payout request, with the reason: its requester or a supervisor."""
    request = _staff_request(user, payout_id, approving=False)
    if request.requested_by_id != user.id and not participants.supervises(user):
        raise Refusal(N_("Only the person who asked for this payout or a supervisor may cancel it."))
    return _close(user, request, _complaint(request), OPEN_PAYOUT_STATUSES, PayoutStatus.CANCELLED, reason)


def _close(user, request, complaint, statuses, status: PayoutStatus, reason: str) -> PayoutRequest:
    try:
        text = checked_text(reason, N_("Say why."))
        _move(request, statuses, status, closed_by_id=user.id, closed_at=now(), closed_reason=text)
        _tell(complaint, user, f"deposit_payout_{status.value}", request, reason=text)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return request


# --- payout requests -----------------------------------------------------------------------------


def _move(request: PayoutRequest, from_statuses, to_status: PayoutStatus, **values) -> None:
    """Move the request's status if it is still in one of `from_statuses`; else someone else
    acted first, and this is refused."""
    table = PayoutRequest.__table__
    moved = db.session.execute(
        update(table)
        .where(table.c.id == request.id, table.c.status.in_([s.value for s in from_statuses]))
        .values(status=to_status.value, **values)
    ).rowcount
    if moved != 1:
        raise Refusal(
            N_(
                "This payout request changed meanwhile (it may be paid, refused or cancelled). Reload the page."
            )
        )
    db.session.expire(request)


def _tell(complaint: Complaint, actor: User, verb: str, request: PayoutRequest, **detail) -> None:
    """The step on the complaint's hash-chained timeline, and the people it concerns told.

    The caller has written already in this transaction (SQLite's write lock is held); on
    PostgreSQL the complaint's row is locked, so no other event slips in between (timeline.py)."""
    query = select(Complaint).where(Complaint.id == complaint.id)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(query.with_for_update())
    facts = {"payout": request.id, "deposit_amount": f"{request.amount:.2f}", **detail}
    append_event(complaint, actor, verb, detail=facts, public=True)
    announcements.announce_deposit(complaint, actor, verb, facts)


def _open_request_of(complaint_id: int) -> PayoutRequest | None:
    return db.session.scalars(
        select(PayoutRequest).where(
            PayoutRequest.complaint_id == complaint_id, PayoutRequest.status.in_(OPEN_PAYOUT_STATUSES)
        )
    ).first()


def _consumers_request(consumer: User, reference: str, payout_id) -> tuple[PayoutRequest, Complaint]:
    """The payout request `payout_id` on the consumer's own complaint `reference`, or PayoutNotFound."""
    complaint = participants.get_visible_complaint(consumer, reference)
    request = _request(payout_id)
    if (
        complaint is None
        or request is None
        or request.complaint_id != complaint.id
        or complaint.consumer_id != consumer.id
    ):
        raise PayoutNotFound()
    return request, complaint


def _staff_request(user: User, payout_id, *, approving: bool) -> PayoutRequest:
    allowed = participants.supervises(user) if approving else participants.requests_payouts(user)
    if not allowed:
        raise Refusal(N_("Your role may not decide on payouts from a deposit."))
    request = _request(payout_id)
    if request is None:
        raise PayoutNotFound()
    return request


def _request(payout_id) -> PayoutRequest | None:
    try:
        return db.session.get(PayoutRequest, int(payout_id))
    except (TypeError, ValueError, OverflowError):
        return None


def _complaint(request: PayoutRequest) -> Complaint:
    return db.session.get(Complaint, request.complaint_id)


def _same_name(name: str) -> str:
    """A name as compared for consent: the same letters, whatever the width, case or spacing."""
    return "".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def unpaid_agreement_offer(actor: User, merchant_id: int, reference: str | None):
    """(complaint, agreement, amount owed) for complaint `reference` about shop `merchant_id`,
    seen through the actor's scoped query, whose mediation agreement the shop left unpaid; None
    otherwise (the request form then starts empty). Reads only."""
    reference = (reference or "").strip()
    if not reference or len(reference) > 32 or not participants.requests_payouts(actor):
        return None
    complaint = participants.get_visible_complaint(actor, reference)
    if complaint is None or complaint.merchant_id != merchant_id:
        return None
    agreement = agreements.unpaid_agreement(complaint.id)
    owed = agreements.owed_by_shop(agreement) if agreement is not None else None
    return (complaint, agreement, owed) if owed else None


def payout_on(complaint: Complaint, payout_id) -> PayoutRequest | None:
    """The payout request `payout_id` if it is one on `complaint` (loaded through the viewer's
    scoped query), else None."""
    request = _request(payout_id)
    return request if request is not None and request.complaint_id == complaint.id else None
