"""The admin audit log: who changed the platform's settings (accounts, the pledge, calendars), and when.

Deactivating a pledge policy silences its clocks' warnings and breaches, so such a change must
leave a trace that nobody edits afterwards: entries are appended, never updated or deleted.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from complaints.extensions import db
from complaints.models.types import UTCDateTime, enum_type


class AdminAction(enum.StrEnum):
    USER_ACTIVATED = "user_activated"
    USER_DEACTIVATED = "user_deactivated"
    STAFF_CREATED = "staff_created"
    POLICY_CREATED = "policy_created"
    POLICY_VERSION_PUBLISHED = "policy_version_published"
    POLICY_ACTIVATED = "policy_activated"
    POLICY_DEACTIVATED = "policy_deactivated"
    POLICY_RENAMED = "policy_renamed"  # its names in Chinese and English; promises unchanged
    CALENDAR_UPDATED = "calendar_updated"
    CALENDAR_DAY_ADDED = "calendar_day_added"
    CALENDAR_DAY_REMOVED = "calendar_day_removed"
    MERCHANT_CREATED = "merchant_created"
    MERCHANT_UPDATED = "merchant_updated"
    CATEGORY_CREATED = "category_created"
    CATEGORY_UPDATED = "category_updated"
    ORGANISATION_CREATED = "organisation_created"
    ORGANISATION_UPDATED = "organisation_updated"
    # A shop's staff invited by e-mail: the link sent, withdrawn, or used to open the account.
    MERCHANT_INVITED = "merchant_invited"
    MERCHANT_INVITATION_REVOKED = "merchant_invitation_revoked"
    MERCHANT_INVITATION_ACCEPTED = "merchant_invitation_accepted"
    # The integration API's clients, their tokens and their webhook endpoints.
    API_CLIENT_CREATED = "api_client_created"
    API_TOKEN_ISSUED = "api_token_issued"
    API_TOKEN_REVOKED = "api_token_revoked"
    WEBHOOK_ADDED = "webhook_added"
    WEBHOOK_ACTIVATED = "webhook_activated"
    WEBHOOK_DEACTIVATED = "webhook_deactivated"
    WEBHOOK_SECRET_ROTATED = "webhook_secret_rotated"
    WEBHOOK_REPLAYED = "webhook_replayed"


# What an entry is about (AdminAuditEntry.subject_type), with the id of that row as subject_id.
AUDIT_SUBJECTS = (
    "user",
    "policy",
    "calendar",
    "merchant",
    "category",
    "organisation",
    "api_client",
    "webhook",
)


class AdminAuditEntry(db.Model):
    """One change an admin (or, with no actor, the system) made to the platform's settings."""

    __tablename__ = "admin_audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system (CLI, seed)
    action: Mapped[AdminAction] = mapped_column(enum_type(AdminAction, 32))
    subject_type: Mapped[str] = mapped_column(String(16))  # one of AUDIT_SUBJECTS
    subject_id: Mapped[int] = mapped_column(Integer)
    # What changed, as plain JSON: the subject's name at the time, before/after values that matter.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("User", lazy="raise_on_sql")

    __table_args__ = (
        # The log is read newest first, a page at a time; and per subject ("history of this policy").
        Index("ix_admin_audit_entries_created", "created_at", "id"),
        Index("ix_admin_audit_entries_subject", "subject_type", "subject_id"),
    )


@event.listens_for(AdminAuditEntry, "before_update")
@event.listens_for(AdminAuditEntry, "before_delete")
def _refuse_rewriting_the_log(mapper, connection, target):
    raise RuntimeError("the admin audit log is append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_rewrites(state):
    # update(AdminAuditEntry) / delete(AdminAuditEntry) bypass the mapper events above.
    if (state.is_update or state.is_delete) and any(m.class_ is AdminAuditEntry for m in state.all_mappers):
        raise RuntimeError("the admin audit log is append-only")
