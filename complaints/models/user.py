"""People who use PledgeDesk and their roles."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, joinedload, lazyload, mapped_column, relationship

from complaints.extensions import db
from complaints.models.types import UTCDateTime, enum_type


class Role(enum.StrEnum):
    CONSUMER = "consumer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    MEDIATOR = "mediator"
    MERCHANT = "merchant"
    ADMIN = "admin"


class EmailFrequency(enum.StrEnum):
    """When a person's notifications are e-mailed."""

    IMMEDIATE = "immediate"
    DAILY = "daily"  # one digest a day
    NEVER = "never"  # in the app only


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
    # Part of the id Flask-Login keeps in the session: changing it ends every session of the
    # account (sign-out, password change), even one whose cookie was copied.
    # NULL (rows from before the column existed): no session is valid until the next sign-in.
    session_token: Mapped[str | None] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Notification preferences: when to e-mail, and the kinds never e-mailed (shown in the app).
    email_frequency: Mapped[EmailFrequency] = mapped_column(
        enum_type(EmailFrequency, 10), default=EmailFrequency.IMMEDIATE
    )
    email_muted: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    merchant = relationship("Merchant", lazy="joined")
    mediation_org = relationship("MediationOrganisation", lazy="joined")

    @staticmethod
    def alone(relation):
        """Load the person of `relation` (a complaint's consumer, a message's author) with the
        query, but not their shop and organisation: each of those is two joins more, and
        PostgreSQL spent 3 ms planning the complaint page's nine-table join. A shop that is
        needed after all loads from the identity map (the complaint's own shop) or lazily."""
        return joinedload(relation).options(lazyload(User.merchant), lazyload(User.mediation_org))

    def get_id(self) -> str:
        if not self.session_token:
            self.session_token = secrets.token_hex(16)  # saved by the sign-in that asks
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Invalidate every session of this account."""
        self.session_token = secrets.token_hex(16)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"
