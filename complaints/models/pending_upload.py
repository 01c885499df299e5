"""Evidence a consumer chose for a filing that was refused, kept until the filing succeeds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from complaints.extensions import db
from complaints.models.types import UTCDateTime


class PendingUpload(db.Model):
    """A file checked by content and held for its uploader, not yet evidence of any complaint.

    The form carries an opaque token; only its hash is kept. It becomes an Attachment in the
    transaction that files the complaint, and is forgotten at `expires_at`.
    """

    __tablename__ = "pending_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
