"""The agreement a settled mediation produces, its acceptance by both parties, and its performance.

One agreement per complaint: recorded with the mediator's settled outcome (services/mediation.py),
accepted by the consumer and by the shop's staff, binding once both accepted, then performed (the
consumer confirmed receipt) or unpaid (its deadline passed without that receipt). What each party
may do in which status is services/agreement_rules.py.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.extensions import db
from complaints.models.types import Money, UTCDateTime, enum_type


class AgreementStatus(enum.StrEnum):
    AWAITING_ACCEPTANCE = "awaiting_acceptance"  # one party or both have not accepted yet
    BINDING = "binding"  # both accepted; to be performed by the deadline
    PERFORMED = "performed"  # the consumer confirmed they received what was agreed
    UNPAID = "unpaid"  # the deadline passed without the consumer's receipt (the scheduler)
    DECLINED = "declined"  # a party would not accept it: the mediation did not settle after all


class Payer(enum.StrEnum):
    """Who pays the amount agreed."""

    SHOP = "shop"
    PLATFORM = "platform"


class NotSettledReason(enum.StrEnum):
    """Why a mediation ended without a settlement."""

    PARTY_REFUSED = "party_refused"
    UNREACHABLE = "unreachable"
    NO_AGREEMENT = "no_agreement"
    TIME_RAN_OUT = "time_ran_out"


class Agreement(db.Model):
    __tablename__ = "mediation_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), unique=True)
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("mediation_organisations.id"))
    terms: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    payer: Mapped[Payer] = mapped_column(enum_type(Payer, 16))
    perform_by: Mapped[date] = mapped_column(Date)  # a date in the platform's zone
    status: Mapped[AgreementStatus] = mapped_column(
        enum_type(AgreementStatus, 24), default=AgreementStatus.AWAITING_ACCEPTANCE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # SHA-256 of the PDF as rendered when the agreement was recorded, and when it became binding.
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    binding_pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    consumer_accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    consumer_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shop_accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    shop_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_note: Mapped[str | None] = mapped_column(Text)
    # The consumer's answer: received (True) or it did not arrive (False), with who, when, why.
    received: Mapped[bool | None] = mapped_column()
    receipt_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    receipt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt_note: Mapped[str | None] = mapped_column(Text)
    performed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unpaid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A party's refusal to accept it, with who, when and why.
    declined_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    # The shop's guarantee deposit paid what it owed (services/deposit_payouts.py): the entry.
    deposit_entry_id: Mapped[int | None] = mapped_column(ForeignKey("deposit_entries.id"))

    complaint = relationship("Complaint", lazy="raise_on_sql")
    mediator = relationship("User", foreign_keys=[mediator_id], lazy="raise_on_sql")
    organisation = relationship("MediationOrganisation", lazy="raise_on_sql")
    consumer_accepted_by = relationship("User", foreign_keys=[consumer_accepted_by_id], lazy="raise_on_sql")
    shop_accepted_by = relationship("User", foreign_keys=[shop_accepted_by_id], lazy="raise_on_sql")

    # The scheduler reads binding agreements by deadline; the cost follows those falling due.
    __table_args__ = (Index("ix_mediation_agreements_status_perform_by", "status", "perform_by"),)

    def __repr__(self) -> str:
        return f"<Agreement {self.id} {self.status}>"
