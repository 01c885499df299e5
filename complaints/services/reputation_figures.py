"""The figures of a shop's month, each defined once: what is counted, which of it, and the instant
that puts it in a month. services/reputation.py counts every shop's month from these rules
(`month_figures`) and lists the complaints behind one shop's figure (`complaints_behind`) from the
same rules, so a figure and its list cannot drift apart.

Most figures count complaints (one a complaint). Some count events, and a complaint can have
several in one month: a shop's reply windows (`merchant_reply` clocks; it can be asked more than
once), its settlement offers and the payouts from its deposit. Their list shows each complaint once,
with how many of the month's events are its own, so the events of the list add up to the figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select

from complaints.models import (
    AGENT_OUTCOMES,
    CONCLUDED_MEDIATION_OUTCOMES,
    Agreement,
    ClockKind,
    ClockResult,
    Complaint,
    DepositEntry,
    EntryKind,
    OfferStatus,
    Outcome,
    SettlementOffer,
    SlaClock,
)
from complaints.workflow import N_


@dataclass(frozen=True)
class Figure:
    """One figure of a shop's month: rows of `counted` (complaints, or rows that belong to one)
    whose `when` falls in the month and that meet `conditions`; the shop is named by `shop`."""

    name: str
    label: str  # N_: what the figure is called
    meaning: str  # N_: what its list shows
    counted: type
    shop: ColumnElement
    when: ColumnElement
    conditions: tuple[ColumnElement[bool], ...] = ()

    @property
    def per_complaint(self) -> bool:
        """Whether it counts complaints (else events, several of which can be one complaint's)."""
        return self.counted is Complaint or self.counted is Agreement  # one agreement a complaint

    def where(self, start: datetime, end: datetime) -> tuple[ColumnElement[bool], ...]:
        """Its rule for the month from `start` to `end` (exclusive)."""
        return (self.when >= start, self.when < end, *self.conditions)

    def counts(self, start: datetime, end: datetime, *more) -> Select:
        """(shop id, how many, *more) for every shop with any."""
        query = select(self.shop, func.count(), *more).select_from(self.counted)
        if self.counted is not Complaint and self.shop.class_ is Complaint:
            query = query.join(Complaint, self.counted.complaint_id == Complaint.id)
        return query.where(*self.where(start, end)).group_by(self.shop)

    def complaints(self, merchant_id: int, start: datetime, end: datetime) -> Select:
        """(complaint, its events) behind the figure of shop `merchant_id`, each complaint once."""
        query = select(Complaint, func.count().label("events")).select_from(Complaint)
        if self.counted is not Complaint:
            query = query.join(self.counted, self.counted.complaint_id == Complaint.id)
        return query.where(self.shop == merchant_id, *self.where(start, end)).group_by(Complaint.id)


_DECIDED = Complaint.decided_at
_REPLY = (SlaClock.kind == ClockKind.MERCHANT_REPLY,)
_PAYOUT = (DepositEntry.kind == EntryKind.PAYOUT,)

FIGURES: dict[str, Figure] = {
    figure.name: figure
    for figure in (
        Figure(
            "complaints",
            N_("Complaints"),
            N_("Complaints filed about the shop in the month."),
            Complaint,
            Complaint.merchant_id,
            Complaint.created_at,
        ),
        Figure(
            "decided",
            N_("Complaints decided"),
            N_("Complaints the platform decided in the month."),
            Complaint,
            Complaint.merchant_id,
            _DECIDED,
            (Complaint.outcome.in_(AGENT_OUTCOMES),),
        ),
        Figure(
            "upheld",
            N_("Complaints upheld"),
            N_("Complaints the platform upheld, in full or in part, in the month."),
            Complaint,
            Complaint.merchant_id,
            _DECIDED,
            (Complaint.outcome.in_((Outcome.UPHELD, Outcome.PARTLY_UPHELD)),),
        ),
        Figure(
            "replies_met",
            N_("Reply windows met"),
            N_("Complaints with a reply window of the shop that ended kept in the month."),
            SlaClock,
            Complaint.merchant_id,
            SlaClock.stopped_at,
            (*_REPLY, SlaClock.result == ClockResult.MET),
        ),
        Figure(
            "replies_missed",
            N_("Reply windows missed"),
            N_("Complaints with a reply window of the shop that ended missed in the month."),
            SlaClock,
            Complaint.merchant_id,
            SlaClock.stopped_at,
            (*_REPLY, SlaClock.result == ClockResult.MISSED),
        ),
        Figure(
            "offers_made",
            N_("Offers made"),
            N_("Complaints on which the shop made a settlement offer in the month."),
            SettlementOffer,
            SettlementOffer.merchant_id,
            SettlementOffer.created_at,
        ),
        Figure(
            "offers_accepted",
            N_("Offers accepted"),
            N_("Complaints on which the consumer accepted an offer the shop made in the month."),
            SettlementOffer,
            SettlementOffer.merchant_id,
            SettlementOffer.created_at,
            (SettlementOffer.status == OfferStatus.ACCEPTED,),
        ),
        Figure(
            "mediations_concluded",
            N_("Mediations concluded"),
            N_(
                "Complaints whose mediation concluded in the month, settled or not (withdrawn ones do not count)."
            ),
            Complaint,
            Complaint.merchant_id,
            _DECIDED,
            (Complaint.outcome.in_(CONCLUDED_MEDIATION_OUTCOMES),),
        ),
        Figure(
            "mediations_settled",
            N_("Mediations settled"),
            N_("Complaints whose mediation ended in a settlement in the month."),
            Complaint,
            Complaint.merchant_id,
            _DECIDED,
            (Complaint.outcome == Outcome.SETTLED,),
        ),
        Figure(
            "unpaid_agreements",
            N_("Agreements unpaid"),
            N_("Complaints whose mediation agreement was marked unpaid after its deadline in the month."),
            Agreement,
            Complaint.merchant_id,
            Agreement.unpaid_at,
        ),
        Figure(
            "deposit_payouts",
            N_("Deposit payouts"),
            N_("Complaints whose consumer was paid from the shop's deposit in the month."),
            DepositEntry,
            DepositEntry.merchant_id,
            DepositEntry.created_at,
            _PAYOUT,
        ),
        Figure(
            "ratings",
            N_("Consumers' ratings"),
            N_("Complaints the consumer closed with a rating of the service in the month."),
            Complaint,
            Complaint.merchant_id,
            Complaint.closed_at,
            (Complaint.rating.is_not(None),),
        ),
    )
}
