"""Settling with the shop: the shop offers, the consumer accepts or declines.

An offer names what the shop will do (refund, replacement, repair or compensation), the amount
when it pays money, and by when. The shop has at most one open offer: a new one supersedes it.
An accepted offer resolves the complaint with outcome "settled with the shop" and the terms on
the timeline; a declined one stays on record with the consumer's reason. Offers still open when
the complaint is decided, withdrawn or referred to mediation lapse.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from complaints.extensions import db
from complaints.models import (
    PAYING_KINDS,
    Complaint,
    OfferStatus,
    Outcome,
    SettlementKind,
    SettlementOffer,
    User,
)
from complaints.services.effects import Change, effect
from complaints.services.money import parse_amount
from complaints.timekeeping import now
from complaints.workflow import N_, Action, Refusal

MAX_TERMS = 2_000
MAX_REASON = 2_000
LONGEST_PROMISE = timedelta(days=90)  # how far ahead a shop may promise to perform


def offers_of(complaint_id: int) -> list[SettlementOffer]:
    """Every offer made on the complaint, newest first."""
    return list(
        db.session.scalars(
            select(SettlementOffer)
            .where(SettlementOffer.complaint_id == complaint_id)
            .order_by(SettlementOffer.id.desc())
        )
    )


def _open_offer(complaint: Complaint, offer_id) -> SettlementOffer:
    try:
        wanted = int(offer_id)
    except (TypeError, ValueError) as exc:
        raise Refusal(N_("There is no open offer from the shop to answer.")) from exc
    offer = db.session.scalars(
        select(SettlementOffer).where(
            SettlementOffer.id == wanted,
            SettlementOffer.complaint_id == complaint.id,
            SettlementOffer.status == OfferStatus.OPEN,
        )
    ).first()
    if offer is None:  # answered meanwhile, or replaced by a newer offer
        raise Refusal(
            N_("This offer is no longer open: the shop may have made a newer one. Reload the page.")
        )
    return offer


def _text(value, limit: int, missing: str, too_long: str) -> str:
    text = (value or "").strip()
    if not text:
        raise Refusal(missing)
    if len(text) > limit:
        raise Refusal(too_long, max=limit)
    return text


def _describe(offer: SettlementOffer) -> dict:
    return {
        "offer": offer.id,
        "kind": offer.kind.value,
        "amount": str(offer.amount) if offer.amount is not None else None,
        "terms": offer.terms,
        "perform_by": offer.perform_by.isoformat(),
    }


@effect(Action.PROPOSE_SETTLEMENT)
def _propose(complaint: Complaint, user: User, params: dict) -> Change:
    try:
        kind = SettlementKind(params["kind"])
    except ValueError as exc:
        raise Refusal(N_("Choose what the shop offers.")) from exc
    amount = parse_amount(params.get("amount"), field="amount")
    if kind in PAYING_KINDS and not amount:
        raise Refusal(N_("Say how much the shop will pay."))
    terms = _text(
        params["terms"],
        MAX_TERMS,
        N_("Say what the shop will do."),
        N_("The terms can be at most %(max)s characters."),
    )
    perform_by: datetime = params["perform_by"]
    at = now()
    if perform_by.tzinfo is None:
        raise Refusal(N_("Give the date by which the shop will do it."))
    if perform_by <= at:
        raise Refusal(N_("The date by which the shop will do it must be in the future."))
    if perform_by > at + LONGEST_PROMISE:
        raise Refusal(N_("The shop can promise at most 90 days ahead."))
    db.session.execute(
        update(SettlementOffer)
        .where(SettlementOffer.complaint_id == complaint.id, SettlementOffer.status == OfferStatus.OPEN)
        .values(status=OfferStatus.SUPERSEDED, answered_at=at)
        .execution_options(synchronize_session=False)
    )
    offer = SettlementOffer(
        complaint_id=complaint.id,
        merchant_id=complaint.merchant_id,
        proposed_by_id=user.id,
        kind=kind,
        amount=amount,
        terms=terms,
        perform_by=perform_by,
        status=OfferStatus.OPEN,
        created_at=at,
    )
    db.session.add(offer)
    db.session.flush()
    # An offer answers the platform's question to the shop, if it was asked one.
    complaint.waiting_on_merchant = False
    return Change(_describe(offer))


@effect(Action.ACCEPT_SETTLEMENT)
def _accept(complaint: Complaint, user: User, params: dict) -> Change:
    offer = _open_offer(complaint, params["offer_id"])
    at = now()
    offer.status = OfferStatus.ACCEPTED
    offer.answered_at = at
    complaint.outcome = Outcome.SETTLED_WITH_SHOP
    complaint.outcome_note = offer.terms
    complaint.compensation_amount = offer.amount
    complaint.decided_at = at
    complaint.waiting_on_consumer = complaint.waiting_on_merchant = False
    return Change(_describe(offer))


@effect(Action.DECLINE_SETTLEMENT)
def _decline(complaint: Complaint, user: User, params: dict) -> Change:
    offer = _open_offer(complaint, params["offer_id"])
    reason = _text(
        params["reason"],
        MAX_REASON,
        N_("Say why you decline the offer."),
        N_("The reason can be at most %(max)s characters."),
    )
    offer.status = OfferStatus.DECLINED
    offer.answered_at = now()
    offer.decline_reason = reason
    return Change({"offer": offer.id, "reason": reason})


def lapse_open_offers(complaint: Complaint) -> None:
    """Offers nobody answered before the complaint left the platform's hands lapse."""
    db.session.execute(
        update(SettlementOffer)
        .where(SettlementOffer.complaint_id == complaint.id, SettlementOffer.status == OfferStatus.OPEN)
        .values(status=OfferStatus.LAPSED, answered_at=now())
        .execution_options(synchronize_session=False)
    )
