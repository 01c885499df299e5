"""People who use PledgeDesk and their roles."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.extensions import db
from complaints.models.types import UTCDateTime, enum_type


class Role(enum.StrEnum):
    CONSUMER = "consumer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    MEDIATOR = "mediator"
    MERCHANT = "merchant"
    ADMIN = "admin"

    @property
    def is_staff(self) -> bool:
        return self in (Role.AGENT, Role.SUPERVISOR)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, 16), index=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"))
    mediation_org_id: Mapped[int | None] = mapped_column(ForeignKey("mediation_organisations.id"))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    merchant = relationship("Merchant", lazy="joined")
    mediation_org = relationship("MediationOrganisation", lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"
