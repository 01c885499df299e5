"""A shop's offer to settle a complaint, and the consumer's answer to it."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.extensions import db
from complaints.models.types import Money, UTCDateTime, enum_type


class SettlementKind(enum.StrEnum):
    REFUND = "refund"
    REPLACEMENT = "replacement"
    REPAIR = "repair"
    COMPENSATION = "compensation"


class OfferStatus(enum.StrEnum):
    OPEN = "open"  # waiting for the consumer's answer
    ACCEPTED = "accepted"  # the complaint was resolved on these terms
    DECLINED = "declined"  # by the consumer, with a reason
    SUPERSEDED = "superseded"  # the shop made a newer offer
    LAPSED = "lapsed"  # the complaint was decided, withdrawn or referred before an answer


# Kinds that pay the consumer money: their offer names an amount.
PAYING_KINDS = (SettlementKind.REFUND, SettlementKind.COMPENSATION)


class SettlementOffer(db.Model):
    __tablename__ = "settlement_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[SettlementKind] = mapped_column(enum_type(SettlementKind, 16))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    terms: Mapped[str] = mapped_column(Text)  # what the shop will do
    perform_by: Mapped[datetime] = mapped_column(UTCDateTime)  # by when it will do it
    status: Mapped[OfferStatus] = mapped_column(enum_type(OfferStatus, 16), default=OfferStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(Text)

    proposed_by = relationship("User", lazy="raise_on_sql")

    __table_args__ = (Index("ix_settlement_offers_complaint", "complaint_id", "id"),)

    @property
    def is_open(self) -> bool:
        return self.status is OfferStatus.OPEN

    def __repr__(self) -> str:
        return f"<SettlementOffer {self.id} {self.kind} {self.status}>"
