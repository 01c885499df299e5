"""A referral to third-party mediation: the organisation proposed and chosen, each party's
consent, and the organisation's answer.

A complaint referred (escalated by staff, disputed by the consumer, or escalated by the consumer
after a resolution breach) is `mediated` from the referral on, with one open referral. Both
parties consent within a window of working days; a decline, a consent that did not come in time
(lapsed) or the organisation returning the case ends the referral and gives the complaint back to
the platform (`verified`). Once both consented the organisation accepts (mediation is underway and
its clock starts) or returns it. What each party may do in which status is services/referrals.py.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.extensions import db
from complaints.models.types import UTCDateTime, enum_type

# The categories of complaint a mediation organisation takes (none listed: every category).
organisation_categories = Table(
    "mediation_organisation_categories",
    db.metadata,
    Column("organisation_id", ForeignKey("mediation_organisations.id"), primary_key=True),
    Column("category_id", ForeignKey("categories.id"), primary_key=True),
)


class ReferralStatus(enum.StrEnum):
    AWAITING_CONSENT = "awaiting_consent"  # one party or both have not answered yet
    AWAITING_ORGANISATION = "awaiting_organisation"  # both consented; the organisation decides
    ACCEPTED = "accepted"  # the organisation took the case: mediation is underway
    DECLINED = "declined"  # a party declined, or did not answer in time (lapsed)
    RETURNED = "returned"  # the organisation returned the case, with a reason


OPEN_REFERRAL_STATUSES = (ReferralStatus.AWAITING_CONSENT, ReferralStatus.AWAITING_ORGANISATION)


class ConsentParty(enum.StrEnum):
    CONSUMER = "consumer"
    SHOP = "shop"


class ConsentAnswer(enum.StrEnum):
    CONSENTED = "consented"
    DECLINED = "declined"
    LAPSED = "lapsed"  # no answer within the window: counts as a decline


class Referral(db.Model):
    __tablename__ = "mediation_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("mediation_organisations.id"))
    # What the platform proposed (by category and open load); the referrer may have chosen another.
    proposed_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("mediation_organisations.id"))
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    via: Mapped[str] = mapped_column(String(16))  # the action: escalate or dispute
    status: Mapped[ReferralStatus] = mapped_column(enum_type(ReferralStatus, length=24))
    consent_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Who ended it and why: a party's decline, a lapse, or the organisation's return.
    ended_by: Mapped[str | None] = mapped_column(String(16))
    end_reason: Mapped[str | None] = mapped_column(Text)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the organisation's
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation = relationship("MediationOrganisation", foreign_keys=[organisation_id], lazy="joined")
    consents = relationship(
        "ReferralConsent", lazy="selectin", order_by="ReferralConsent.id", back_populates="referral"
    )

    __table_args__ = (Index("ix_mediation_referrals_status_consent_due_at", "status", "consent_due_at"),)

    def answer_of(self, party: ConsentParty) -> ReferralConsent | None:
        """The party's recorded answer, if it gave one."""
        return next((c for c in self.consents if c.party == party), None)


class ReferralConsent(db.Model):
    """One party's answer to a referral: who (the account), when, and why if declined."""

    __tablename__ = "mediation_referral_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("mediation_referrals.id"))
    party: Mapped[ConsentParty] = mapped_column(enum_type(ConsentParty, length=10))
    answer: Mapped[ConsentAnswer] = mapped_column(enum_type(ConsentAnswer, length=10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: lapsed
    reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)

    referral = relationship("Referral", back_populates="consents")
    user = relationship("User", lazy="joined")

    # A party answers once: a second consent (two tabs, two staff of the shop) is refused.
    __table_args__ = (UniqueConstraint("referral_id", "party"),)
