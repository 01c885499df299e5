"""Closing complaints nobody acted on once their appeal window has passed."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import Complaint
from complaints.services.errors import StaleComplaint
from complaints.services.lifecycle import apply_action
from complaints.timekeeping import now
from complaints.workflow import Action, Refusal, State

log = logging.getLogger(__name__)


def close_expired_decisions(batch_size: int = 500) -> int:
    """Close resolved, rejected and withdrawn complaints whose appeal window has passed.

    batch_size: at most this many per call, so one run stays short; the next run takes the rest.
    Returns how many were closed. Each close is its own transaction: one complaint that
    someone is acting on right now is skipped, not the whole batch.
    """
    cutoff = now() - timedelta(days=current_app.config["APPEAL_WINDOW_DAYS"])
    due = db.session.scalars(
        select(Complaint)
        .where(
            Complaint.state.in_([State.RESOLVED, State.REJECTED, State.WITHDRAWN]),
            Complaint.decided_at < cutoff,
        )
        .order_by(Complaint.decided_at)
        .limit(batch_size)
    ).all()
    closed = 0
    for complaint in due:
        action = Action.CONFIRM if complaint.state is State.RESOLVED else Action.CLOSE
        try:
            apply_action(complaint, None, action)
            db.session.commit()
            closed += 1
        except (Refusal, StaleComplaint) as refusal:
            db.session.rollback()
            log.info("not closing %s: %s", complaint.reference, refusal.message)
    return closed
