"""The SLA sweep: mark the warnings and breaches that fell due, once each, and hand them back.

Safe to run in several processes and after any downtime: a clock is claimed by a conditional
UPDATE (`... AND breached_at IS NULL`), so only one sweep records it, and every clock that fell
due while nothing ran is found on the next run. On PostgreSQL the candidates are taken with
FOR UPDATE SKIP LOCKED so that parallel sweeps share the work instead of waiting. The cost of a
run follows the clocks that fall due, read through partial indexes on running clocks.

This module records (marks, events, versions, priorities) and returns `PledgeNotice`s; it sends
nothing. `services.pledge_keeping.sweep` runs it batch by batch, notifies, and commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from complaints.extensions import db
from complaints.models import (
    BreachAction,
    Complaint,
    Priority,
    SlaClock,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTarget,
)
from complaints.sla.notices import BREACH, WARNING, PledgeNotice, breach_notice, warning_notice
from complaints.timeline import append_events

_MARKS = {
    # verb: (instant that falls due, column it sets)
    WARNING: (SlaClock.warn_at, SlaClock.warned_at),
    BREACH: (SlaClock.due_at, SlaClock.breached_at),
}


def _claim(verb: str, at: datetime, batch_size: int) -> list[int]:
    """Set the mark of up to `batch_size` clocks that fell due; return the ids this run set."""
    instant, mark = _MARKS[verb]
    running = (SlaClock.stopped_at.is_(None), SlaClock.paused_at.is_(None), mark.is_(None))
    # A warning falls due at its instant; a breach just after it (a stop exactly at the due
    # instant keeps the promise: sla/terms.py).
    fell_due = instant <= at if verb == WARNING else instant < at
    # Deactivating a policy stops its future warnings and breaches.
    candidates = (
        select(SlaClock.id)
        .join(SlaTarget, SlaTarget.id == SlaClock.target_id)
        .join(SlaPolicyVersion, SlaPolicyVersion.id == SlaTarget.version_id)
        .join(SlaPolicy, SlaPolicy.id == SlaPolicyVersion.policy_id)
        .where(*running, fell_due, SlaPolicy.active.is_(True))
        .order_by(instant)
        .limit(batch_size)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True, of=SlaClock)
    ids = list(db.session.scalars(candidates))
    if not ids:
        return []
    claimed = db.session.execute(
        update(SlaClock)
        .where(SlaClock.id.in_(ids), *running)
        .values({mark.key: at})
        .returning(SlaClock.id)
        .execution_options(synchronize_session=False)
    )
    return list(claimed.scalars())


def record_due(verb: str, at: datetime, batch_size: int) -> tuple[int, list[PledgeNotice]]:
    """Claim up to `batch_size` clocks whose `verb` (WARNING or BREACH) fell due by `at`, record
    them, and return (how many were claimed, the notices to send). The caller commits."""
    ids = _claim(verb, at, batch_size)
    return len(ids), (_record(verb, ids, at) if ids else [])


def _record(verb: str, clock_ids: list[int], at: datetime) -> list[PledgeNotice]:
    """Record `verb` for each claimed clock and carry out what the pledge says, in a fixed
    number of statements per batch: one event per clock (chained), the complaints' versions
    bumped (so anyone acting on a stale page is told to reload), priorities raised."""
    clocks = db.session.scalars(
        select(SlaClock)
        .where(SlaClock.id.in_(clock_ids))
        .options(joinedload(SlaClock.target))
        .order_by(SlaClock.id)
    ).all()
    complaint_ids = sorted({clock.complaint_id for clock in clocks})
    rows = select(Complaint.__table__).where(Complaint.id.in_(complaint_ids))
    if db.session.get_bind().dialect.name == "postgresql":
        rows = rows.with_for_update()  # no one appends to these timelines until we commit
    complaints = {row.id: row for row in db.session.execute(rows)}
    events, notices, urgent = [], [], set()
    for clock in clocks:
        complaint = complaints[clock.complaint_id]
        notice = warning_notice(complaint, clock) if verb == WARNING else breach_notice(complaint, clock)
        events.append((complaint.id, verb, notice.detail))
        notices.append(notice)
        if BreachAction.RAISE_PRIORITY in notice.breach_actions:
            urgent.add(complaint.id)
    table = Complaint.__table__
    db.session.execute(
        update(table).where(table.c.id.in_(complaint_ids)).values(updated_at=at, version=table.c.version + 1)
    )
    if urgent:
        db.session.execute(update(table).where(table.c.id.in_(urgent)).values(priority=Priority.URGENT.value))
    append_events(events, at)
    return notices
