"""The one path by which anything happens to a complaint.

`apply_action` asks the workflow whether the actor may take the action in the complaint's
current state, checks the actor saw the latest version, applies the action's effect, moves the
state, and appends one event. Nothing else writes `Complaint.state`.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from complaints.extensions import db
from complaints.models import Complaint, Role, User
from complaints.services.access import workflow_actor
from complaints.timekeeping import now
from complaints.services.effects import EFFECTS
from complaints.services.errors import StaleComplaint
from complaints.timeline import append_event
from complaints.sla import clocks
from complaints.workflow import N_, Action, Facts, Refusal, check, target_state


def facts_for(complaint: Complaint) -> Facts:
    """The facts the workflow's guards need, read from `complaint` at this instant."""
    return Facts(
        state=complaint.state,
        was_mediated=complaint.was_mediated,
        appeal_used=complaint.appeal_used,
        within_appeal_window=within_appeal_window(complaint),
        waiting_on=complaint.waiting_on.value if complaint.waiting_on else None,
        resolution_breached=clocks.is_breached(complaint, "resolution"),
    )


def within_appeal_window(complaint: Complaint) -> bool:
    """Whether a decision on `complaint` can still be appealed or disputed."""
    if complaint.decided_at is None:
        return True
    days = current_app.config["APPEAL_WINDOW_DAYS"]
    return now() <= complaint.decided_at + timedelta(days=days)


def is_party(complaint: Complaint, user: User | None) -> bool:
    """Whether `user` takes part in `complaint`: its consumer, the platform's staff, a mediator
    of the organisation it was referred to, or the system. Callers load complaints through
    scoped queries already; this keeps a mistake there from becoming an action on the wrong case."""
    if user is None or user.is_staff:
        return True
    if user.role is Role.CONSUMER:
        return complaint.consumer_id == user.id
    if user.role is Role.MEDIATOR:
        return complaint.mediation_org_id is not None and complaint.mediation_org_id == user.mediation_org_id
    return False


def apply_action(
    complaint: Complaint,
    user: User | None,
    action: Action,
    *,
    expected_version: int | None = None,
    **params,
) -> Complaint:
    """Apply `action` to `complaint` on behalf of `user`, or raise Refusal.

    complaint: a complaint loaded through the user's scoped query.
    user: who acts; None for the system (the scheduler).
    action: the workflow action.
    expected_version: the version the actor saw; if the complaint moved on since, StaleComplaint.
    params: the action's inputs (reason, outcome, body, ...), as the workflow table requires.
    The caller commits; on Refusal nothing has been changed.
    """
    actor = workflow_actor(user)
    if actor is None or not is_party(complaint, user):
        raise Refusal(N_("Your role may not take this action."), action=action)
    # A stale page is the likelier reason an action no longer fits, so say that first.
    if expected_version is not None and expected_version != complaint.version:
        raise StaleComplaint()
    row = check(action, actor, facts_for(complaint), params)
    before, waiting_before = complaint.state, complaint.waiting_on
    change = EFFECTS[action](complaint, user, params)
    complaint.state = target_state(action, before)
    complaint.updated_at = now()
    # Always UPDATE the row, even when no column changed value, so the version moves and a
    # concurrent actor holding the old version is refused.
    flag_modified(complaint, "updated_at")
    try:
        db.session.flush()
    except StaleDataError as exc:
        db.session.rollback()
        raise StaleComplaint() from exc
    append_event(
        complaint,
        user,
        action.value,
        from_state=before.value if complaint.state != before else None,
        to_state=complaint.state.value if complaint.state != before else None,
        detail=change.detail,
        public=row.public,
    )
    clocks.on_action(complaint, user, action, before, waiting_before)
    return complaint


# The effects live beside their domain; importing them registers them.
from complaints.services import conversation, decisions, mediation  # noqa: E402,F401
