"""Measures against a shop whose reputation fell below the line, and the shop's timeline.

A month graded below the line (services/reputation.py) proposes the next step of the ladder
(services/sanctions.py); a supervisor approves it (as proposed, or changed to another step), or
dismisses it, always with a reason; a measure in force can be lifted, with a reason. Every such
decision, and an interview's record, is an event of the shop's timeline (`shop_events`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.extensions import db
from complaints.models.types import UTCDateTime, enum_type


class SanctionStep(enum.StrEnum):
    """The ladder, mildest first."""

    WARNING = "warning"
    INTERVIEW = "interview"  # a talk with the shop, whose record is kept
    TRAFFIC_LIMIT = "traffic_limit"  # the marketplace shows the shop less
    REMOVAL = "removal"  # the shop is taken off the marketplace
    BAN = "ban"  # for good, and the regulator is told


LADDER = tuple(SanctionStep)


class SanctionStatus(enum.StrEnum):
    PROPOSED = "proposed"  # waiting for a supervisor
    IN_FORCE = "in_force"  # approved, from its effective date
    DISMISSED = "dismissed"  # a supervisor decided against it
    LIFTED = "lifted"  # was in force, lifted since


class Sanction(db.Model):
    __tablename__ = "shop_sanctions"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    month: Mapped[date] = mapped_column(Date)  # the month whose grade proposed it
    step: Mapped[SanctionStep] = mapped_column(enum_type(SanctionStep, 16))
    proposed_step: Mapped[SanctionStep] = mapped_column(enum_type(SanctionStep, 16))
    status: Mapped[SanctionStatus] = mapped_column(enum_type(SanctionStatus, 16))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)  # the supervisor's; shown on the public notice
    effective_from: Mapped[date | None] = mapped_column(Date)
    interview_record: Mapped[str | None] = mapped_column(Text)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lift_reason: Mapped[str | None] = mapped_column(Text)

    merchant = relationship("Merchant", lazy="joined")

    __table_args__ = (
        # One proposal per shop and month: scoring a month again proposes nothing twice.
        Index("uq_shop_sanctions_merchant_month", "merchant_id", "month", unique=True),
        Index("ix_shop_sanctions_status", "status", "effective_from"),
    )


class ShopEvent(db.Model):
    """One entry of a shop's timeline: a measure proposed, approved, changed, dismissed, lifted,
    an interview recorded; who (None: the system), when, and the facts."""

    __tablename__ = "shop_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    actor = relationship("User", lazy="joined")
