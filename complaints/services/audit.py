"""Proving the timeline: walk every complaint's hash chain and name any that was edited or cut.

Each event stores the hash of its own content and of the event before it (models/event.py). A row
changed in place no longer matches its hash; a row removed leaves the next one pointing at a hash
that is not there. Rewriting the newest event together with its hash cannot be seen from the
chain alone, so `chain_digest` gives one hash over every complaint's newest event: publish or
store it elsewhere, and a later `verify --digest` proves nothing was rewritten since.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from complaints.extensions import db
from complaints.models import GENESIS_HASH, Complaint, Event


@dataclass(frozen=True)
class ChainBreak:
    reference: str
    event_id: int
    problem: str  # "content changed", "chain cut", "does not start at the beginning", "history missing"


def _events_in_chain_order(batch: int = 5000) -> Iterator[Event]:
    query = select(Event).order_by(Event.complaint_id, Event.id).execution_options(yield_per=batch)
    yield from db.session.scalars(query)


def verify_chains() -> tuple[int, list[ChainBreak]]:
    """Check every event of every complaint; returns (events checked, breaks found).

    Reads events in one ordered pass (streamed), so memory stays flat at millions of events.
    """
    breaks: list[tuple[int, int, str]] = []
    checked = 0
    current, previous_hash, broken = None, GENESIS_HASH, False
    for event in _events_in_chain_order():
        checked += 1
        if event.complaint_id != current:
            current, previous_hash, broken = event.complaint_id, GENESIS_HASH, False
        if broken:
            continue  # one break per complaint is enough to name it
        if event.prev_hash != previous_hash:
            problem = "does not start at the beginning" if previous_hash == GENESIS_HASH else "chain cut"
            breaks.append((event.complaint_id, event.id, problem))
            broken = True
        elif event.content_hash() != event.hash:
            breaks.append((event.complaint_id, event.id, "content changed"))
            broken = True
        previous_hash = event.hash
    # Every complaint starts with its "filed" event; one with no events at all lost its history.
    orphaned = db.session.scalars(
        select(Complaint.id).where(~select(Event.id).where(Event.complaint_id == Complaint.id).exists())
    )
    breaks.extend((complaint_id, 0, "history missing") for complaint_id in orphaned)
    references = _references({complaint_id for complaint_id, _, _ in breaks})
    return checked, [ChainBreak(references.get(cid, f"#{cid}"), eid, problem) for cid, eid, problem in breaks]


def chain_digest() -> str:
    """One SHA-256 over the newest event hash of every complaint, in complaint order."""
    digest = hashlib.sha256()
    heads = (
        select(Event.complaint_id, Event.hash)
        .where(Event.id.in_(select(db.func.max(Event.id)).group_by(Event.complaint_id)))
        .order_by(Event.complaint_id)
        .execution_options(yield_per=5000)
    )
    for complaint_id, head in db.session.execute(heads):
        digest.update(f"{complaint_id}:{head}\n".encode())
    return digest.hexdigest()


def _references(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(Complaint.id, Complaint.reference).where(Complaint.id.in_(ids)))
    return dict(rows.all())
