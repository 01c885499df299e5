"""The one path by which anything happens to a complaint.

`act_on_complaint` is what every blueprint (and the API) calls: it loads the complaint through
the actor's scoped query, applies the action, and commits, or rolls back and refuses.
`apply_action` is its core, for callers that hold a complaint already (the scheduler, the
seeder): it asks the workflow whether the actor may take the action in the complaint's current
state, checks the actor saw the latest version, applies the action's effect, moves the state,
appends one event, and moves the pledge's clocks. Nothing else writes `Complaint.state`.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from complaints import participants
from complaints.extensions import db
from complaints.models import Complaint, User
from complaints.services import announcement_rules, announcements, pledge_keeping
from complaints.services.effects import EFFECTS
from complaints.services.errors import ComplaintNotFound, StaleComplaint
from complaints.sla import clocks
from complaints.sla.facts import facts_for
from complaints.timekeeping import now
from complaints.timeline import append_event
from complaints.workflow import N_, Action, Refusal, State, check, target_state

# The states in which the shop's offer can still be answered.
SETTLING_STATES = (State.RECEIVED, State.VERIFIED)


def act_on_complaint(
    user: User | None, reference: str, action: Action, version: int | None = None, **params
) -> Complaint:
    """Take `action` on complaint `reference` as `user`, and commit; or roll back and raise.

    user: who acts (None: the system).
    reference: the complaint, looked up through `user`'s scoped query.
    action: the workflow action.
    version: the version the actor saw (StaleComplaint if it moved on); None: not checked.
    params: the action's inputs, as the workflow table and the action's effect require.
    Raises ComplaintNotFound (answer 404), Refusal (409; StaleComplaint is one) or
    InvalidUpload (400); nothing is changed then.
    """
    complaint = participants.get_visible_complaint(user, reference)
    if complaint is None:
        raise ComplaintNotFound()
    try:
        apply_action(complaint, user, action, expected_version=version, **params)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    current_app.logger.info("%s took %s on %s", _who(user), action.value, reference)
    return complaint


def _who(user: User | None) -> str:
    return f"user {user.id}" if user is not None else "the system"


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
    actor = participants.workflow_actor(user)
    if actor is None or not participants.is_party(user, complaint):
        raise Refusal(N_("Your role may not take this action."), action=action)
    # A stale page is the likelier reason an action no longer fits, so say that first.
    if expected_version is not None and expected_version != complaint.version:
        raise StaleComplaint()
    row = check(action, actor, facts_for(complaint), params)
    before, waiting_before = complaint.state, complaint.waiting
    change = EFFECTS[action](complaint, user, params)
    asked = announcement_rules.asked_of(action, change.detail)
    complaint.state = target_state(action, before)
    complaint.updated_at = now()
    # The same rule that stops the response clock (a mediator or a shop is not the platform).
    if complaint.first_response_at is None and clocks.is_first_response(action, actor, asked):
        complaint.first_response_at = complaint.updated_at
    # Always UPDATE the row, even when no column changed value, so the version moves and a
    # concurrent actor holding the old version is refused.
    flag_modified(complaint, "updated_at")
    try:
        db.session.flush()
    except StaleDataError as exc:
        db.session.rollback()
        raise StaleComplaint() from exc
    if complaint.state not in SETTLING_STATES:
        settlements.lapse_open_offers(complaint)
    append_event(
        complaint,
        user,
        action.value,
        from_state=before.value if complaint.state != before else None,
        to_state=complaint.state.value if complaint.state != before else None,
        detail=change.detail,
        public=row.public,
    )
    # A clock stopped after its due instant is recorded as missed now, with its breach, and
    # the people the sweep would have told are told in the same transaction.
    pledge_keeping.notify(clocks.on_action(complaint, actor, action, before, waiting_before, asked))
    announcements.announce(complaint, user, action, change.detail, asked)
    return complaint


# The effects live beside their domain; importing them registers them.
from complaints.services import (  # noqa: E402,F401
    conversation,
    decisions,
    duplicates,
    mediation,
    mediation_sessions,
    referrals,
    settlements,
)
