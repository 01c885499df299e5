"""The SLA sweep: mark the warnings and breaches that fell due, once each, and act on them.

Safe to run in several processes and after any downtime: a clock is claimed by a conditional
UPDATE (`... AND breached_at IS NULL`), so only one sweep records it, and every clock that fell
due while nothing ran is found on the next run. On PostgreSQL the candidates are taken with
FOR UPDATE SKIP LOCKED so that parallel sweeps share the work instead of waiting. The cost of a
run follows the clocks that fall due, read through partial indexes on running clocks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from complaints.extensions import db
from complaints.models import (
    BreachAction,
    Complaint,
    NotificationKind,
    Priority,
    SlaClock,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTarget,
)
from complaints.services import notifications
from complaints.timekeeping import now
from complaints.timeline import append_events
from complaints.workflow import Action, Actor, Facts, State, allowed_actions

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    warned: int = 0
    breached: int = 0

    def __bool__(self) -> bool:
        return bool(self.warned or self.breached)


_MARKS = {
    # verb: (instant that falls due, column it sets)
    "sla_warning": (SlaClock.warn_at, SlaClock.warned_at),
    "sla_breach": (SlaClock.due_at, SlaClock.breached_at),
}


def _claim(verb: str, at: datetime, batch_size: int) -> list[int]:
    """Set the mark of up to `batch_size` clocks that fell due; return the ids this run set."""
    instant, mark = _MARKS[verb]
    running = (SlaClock.stopped_at.is_(None), SlaClock.paused_at.is_(None), mark.is_(None))
    # Deactivating a policy stops its future warnings and breaches.
    candidates = (
        select(SlaClock.id)
        .join(SlaTarget, SlaTarget.id == SlaClock.target_id)
        .join(SlaPolicyVersion, SlaPolicyVersion.id == SlaTarget.version_id)
        .join(SlaPolicy, SlaPolicy.id == SlaPolicyVersion.policy_id)
        .where(*running, instant <= at, SlaPolicy.active.is_(True))
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


def _act(verb: str, clock_ids: list[int], at: datetime) -> None:
    """Record `verb` for each claimed clock and carry out what the pledge says, in a fixed
    number of statements per batch: one event per clock (chained), the complaints' versions
    bumped (so anyone acting on a stale page is told to reload), notifications, priorities."""
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
    supervisors = notifications.supervisor_ids() if verb == "sla_breach" else []
    for clock in clocks:
        complaint = complaints[clock.complaint_id]
        detail = {
            "clock": clock.kind.value,
            "due_at": clock.due_at.isoformat(),
            "reference": complaint.reference,
        }
        events.append((complaint.id, verb, detail))
        if verb == "sla_warning":
            if complaint.assignee_id:
                notices.append(([complaint.assignee_id], NotificationKind.SLA_WARNING, complaint.id, detail))
            continue
        actions = set(clock.target.breach_actions)
        if BreachAction.NOTIFY_SUPERVISORS in actions:
            notices.append((supervisors, NotificationKind.SLA_BREACH, complaint.id, detail))
        if BreachAction.RAISE_PRIORITY in actions:
            urgent.add(complaint.id)
        if BreachAction.OFFER_CONSUMER_ESCALATION in actions and complaint.consumer_id:
            # The consumer always hears that we missed the date; the offer of mediation is made
            # only where the workflow lets them take it now.
            offer = {**detail, "may_escalate": _consumer_may_escalate(complaint)}
            notices.append(([complaint.consumer_id], NotificationKind.SLA_BREACH, complaint.id, offer))
    table = Complaint.__table__
    db.session.execute(
        update(table).where(table.c.id.in_(complaint_ids)).values(updated_at=at, version=table.c.version + 1)
    )
    if urgent:
        db.session.execute(update(table).where(table.c.id.in_(urgent)).values(priority=Priority.URGENT.value))
    append_events(events, at)
    notifications.notify_many(notices)


def _consumer_may_escalate(complaint) -> bool:
    """Offer mediation only where the workflow lets the consumer take it now (the resolution
    window has just been breached)."""
    facts = Facts(
        state=State(complaint.state),
        was_mediated=complaint.was_mediated,
        appeal_used=complaint.appeal_used,
        resolution_breached=True,
    )
    return Action.ESCALATE in allowed_actions(Actor.CONSUMER, facts)


def sweep(batch_size: int = 2000, max_batches: int = 1000) -> SweepReport:
    """Record every warning and breach that fell due by now; returns how many this run recorded.

    batch_size: clocks per transaction; a catch-up after downtime takes several batches.
    max_batches: a bound on one run; whatever is left is taken by the next run.
    """
    report = SweepReport()
    at = now()
    for verb in ("sla_warning", "sla_breach"):
        for _ in range(max_batches):
            ids = _claim(verb, at, batch_size)
            if ids:
                _act(verb, ids, at)
            db.session.commit()
            if verb == "sla_warning":
                report.warned += len(ids)
            else:
                report.breached += len(ids)
            if len(ids) < batch_size:
                break
    return report
