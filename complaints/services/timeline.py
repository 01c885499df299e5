"""Appending to a complaint's append-only, hash-chained timeline."""

from __future__ import annotations

from sqlalchemy import select

from complaints.extensions import db
from complaints.models import GENESIS_HASH, Complaint, Event, User
from complaints.services.clock import now


def append_event(
    complaint: Complaint,
    actor: User | None,
    action: str,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    detail: dict | None = None,
    public: bool = True,
) -> Event:
    """Add one event to `complaint`'s timeline, chained to the one before it.

    complaint: the complaint (flushed, so it has an id).
    actor: who acted; None for the system.
    action: what happened (a workflow action or another verb such as "filed").
    from_state / to_state: the state before and after, for state changes.
    detail: small JSON-able facts worth keeping (reason, outcome, amounts).
    public: whether the consumer sees it on their timeline.
    """
    prev_hash = db.session.scalar(
        select(Event.hash).where(Event.complaint_id == complaint.id).order_by(Event.id.desc()).limit(1)
    )
    event = Event(
        complaint_id=complaint.id,
        actor_id=actor.id if actor else None,
        action=action,
        from_state=from_state,
        to_state=to_state,
        public=public,
        detail=detail or {},
        created_at=now(),
        prev_hash=prev_hash or GENESIS_HASH,
    )
    event.hash = event.content_hash()
    db.session.add(event)
    return event
