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
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

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
from complaints.services.clock import now
from complaints.services.lifecycle import facts_for
from complaints.services.timeline import append_event
from complaints.workflow import Action, Actor, allowed_actions

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
    clocks = db.session.scalars(
        select(SlaClock).where(SlaClock.id.in_(clock_ids)).options(joinedload(SlaClock.target))
    ).all()
    complaints = {
        c.id: c
        for c in db.session.scalars(
            select(Complaint).where(Complaint.id.in_({k.complaint_id for k in clocks}))
        )
    }
    supervisors = None
    for clock in clocks:
        complaint = complaints[clock.complaint_id]
        detail = {
            "clock": clock.kind.value,
            "due_at": clock.due_at.isoformat(),
            "reference": complaint.reference,
        }
        append_event(complaint, None, verb, detail=detail)
        complaint.updated_at = at  # serialises with people acting on it (optimistic lock)
        flag_modified(complaint, "updated_at")
        if verb == "sla_warning":
            if complaint.assignee_id:
                notifications.notify(
                    [complaint.assignee_id], NotificationKind.SLA_WARNING, complaint.id, detail
                )
            continue
        actions = set(clock.target.breach_actions)
        if BreachAction.NOTIFY_SUPERVISORS in actions:
            supervisors = supervisors if supervisors is not None else notifications.supervisor_ids()
            notifications.notify(supervisors, NotificationKind.SLA_BREACH, complaint.id, detail)
        if BreachAction.RAISE_PRIORITY in actions:
            complaint.priority = Priority.URGENT
        if BreachAction.OFFER_CONSUMER_ESCALATION in actions and complaint.consumer_id:
            # The consumer always hears that we missed the date; the offer of mediation is made
            # only where the workflow lets them take it now.
            offer = {**detail, "may_escalate": _consumer_may_escalate(complaint)}
            notifications.notify([complaint.consumer_id], NotificationKind.SLA_BREACH, complaint.id, offer)


def _consumer_may_escalate(complaint: Complaint) -> bool:
    """Offer mediation only where the workflow lets the consumer take it now."""
    return Action.ESCALATE in allowed_actions(Actor.CONSUMER, facts_for(complaint))


def sweep(batch_size: int = 2000, max_batches: int = 1000) -> SweepReport:
    """Record every warning and breach that fell due by now; returns how many this run recorded.

    batch_size: clocks per transaction; a catch-up after downtime takes several batches.
    max_batches: a bound on one run; whatever is left is taken by the next run.
    """
    report = SweepReport()
    at = now()
    for verb in ("sla_warning", "sla_breach"):
        for _ in range(max_batches):
            try:
                ids = _claim(verb, at, batch_size)
                if ids:
                    _act(verb, ids, at)
                db.session.commit()
            except StaleDataError:
                # Someone changed one of these complaints meanwhile: nothing of this batch was
                # recorded; the next run takes it again.
                db.session.rollback()
                log.info("sweep batch skipped: a complaint changed meanwhile")
                break
            if verb == "sla_warning":
                report.warned += len(ids)
            else:
                report.breached += len(ids)
            if len(ids) < batch_size:
                break
    return report
