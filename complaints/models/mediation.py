"""Third-party mediation organisations and the sessions their mediators hold."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.extensions import db
from complaints.models.referral import organisation_categories
from complaints.models.types import EnglishForms, UTCDateTime


class MediationOrganisation(EnglishForms, db.Model):
    __tablename__ = "mediation_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_en: Mapped[str] = mapped_column(String(200), default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # How many cases it mediates at once at most (open referrals and cases in mediation).
    capacity: Mapped[int] = mapped_column(default=20, server_default="20")
    # Its open cases now (services/referral_choice.py says which). The database's triggers keep it
    # (migration 0025_open_cases) as complaints and referrals change; the application never writes
    # it, and reads it fresh, since a change in this transaction may have moved it.
    open_cases: Mapped[int] = mapped_column(default=0, server_default="0")
    # The categories it takes; none listed: every category.
    categories = relationship(
        "Category", secondary=organisation_categories, lazy="selectin", order_by="Category.id"
    )

    @property
    def category_ids(self) -> list[int]:
        return [category.id for category in self.categories]


class MediationSession(db.Model):
    __tablename__ = "mediation_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    mediator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "held" (recorded afterwards, with notes) or "scheduled" (announced to both parties; held_at
    # is when it is to be held, and it has no notes).
    status: Mapped[str] = mapped_column(String(10), default="held", server_default="held")

    mediator = relationship("User", lazy="joined")
