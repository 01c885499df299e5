"""Appending to a complaint's append-only, hash-chained timeline.

Each new event hashes the one before it. The newest event of a complaint is read from the
database once per transaction and remembered for the next append in the same transaction (a
filing appends four, an action two or three): whoever appends holds the complaint's row (its
version was bumped, or it is locked, or it was just created), so no one else appends to that
timeline until the transaction ends, and the memory ends with it.
"""

from __future__ import annotations

from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from complaints.extensions import db
from complaints.models import GENESIS_HASH, Complaint, Event, User
from complaints.timekeeping import now


def open_timeline(complaint: Complaint) -> None:
    """`complaint` was just created in this transaction: its first event follows the genesis hash
    (nothing to read)."""
    _heads()[complaint.id] = GENESIS_HASH


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
    heads = _heads()
    prev_hash = heads.get(complaint.id)
    if prev_hash is None:
        prev_hash = db.session.scalar(
            select(Event.hash).where(Event.complaint_id == complaint.id).order_by(Event.id.desc()).limit(1)
        )
    entry = Event(
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
    entry.hash = heads[complaint.id] = entry.content_hash()
    db.session.add(entry)
    appended().append((complaint.id, action, from_state, to_state, public, entry.detail, entry.created_at))
    return entry


def append_events(entries: list[tuple], at) -> int:
    """Append many events at once, each chained to its complaint's newest event.

    entries: (complaint id, action, detail) in the order they happen, for system events; several
      may name one complaint. An entry may add a dict of the other columns: (complaint id, action,
      detail, {"actor_id": ..., "to_state": ...}) for someone's action (a filing's own event).
      The caller holds the complaints' rows (their versions were bumped in the same transaction,
      or they are locked, or they were just created), so no other event can slip in between.
    Costs two statements whatever the number of entries (one for timelines already appended to
    in this transaction, or just opened).
    """
    if not entries:
        return 0
    known = _heads()
    ids = {entry[0] for entry in entries} - known.keys()
    heads = {}
    if ids:  # the timelines this transaction has not appended to yet
        newest = select(func.max(Event.id)).where(Event.complaint_id.in_(ids)).group_by(Event.complaint_id)
        heads = dict(
            db.session.execute(select(Event.complaint_id, Event.hash).where(Event.id.in_(newest))).all()
        )
    heads.update(known)
    rows = []
    for complaint_id, action, detail, *more in entries:
        columns = {**_SYSTEM_EVENT, **(more[0] if more else {})}
        entry = Event(
            complaint_id=complaint_id,
            action=action,
            detail=detail,
            created_at=at,
            prev_hash=heads.get(complaint_id, GENESIS_HASH),
            **columns,
        )
        entry.hash = heads[complaint_id] = entry.content_hash()
        appended().append(
            (complaint_id, action, columns["from_state"], columns["to_state"], columns["public"], detail, at)
        )
        rows.append(
            {
                column.key: getattr(entry, column.key)
                for column in Event.__table__.columns
                if column.key != "id"
            }
        )
    db.session.flush()  # events appended as objects are written first: ids follow the chain
    db.session.execute(insert(Event.__table__), rows)  # rows, not objects (a plain INSERT)
    known.update(heads)
    return len(rows)


_SYSTEM_EVENT = {"actor_id": None, "from_state": None, "to_state": None, "public": True}


def appended() -> list[tuple]:
    """What this transaction appended, in order: (complaint id, action, from state, to state, public,
    detail, at). Read before the commit by those who tell others of it (services/webhooks.py)."""
    return db.session.info.setdefault("timeline_appended", [])


def _heads() -> dict[int, str]:
    """complaint id -> hash of its newest event, for the timelines appended to in this transaction."""
    return db.session.info.setdefault("timeline_heads", {})


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_heads(session, *args) -> None:
    session.info.pop("timeline_heads", None)
    session.info.pop("timeline_appended", None)
