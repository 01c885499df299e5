"""Random walks through the lifecycle: whatever people try, the complaint stays consistent.

Each example files a new complaint and applies a random sequence of (action, actor) through
apply_action, with inputs that satisfy the table's requirements, sometimes letting the appeal
window pass (and the SLA sweep run). After every step either the action was refused and nothing
changed, or exactly one event of the action was appended (beside the system's clock events) and
the state is the one the workflow table names; and each mediation organisation's open-case count
equals a recount of its cases.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Event, MediationOrganisation, SlaClock
from complaints.services import referral_choice
from complaints.services.attachments import Upload
from complaints.services.errors import InvalidUpload
from complaints.services.lifecycle import apply_action, facts_for
from complaints.services.pledge_keeping import sweep
from complaints.workflow import (
    OPEN_STATES,
    Action,
    Actor,
    Refusal,
    State,
    allowed_actions,
    target_state,
    transition_for,
)
from tests.files import png_bytes
from tests.integration.test_timeline import chain_breaks

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
WAIT = "wait for the appeal window to pass"
PERSON = {
    Actor.CONSUMER: "consumer",
    Actor.AGENT: "agent",
    Actor.SUPERVISOR: "supervisor",
    Actor.MEDIATOR: "mediator",
    Actor.MERCHANT: "merchant",
    Actor.SYSTEM: None,
}

# How each step is chosen: a state change the table offers now (so walks go deep), any action the
# table offers now, any (action, actor) at all (so refusals are tried too), or letting time pass.
CHOICES = ["move", "move", "move", "offered", "offered", "arbitrary", "wait"]
ANY_PAIR = st.tuples(st.sampled_from(list(Action)), st.sampled_from(list(Actor)))


def offered(complaint, *, moves_only: bool) -> list[tuple[Action, Actor]]:
    """The (action, actor) pairs the workflow offers on `complaint` right now."""
    facts = facts_for(complaint)
    return [
        (action, actor)
        for actor in Actor
        for action in allowed_actions(actor, facts)
        if not moves_only or transition_for(action).target is not None
    ]


def draw_step(data, complaint) -> tuple[Action | str, Actor | None]:
    choice = data.draw(st.sampled_from(CHOICES), label="choice")
    if choice == "wait":
        return WAIT, None
    pairs = [] if choice == "arbitrary" else offered(complaint, moves_only=choice == "move")
    if not pairs:
        return data.draw(ANY_PAIR, label="step")
    return data.draw(st.sampled_from(pairs), label="step")


def params_for(world, actor: Actor, party: str, at: datetime) -> dict:
    """Inputs that satisfy every action's requirements for `actor`."""
    return {
        "reason": "the headphones stopped working",
        "outcome": "settled" if actor is Actor.MEDIATOR else "upheld",
        "compensation_amount": "100",
        "note": "refund of 100 yuan agreed",
        "payer": "shop",
        "perform_by": (at + timedelta(days=30)).date(),
        "body": "a message",
        "party": party,
        "files": [Upload("photo.png", png_bytes())],
        "mediation_org_id": world.org_id,
        "assignee_id": world.people["agent"].id,
        "handover": "shift change",
        "rating": 3,
        "comment": "ok",
        "held_at": at - timedelta(hours=1),
        "channel": "phone",
        "notes": "both parties attended",
        # A referral to mediation: a session the mediator schedules.
        "starts_at": at + timedelta(days=2),
    }


# Events that record what someone did, as opposed to the clocks' bookkeeping.
ACTION_VERBS = {action.value for action in Action} | {"filed"}


def observe(world, ref: str) -> tuple[State, int, int]:
    complaint = world.complaint(ref)
    events = db.session.scalar(
        select(func.count()).select_from(Event).where(Event.complaint_id == complaint.id)
    )
    return complaint.state, complaint.version, events


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), length=st.integers(min_value=1, max_value=20))
def test_random_walks_keep_state_events_and_chain_consistent(app, world, clock, data, length):
    with app.app_context():
        clock.set(START)
        ref = world.file()
        complaint_id = world.complaint(ref).id
        for _ in range(length):
            action, actor = draw_step(data, world.complaint(ref))
            to_ask = data.draw(st.sampled_from(["consumer", "merchant"]), label="party")
            clock.advance(minutes=1)  # people act one after another, not in the same instant
            if action == WAIT:
                clock.advance(days=app.config["APPEAL_WINDOW_DAYS"] + 1)
                sweep()  # the scheduler records the breaches that fell due meanwhile
                continue
            state, version, events = observe(world, ref)
            who = PERSON[actor]
            try:
                apply_action(
                    world.complaint(ref),
                    world.user(who) if who else None,
                    action,
                    **params_for(world, actor, to_ask, clock.now()),
                )
                db.session.commit()
            except (Refusal, InvalidUpload):
                db.session.rollback()
                assert observe(world, ref) == (state, version, events), (action, actor)
            else:
                new_state, new_version, new_events = observe(world, ref)
                assert new_state is target_state(action, state), (action, actor)
                assert new_version == version + 1, (action, actor)
                appended = db.session.scalars(
                    select(Event).where(Event.complaint_id == complaint_id).order_by(Event.id).offset(events)
                ).all()
                assert len(appended) == new_events - events
                # Exactly one event says what the person did; the rest are the system moving clocks.
                acted = [e for e in appended if e.action in ACTION_VERBS]
                assert len(acted) == 1, (action, actor, [e.action for e in appended])
                assert all(e.actor_id is None for e in appended if e not in acted)
                last = acted[0]
                assert last.action == action.value
                assert last.actor_id == (world.people[who].id if who else None)
                moved = new_state is not state
                event(f"{action.value} by {actor.value} from {state.value}")
                assert (last.from_state, last.to_state) == (
                    (state.value, new_state.value) if moved else (None, None)
                )
            assert world.complaint(ref).state in State
            assert chain_breaks(complaint_id) == []
            # Each mediation organisation's open cases, as the database keeps them, are its cases.
            kept = dict(
                db.session.execute(select(MediationOrganisation.id, MediationOrganisation.open_cases)).all()
            )
            assert kept == {org: referral_choice.recount(org) for org in kept}, (action, actor)
            # The queues rely on it (services/clock_order.py): a clock that has not stopped belongs
            # to an open complaint.
            if world.complaint(ref).state not in OPEN_STATES:
                running = select(SlaClock.kind).where(
                    SlaClock.complaint_id == complaint_id, SlaClock.stopped_at.is_(None)
                )
                assert db.session.scalars(running).all() == []
