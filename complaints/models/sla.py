"""The pledge as data: calendars, versioned SLA policies, the clocks they start, notifications."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.extensions import db
from complaints.models.types import EnglishForms, UTCDateTime, enum_type


class ClockKind(enum.StrEnum):
    RESPONSE = "response"  # until the first public reply
    VERIFICATION = "verification"  # until verified or rejected
    MERCHANT_REPLY = "merchant_reply"  # while waiting on the merchant
    RESOLUTION = "resolution"  # until resolved
    MEDIATION = "mediation"  # while in third-party mediation


class TargetUnit(enum.StrEnum):
    HOURS = "hours"  # working hours in the target's calendar (a 24x7 calendar: plain hours)
    WORKING_DAYS = "working_days"


class ClockResult(enum.StrEnum):
    """How a stopped clock's promise ended; decided once, when the clock stops (sla/terms.py)."""

    MET = "met"  # stopped at or before its due instant
    MISSED = "missed"  # stopped after its due instant (whether or not the sweep saw it first)
    VOID = "void"  # stopped in time because the promise no longer applies (withdrawn, ...)


class BreachAction(enum.StrEnum):
    NOTIFY_SUPERVISORS = "notify_supervisors"
    RAISE_PRIORITY = "raise_priority"
    OFFER_CONSUMER_ESCALATION = "offer_consumer_escalation"


class WorkCalendar(EnglishForms, db.Model):
    """Working hours, a base holiday source and local overrides, in one time zone."""

    __tablename__ = "work_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="", server_default="")
    timezone: Mapped[str] = mapped_column(String(64))
    # "CN": China's official holidays and makeup workdays; "none": only the overrides below.
    holiday_source: Mapped[str] = mapped_column(String(16), default="none")
    # {"0": [["09:00", "18:00"]], ...}: weekday (0 = Monday) -> spans; "24:00" ends at midnight.
    hours: Mapped[dict] = mapped_column(JSON)
    count_receipt_day: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    days = relationship(
        "CalendarDay", lazy="selectin", order_by="CalendarDay.day", cascade="all, delete-orphan"
    )


class CalendarDay(EnglishForms, db.Model):
    """A day an admin declared: a local holiday, or a working day (e.g. a published makeup day)."""

    __tablename__ = "calendar_days"
    __table_args__ = (UniqueConstraint("calendar_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("work_calendars.id"))
    day: Mapped[date] = mapped_column(Date)
    is_working: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(200), default="")
    note_en: Mapped[str] = mapped_column(String(200), default="", server_default="")


class SlaPolicy(EnglishForms, db.Model):
    """A pledge that applies to complaints of a category and/or of a size. Edited by new versions."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="", server_default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))  # None: any
    major: Mapped[bool | None] = mapped_column()  # None: any size; True: major complaints only
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    category = relationship("Category", lazy="joined")
    versions = relationship(
        "SlaPolicyVersion", lazy="raise_on_sql", order_by="SlaPolicyVersion.number", back_populates="policy"
    )


class SlaPolicyVersion(EnglishForms, db.Model):
    """One immutable version of a policy; complaints keep the version they were filed under."""

    __tablename__ = "sla_policy_versions"
    __table_args__ = (UniqueConstraint("policy_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("sla_policies.id"))
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    note_en: Mapped[str] = mapped_column(String(200), default="", server_default="")

    policy = relationship("SlaPolicy", lazy="joined", back_populates="versions")
    targets = relationship("SlaTarget", lazy="selectin", order_by="SlaTarget.id")


class SlaTarget(db.Model):
    """What a policy version promises for one clock kind."""

    __tablename__ = "sla_targets"
    __table_args__ = (UniqueConstraint("version_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("sla_policy_versions.id"))
    kind: Mapped[ClockKind] = mapped_column(enum_type(ClockKind))
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    unit: Mapped[TargetUnit] = mapped_column(enum_type(TargetUnit))
    calendar_id: Mapped[int] = mapped_column(ForeignKey("work_calendars.id"))
    warn_percent: Mapped[int] = mapped_column(Integer, default=75)
    pause_on: Mapped[list] = mapped_column(JSON, default=list)  # waiting-on flags: "consumer", "merchant"
    breach_actions: Mapped[list] = mapped_column(JSON, default=list)  # BreachAction values

    calendar = relationship("WorkCalendar")  # the clocks read it through sla.policy.calendar_of (cached)


_RUNNING = "stopped_at IS NULL AND paused_at IS NULL AND breached_at IS NULL"
_WARNED_RUNNING = "stopped_at IS NULL AND paused_at IS NULL AND breached_at IS NULL AND warned_at IS NOT NULL"
_BREACHED_OPEN = "stopped_at IS NULL AND breached_at IS NOT NULL"


class SlaClock(db.Model):
    """One pledged window of one complaint, running, paused or stopped."""

    __tablename__ = "sla_clocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    kind: Mapped[ClockKind] = mapped_column(enum_type(ClockKind))
    target_id: Mapped[int] = mapped_column(ForeignKey("sla_targets.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)  # working time spent paused
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[ClockResult | None] = mapped_column(enum_type(ClockResult, 8))

    target = relationship("SlaTarget", lazy="joined")

    # The sweep reads only clocks that can still warn or breach, through these partial indexes,
    # so its cost follows the clocks falling due, not the number of open complaints.
    __table_args__ = (
        Index("ix_sla_clocks_complaint_kind", "complaint_id", "kind"),
        # The running clocks: on PostgreSQL in the queue's whole order (a page further down starts
        # inside one due instant, which hundreds of clocks share); on SQLite by due instant alone,
        # as its planner, without statistics, would otherwise read the at-risk list's marked
        # clocks over this index (they are all running) rather than ix_sla_clocks_due_warned.
        Index(
            "ix_sla_clocks_due_running",
            "due_at",
            sqlite_where=text(_RUNNING),
        ).ddl_if(dialect="sqlite"),
        Index(
            "ix_sla_clocks_due_running",
            "due_at",
            "id",
            postgresql_where=text(_RUNNING),
        ).ddl_if(dialect="postgresql"),
        Index(
            "ix_sla_clocks_warn_running",
            "warn_at",
            sqlite_where=text("stopped_at IS NULL AND paused_at IS NULL AND warned_at IS NULL"),
            postgresql_where=text("stopped_at IS NULL AND paused_at IS NULL AND warned_at IS NULL"),
        ),
        # The desk reads clocks past the warning point and not yet breached (at-risk view), and
        # breached ones not yet stopped (overdue view; the queues' overdue running clocks, which
        # ix_sla_clocks_due_running leaves out). Both sets are bounded by the open complaints.
        Index(
            "ix_sla_clocks_due_warned",
            "due_at",
            "id",
            sqlite_where=text(_WARNED_RUNNING),
            postgresql_where=text(_WARNED_RUNNING),
        ),
        Index(
            "ix_sla_clocks_due_breached",
            "due_at",
            "id",
            sqlite_where=text(_BREACHED_OPEN),
            postgresql_where=text(_BREACHED_OPEN),
        ),
        # The public scorecard counts the windows that ended, by day, kind, pledge and result,
        # from this index alone (services/scorecard_counts.py).
        Index(
            "ix_sla_clocks_stopped",
            "stopped_at",
            "kind",
            "target_id",
            "result",
            sqlite_where=text("stopped_at IS NOT NULL"),
            postgresql_where=text("stopped_at IS NOT NULL"),
        ),
    )

    @property
    def running(self) -> bool:
        return self.stopped_at is None and self.paused_at is None


class NotificationKind(enum.StrEnum):
    """What a notification tells; who hears which is services/announcements.py's rule table.
    Values are at most 20 characters (the column is a non-native enum)."""

    SLA_WARNING = "sla_warning"
    SLA_BREACH = "sla_breach"
    REPLY = "reply"  # a public message (or the shop's answer) from another party
    QUESTION = "question"  # the platform asked the recipient for information
    EVIDENCE = "evidence"  # the consumer added evidence
    DECISION = "decision"  # verified, rejected, resolved, mediation outcome, withdrawn, closed
    SETTLEMENT_OFFER = "settlement_offer"  # the shop offered to settle
    OFFER_ANSWERED = "offer_answered"  # the consumer accepted or declined the shop's offer
    REFERRED = "referred"  # referred to third-party mediation
    PLEDGE_DATE = "pledge_date"  # a pledged date started or moved
    SHOP_REPLY_MISSED = "shop_reply_missed"  # the shop's reply window ran out
    ASSIGNED = "assigned"  # a complaint was assigned to the recipient
    DEPOSIT_CONSENT = "deposit_consent"  # the consumer is asked to consent to a payout from the deposit
    DEPOSIT_APPROVAL = "deposit_approval"  # a consented payout waits for a supervisor's approval
    DEPOSIT_PAID = "deposit_paid"  # a payout from the shop's deposit was paid
    DEPOSIT_CLOSED = "deposit_closed"  # a payout request was refused, declined or cancelled
    AGREEMENT_ACCEPTED = "agreement_accepted"  # a party accepted a mediation agreement (or it binds)
    AGREEMENT_PAID = "agreement_paid"  # the paying party confirmed paying under the agreement
    AGREEMENT_RECEIPT = "agreement_receipt"  # the consumer received it, or said it did not arrive
    AGREEMENT_UNPAID = "agreement_unpaid"  # the deadline passed without the consumer's receipt
    AGREEMENT_DECLINED = "agreement_declined"  # a party would not accept it: not settled after all
    REFERRAL_CONSENT = "referral_consent"  # a party is asked to consent to mediation
    REFERRAL_ENDED = "referral_ended"  # a referral was declined, lapsed or returned
    REFERRAL_ACCEPTED = "referral_accepted"  # the organisation accepted the case: mediation starts
    SESSION_SCHEDULED = "session_scheduled"  # a mediation session was scheduled


class Notification(db.Model):
    """A message for one person: shown in the app, and mailed when SMTP is configured."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    kind: Mapped[NotificationKind] = mapped_column(enum_type(NotificationKind))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Email delivery: "pending" until sent, "sent", or "skipped" when no SMTP is configured.
    email_status: Mapped[str] = mapped_column(String(10), default="pending")
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_error: Mapped[str | None] = mapped_column(Text)

    complaint = relationship("Complaint", lazy="raise_on_sql")

    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at", "id"),
        Index(
            "ix_notifications_email_pending",
            "email_next_attempt_at",
            sqlite_where=text("email_status = 'pending'"),
            postgresql_where=text("email_status = 'pending'"),
        ),
    )
