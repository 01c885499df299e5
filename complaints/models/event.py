"""The append-only timeline of a complaint. Each event hashes the one before it."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.extensions import db
from complaints.models.types import UTCDateTime


class Event(db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    public: Mapped[bool] = mapped_column(default=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    actor = relationship("User", lazy="raise_on_sql")

    __table_args__ = (Index("ix_events_complaint_id", "complaint_id", "id"),)

    def content_hash(self) -> str:
        """SHA-256 over this event's content and the previous event's hash."""
        payload = json.dumps(
            {
                "complaint_id": self.complaint_id,
                "actor_id": self.actor_id,
                "action": self.action,
                "from_state": self.from_state,
                "to_state": self.to_state,
                "public": self.public,
                "detail": self.detail,
                "created_at": self.created_at.isoformat(),
                "prev_hash": self.prev_hash,
            },
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


GENESIS_HASH = "0" * 64


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
def _refuse_rewriting_history(mapper, connection, target):
    raise RuntimeError("events are append-only")
