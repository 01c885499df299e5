"""What people write on a complaint, and the files they attach."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.extensions import db
from complaints.models.types import UTCDateTime, enum_type


class MessageKind(enum.StrEnum):
    PUBLIC = "public"  # seen by the consumer, staff and mediators
    INTERNAL = "internal"  # staff only
    MERCHANT = "merchant"  # the shop's answer to the platform's question (by the shop or typed by staff)
    MERCHANT_QUESTION = "to_merchant"  # the platform's question to the shop


class Message(db.Model):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[MessageKind] = mapped_column(enum_type(MessageKind, 16))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    author = relationship("User", lazy="raise_on_sql")
    attachments = relationship(
        "Attachment", lazy="raise_on_sql", order_by="Attachment.id", back_populates="message"
    )

    __table_args__ = (Index("ix_messages_complaint_created", "complaint_id", "created_at"),)

    @property
    def is_public(self) -> bool:
        return self.kind is not MessageKind.INTERNAL


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    # A document of a mediation session: the mediation organisation's, like the session's notes.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("mediation_sessions.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    message = relationship("Message", lazy="raise_on_sql", back_populates="attachments")
