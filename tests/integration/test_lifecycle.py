"""The lifecycle service: every change goes through apply_action, leaves one event, and is safe."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Complaint, Event, Message, MessageKind, Priority, ReferenceCounter, WaitingOn
from complaints.services import filing
from complaints.services.attachments import Upload
from complaints.services.closing import close_expired_decisions
from complaints.services.errors import InvalidUpload, StaleComplaint
from complaints.services.lifecycle import apply_action
from complaints.services.pledge_keeping import sweep
from complaints.workflow import Action, Refusal, State
from tests.files import png_bytes
from tests.support import act_as as act

# What people did, as opposed to the system's bookkeeping (clock and SLA events) beside it.
ACTION_VERBS = {action.value for action in Action} | {"filed"}


def events_of(complaint: Complaint) -> list[Event]:
    return list(
        db.session.scalars(select(Event).where(Event.complaint_id == complaint.id).order_by(Event.id))
    )


def action_events(complaint: Complaint) -> list[Event]:
    return [event for event in events_of(complaint) if event.action in ACTION_VERBS]


def assert_one_action_event_added(complaint: Complaint, before: list[Event]) -> Event:
    """Exactly one event of the action was appended; anything else new is the system's clocks."""
    seen = {event.id for event in before}
    new = [event for event in events_of(complaint) if event.id not in seen]
    acted = [event for event in new if event.action in ACTION_VERBS]
    assert len(acted) == 1, [event.action for event in new]
    assert all(event.actor_id is None for event in new if event not in acted)
    return acted[0]


def count_events(complaint_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Event).where(Event.complaint_id == complaint_id)
    )


def refused(world, ref: str, who: str | None, action: Action, **params) -> Refusal:
    """Try `action`, expect a Refusal, roll back as a view would, and return the refusal."""
    complaint = world.complaint(ref)
    user = world.user(who) if who else None
    with pytest.raises(Refusal) as caught:
        apply_action(complaint, user, action, **params)
    db.session.rollback()
    return caught.value


def snapshot(world, ref: str) -> tuple:
    complaint = world.complaint(ref)
    messages = db.session.scalar(
        select(func.count()).select_from(Message).where(Message.complaint_id == complaint.id)
    )
    return complaint.state, complaint.version, count_events(complaint.id), messages, complaint.waiting


def to_state(world, ref: str, state: State) -> None:
    """Walk a freshly filed complaint to `state` along the main path."""
    paths = {
        State.RECEIVED: [],
        State.VERIFIED: [("agent", Action.VERIFY, {})],
        State.REJECTED: [("agent", Action.REJECT, {"reason": "not a purchase on our platform"})],
        State.WITHDRAWN: [("consumer", Action.WITHDRAW, {})],
        State.MEDIATED: [
            ("agent", Action.VERIFY, {}),
            ("agent", Action.ESCALATE, {"mediation_org_id": world.org_id}),
            # Both parties consent (the agent records the shop's) and the organisation accepts.
            ("consumer", Action.CONSENT_REFERRAL, {}),
            ("merchant", Action.CONSENT_REFERRAL, {}),
            ("mediator", Action.ACCEPT_REFERRAL, {}),
        ],
        State.RESOLVED: [
            ("agent", Action.VERIFY, {}),
            ("agent", Action.RESOLVE, {"outcome": "upheld", "compensation_amount": "299.00"}),
        ],
        State.CLOSED: [
            ("agent", Action.VERIFY, {}),
            ("agent", Action.RESOLVE, {"outcome": "upheld"}),
            ("consumer", Action.CONFIRM, {"rating": 4}),
        ],
    }
    for who, action, params in paths[state]:
        act(world, ref, who, action, **params)
    assert world.complaint(ref).state is state


# Each state change: (from, action, who, params, to)
STATE_CHANGES = [
    (State.RECEIVED, Action.VERIFY, "agent", {}, State.VERIFIED),
    (State.RECEIVED, Action.VERIFY, "supervisor", {}, State.VERIFIED),
    (State.RECEIVED, Action.REJECT, "agent", {"reason": "duplicate of another complaint"}, State.REJECTED),
    (State.RECEIVED, Action.WITHDRAW, "consumer", {}, State.WITHDRAWN),
    (State.VERIFIED, Action.WITHDRAW, "consumer", {"reason": "the shop refunded me"}, State.WITHDRAWN),
    (State.VERIFIED, Action.RESOLVE, "agent", {"outcome": "partly_upheld"}, State.RESOLVED),
    (State.VERIFIED, Action.ESCALATE, "agent", {"mediation_org_id": "ORG"}, State.MEDIATED),
    (
        State.MEDIATED,
        Action.RECORD_OUTCOME,
        "mediator",
        {
            "outcome": "settled",
            "note": "refund of 150 yuan",
            "compensation_amount": "150",
            "payer": "shop",
            "perform_by": date(2026, 6, 1),
        },
        State.RESOLVED,
    ),
    (State.RESOLVED, Action.CONFIRM, "consumer", {"rating": 5}, State.CLOSED),
    (
        State.RESOLVED,
        Action.DISPUTE,
        "consumer",
        {"reason": "the refund is too small", "mediation_org_id": "ORG"},
        State.MEDIATED,
    ),
    (State.REJECTED, Action.APPEAL, "consumer", {"reason": "I do have the order"}, State.RECEIVED),
    (State.REJECTED, Action.CLOSE, "supervisor", {}, State.CLOSED),
    (State.WITHDRAWN, Action.CLOSE, "supervisor", {}, State.CLOSED),
]


def _with_org(world, params: dict) -> dict:
    return {k: (world.org_id if v == "ORG" else v) for k, v in params.items()}


@pytest.mark.parametrize(
    ("start", "action", "who", "params", "end"),
    STATE_CHANGES,
    ids=[f"{s}-{a}-{w}" for s, a, w, _, _ in STATE_CHANGES],
)
def test_each_state_change_appends_one_event_with_its_states_and_actor(
    app, world, start, action, who, params, end
):
    with app.app_context():
        ref = world.file()
        to_state(world, ref, start)
        earlier = events_of(world.complaint(ref))

        after = act(world, ref, who, action, **_with_org(world, params))

        assert after.state is end
        last = assert_one_action_event_added(after, earlier)
        assert (last.action, last.from_state, last.to_state) == (action.value, start.value, end.value)
        assert last.actor_id == world.people[who].id
        assert last.public is True


# In-state actions: (state, action, who, params)
IN_STATE = [
    (State.RECEIVED, Action.CLAIM, "agent", {}),
    (State.VERIFIED, Action.ASSIGN, "supervisor", {"assignee_id": "AGENT2", "handover": "休假"}),
    (State.RECEIVED, Action.REPLY, "agent", {"body": "We are looking into it."}),
    (State.RESOLVED, Action.REPLY, "consumer", {"body": "Thank you."}),
    (State.MEDIATED, Action.REPLY, "mediator", {"body": "A session is planned."}),
    (State.CLOSED, Action.NOTE, "supervisor", {"body": "Checked for the monthly report."}),
    (State.RECEIVED, Action.REQUEST_INFO, "agent", {"party": "consumer", "body": "Your order number?"}),
    (State.VERIFIED, Action.REQUEST_INFO, "agent", {"party": "merchant", "body": "Asked the shop."}),
    (State.MEDIATED, Action.MERCHANT_ANSWER, "agent", {"body": "The shop offers a replacement."}),
    (State.REJECTED, Action.ADD_EVIDENCE, "consumer", {"files": "PNG"}),
    (State.MEDIATED, Action.RECORD_SESSION, "mediator", {"notes": "Both attended.", "held_at": "PAST"}),
]


@pytest.mark.parametrize(
    ("state", "action", "who", "params"), IN_STATE, ids=[f"{s}-{a}-{w}" for s, a, w, _ in IN_STATE]
)
def test_an_in_state_action_appends_one_event_and_keeps_the_state(
    app, world, clock, state, action, who, params
):
    with app.app_context():
        ref = world.file()
        to_state(world, ref, state)
        earlier = events_of(world.complaint(ref))
        resolved = {
            "AGENT2": world.people["agent2"].id,
            "PNG": [Upload("receipt.png", png_bytes())],
            "PAST": clock.now() - timedelta(hours=2),
        }
        params = {k: resolved.get(v, v) if isinstance(v, str) else v for k, v in params.items()}

        after = act(world, ref, who, action, **params)

        assert after.state is state
        last = assert_one_action_event_added(after, earlier)
        assert (last.action, last.from_state, last.to_state) == (action.value, None, None)
        assert last.actor_id == world.people[who].id


def test_internal_notes_leave_an_event_the_consumer_does_not_see(app, world):
    with app.app_context():
        ref = world.file()
        complaint = act(world, ref, "agent", Action.NOTE, body="Merchant has a history of this.")
        note_event = action_events(complaint)[-1]
        assert note_event.action == "note"
        assert note_event.public is False
        message = db.session.scalars(select(Message).where(Message.complaint_id == complaint.id)).one()
        assert message.kind is MessageKind.INTERNAL
        # Everything else on the timeline is public.
        assert all(e.public for e in events_of(complaint) if e.id != note_event.id)


def test_first_public_staff_reply_sets_first_response_at_and_later_ones_keep_it(app, world, clock):
    with app.app_context():
        ref = world.file()
        act(world, ref, "agent", Action.NOTE, body="internal only")
        act(world, ref, "consumer", Action.REPLY, body="Any news?")
        assert world.complaint(ref).first_response_at is None

        clock.advance(hours=3)
        first = clock.now()
        act(world, ref, "agent", Action.REPLY, body="We have asked the shop.")
        assert world.complaint(ref).first_response_at == first

        clock.advance(hours=1)
        act(world, ref, "agent2", Action.REPLY, body="Still waiting on the shop.")
        assert world.complaint(ref).first_response_at == first


def test_asking_the_consumer_counts_as_the_first_response(app, world, clock):
    with app.app_context():
        ref = world.file()
        act(world, ref, "agent", Action.REQUEST_INFO, party="consumer", body="Please send a photo.")
        complaint = world.complaint(ref)
        assert complaint.first_response_at == clock.now()
        assert complaint.waiting == (WaitingOn.CONSUMER,)


def test_consumer_reply_clears_waiting_on_consumer(app, world):
    with app.app_context():
        ref = world.file()
        act(world, ref, "agent", Action.REQUEST_INFO, party="consumer", body="Please send a photo.")
        act(world, ref, "agent", Action.REPLY, body="Reminder: we need the photo.")
        assert world.complaint(ref).waiting == (WaitingOn.CONSUMER,)
        act(world, ref, "consumer", Action.REPLY, body="Here it is.")
        assert world.complaint(ref).waiting == ()


def test_consumer_evidence_clears_waiting_on_consumer(app, world):
    with app.app_context():
        ref = world.file()
        act(world, ref, "agent", Action.REQUEST_INFO, party="consumer", body="Please send a photo.")
        act(world, ref, "consumer", Action.ADD_EVIDENCE, files=[Upload("photo.png", png_bytes())])
        assert world.complaint(ref).waiting == ()


def test_merchant_answer_clears_waiting_on_merchant(app, world):
    with app.app_context():
        ref = world.file()
        act(world, ref, "agent", Action.REQUEST_INFO, party="merchant", body="Asked the shop by phone.")
        assert world.complaint(ref).waiting == (WaitingOn.MERCHANT,)
        act(world, ref, "consumer", Action.REPLY, body="Any news?")
        assert world.complaint(ref).waiting == (WaitingOn.MERCHANT,)
        act(world, ref, "agent", Action.MERCHANT_ANSWER, body="The shop will send a new pair.")
        complaint = world.complaint(ref)
        assert complaint.waiting == ()
        kinds = [
            m.kind for m in db.session.scalars(select(Message).where(Message.complaint_id == complaint.id))
        ]
        assert MessageKind.MERCHANT in kinds


@pytest.mark.parametrize(
    ("who", "action", "params"),
    [
        ("consumer", Action.VERIFY, {}),  # wrong role
        ("agent", Action.RESOLVE, {"outcome": "upheld"}),  # wrong state
        ("agent", Action.REJECT, {}),  # missing reason
        ("agent", Action.REPLY, {"body": "   "}),  # blank after trimming (effect refuses)
        ("agent", Action.ASSIGN, {"assignee_id": 1}),  # agents do not reassign
        ("supervisor", Action.ASSIGN, {"assignee_id": "CONSUMER"}),  # not staff
        ("agent", Action.REQUEST_INFO, {"party": "shop", "body": "?"}),  # unknown party
        ("consumer", Action.APPEAL, {"reason": "x"}),  # not rejected
        ("admin", Action.NOTE, {"body": "admins do not act on complaints"}),
        (None, Action.CLOSE, {}),  # the system, on an open complaint
    ],
)
def test_a_refused_action_changes_nothing(app, world, who, action, params):
    with app.app_context():
        ref = world.file()
        act(world, ref, "agent", Action.CLAIM)
        params = {k: (world.people["consumer"].id if v == "CONSUMER" else v) for k, v in params.items()}
        before = snapshot(world, ref)

        refusal = refused(world, ref, who, action, **params)

        assert refusal.message
        assert snapshot(world, ref) == before


def test_an_invalid_upload_with_a_reply_leaves_no_message_behind(app, world):
    with app.app_context():
        ref = world.file()
        before = snapshot(world, ref)
        complaint = world.complaint(ref)
        with pytest.raises(InvalidUpload):
            apply_action(
                complaint,
                world.user("consumer"),
                Action.REPLY,
                body="Here is the receipt.",
                files=[Upload("receipt.exe", b"MZ\x90\x00 not a picture")],
            )
        db.session.rollback()
        assert snapshot(world, ref) == before


def test_a_refused_outcome_after_the_table_allowed_it_changes_nothing(app, world):
    with app.app_context():
        ref = world.file()
        to_state(world, ref, State.VERIFIED)
        before = snapshot(world, ref)
        refusal = refused(world, ref, "agent", Action.RESOLVE, outcome="not_upheld", compensation_amount="10")
        assert refusal.message == "A complaint that is not upheld carries no compensation."
        refused(world, ref, "agent", Action.RESOLVE, outcome="settled")  # a mediator's outcome
        assert snapshot(world, ref) == before


def test_acting_on_an_outdated_version_is_refused_as_stale(app, world):
    with app.app_context():
        ref = world.file()
        seen = world.complaint(ref).version
        act(world, ref, "agent", Action.VERIFY)
        before = snapshot(world, ref)

        complaint = world.complaint(ref)
        with pytest.raises(StaleComplaint) as caught:
            apply_action(
                complaint, world.user("agent2"), Action.RESOLVE, expected_version=seen, outcome="upheld"
            )
        db.session.rollback()

        assert "changed while you were looking" in caught.value.message
        assert snapshot(world, ref) == before


def test_a_stale_page_is_reported_as_stale_even_when_the_action_no_longer_fits(app, world):
    with app.app_context():
        ref = world.file()
        seen = world.complaint(ref).version
        act(world, ref, "agent", Action.VERIFY)
        before = snapshot(world, ref)

        complaint = world.complaint(ref)
        with pytest.raises(StaleComplaint):
            apply_action(complaint, world.user("agent2"), Action.VERIFY, expected_version=seen)
        db.session.rollback()
        assert snapshot(world, ref) == before


def test_acting_on_the_current_version_succeeds(app, world):
    with app.app_context():
        ref = world.file()
        complaint = world.complaint(ref)
        apply_action(complaint, world.user("agent"), Action.VERIFY, expected_version=complaint.version)
        db.session.commit()
        assert world.complaint(ref).state is State.VERIFIED


def test_a_concurrent_write_between_load_and_flush_is_stale(app, world):
    with app.app_context():
        ref = world.file()
        complaint = world.complaint(ref)
        # Someone else's transaction moves the complaint on after we loaded it.
        with db.engine.begin() as other:
            other.execute(
                Complaint.__table__.update()
                .where(Complaint.id == complaint.id)
                .values(version=Complaint.__table__.c.version + 1)
            )
        with pytest.raises(StaleComplaint):
            apply_action(complaint, world.user("agent"), Action.VERIFY)
        db.session.rollback()
        assert world.complaint(ref).state is State.RECEIVED


def test_a_state_change_increments_the_version(app, world):
    with app.app_context():
        ref = world.file()
        versions = [world.complaint(ref).version]
        for who, action, params in [
            ("agent", Action.VERIFY, {}),
            ("agent", Action.RESOLVE, {"outcome": "upheld"}),
            ("consumer", Action.CONFIRM, {"rating": 3}),
        ]:
            versions.append(act(world, ref, who, action, **params).version)
        assert versions == [versions[0] + i for i in range(4)]


def test_an_in_state_action_increments_the_version_when_time_has_moved(app, world, clock):
    with app.app_context():
        ref = world.file()
        version = world.complaint(ref).version
        clock.advance(minutes=1)
        assert act(world, ref, "agent", Action.NOTE, body="looked at it").version == version + 1
        clock.advance(minutes=1)
        assert act(world, ref, "consumer", Action.REPLY, body="hello?").version == version + 2


def test_every_change_increments_the_version_even_within_one_instant(app, world):
    with app.app_context():
        ref = world.file()
        version = world.complaint(ref).version
        after = act(world, ref, "agent", Action.NOTE, body="looked at it")
        assert after.version == version + 1
        after = act(world, ref, "consumer", Action.REPLY, body="hello?")
        assert after.version == version + 2


def test_consumer_may_escalate_only_once_the_resolution_pledge_is_breached(app, world, clock):
    with app.app_context():
        ref = world.file()
        to_state(world, ref, State.VERIFIED)
        before = snapshot(world, ref)
        refusal = refused(world, ref, "consumer", Action.ESCALATE, mediation_org_id=world.org_id)
        assert "pledged resolution time" in refusal.message
        assert snapshot(world, ref) == before

        clock.advance(days=120)
        sweep()
        complaint = act(world, ref, "consumer", Action.ESCALATE, mediation_org_id=world.org_id)

        assert complaint.state is State.MEDIATED
        assert action_events(complaint)[-1].actor_id == world.people["consumer"].id


# References


def test_references_are_unique_and_gapless_within_a_year_and_restart_in_the_next(app, world, clock):
    with app.app_context():
        refs = [world.file() for _ in range(30)]
        assert refs == [f"C-2026-{n:06d}" for n in range(1, 31)]

        clock.set(datetime(2027, 1, 1, 0, 0, tzinfo=UTC))
        assert world.file() == "C-2027-000001"
        assert world.file() == "C-2027-000002"
        clock.set(datetime(2026, 12, 31, 15, 0, tzinfo=UTC))
        assert world.file() == "C-2026-000031"


def test_an_invalid_upload_refuses_the_filing_and_consumes_no_reference(app, world):
    with app.app_context():
        with pytest.raises(InvalidUpload):
            world.file(files=[Upload("fake.png", b"GIF89a not really a png")])
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
        assert world.file() == "C-2026-000001"


@pytest.mark.parametrize("filed_before", [0, 2])
def test_a_filing_that_fails_after_numbering_gives_its_number_back(app, world, monkeypatch, filed_before):
    with app.app_context():
        for _ in range(filed_before):
            world.file()

        def broken_index(complaint):
            raise RuntimeError("search index unavailable")

        monkeypatch.setattr(filing, "index_complaint", broken_index)
        with pytest.raises(RuntimeError):
            world.file(files=[Upload("receipt.png", png_bytes())])
        db.session.rollback()
        monkeypatch.undo()

        assert db.session.scalar(select(func.count()).select_from(Complaint)) == filed_before
        counter = db.session.get(ReferenceCounter, 2026)
        assert (counter.last_seq if counter else 0) == filed_before
        assert world.file() == f"C-2026-{filed_before + 1:06d}"


def test_a_claim_at_the_major_threshold_is_major_and_high_priority(app, world):
    with app.app_context():
        threshold = Decimal(str(app.config["MAJOR_COMPLAINT_AMOUNT"]))
        major = world.complaint(world.file(claimed_amount=threshold))
        bigger = world.complaint(world.file(claimed_amount=threshold + 1000))
        minor = world.complaint(world.file(claimed_amount=threshold - Decimal("0.01")))

        assert (major.is_major, major.priority) == (True, Priority.HIGH)
        assert (bigger.is_major, bigger.priority) == (True, Priority.HIGH)
        assert (minor.is_major, minor.priority) == (False, Priority.NORMAL)
        filed = events_of(major)[0]
        assert (filed.action, filed.to_state, filed.detail["major"]) == ("filed", "received", True)


# Closing after the appeal window


def test_a_resolved_complaint_is_closed_by_the_system_after_the_appeal_window(app, world, clock):
    with app.app_context():
        ref = world.file()
        to_state(world, ref, State.RESOLVED)
        days = app.config["APPEAL_WINDOW_DAYS"]

        clock.advance(days=days - 1)
        assert close_expired_decisions() == 0
        clock.advance(days=1)  # exactly at the end of the window: still open
        assert close_expired_decisions() == 0
        assert world.complaint(ref).state is State.RESOLVED

        clock.advance(seconds=1)
        assert close_expired_decisions() == 1
        complaint = world.complaint(ref)
        assert complaint.state is State.CLOSED
        assert complaint.closed_at == clock.now()
        assert complaint.rating is None
        last = action_events(complaint)[-1]
        assert (last.action, last.from_state, last.to_state) == ("confirm", "resolved", "closed")
        assert last.actor_id is None

        assert close_expired_decisions() == 0  # nothing left to do


@pytest.mark.parametrize("state", [State.REJECTED, State.WITHDRAWN])
def test_rejected_and_withdrawn_complaints_are_closed_by_the_system_after_the_window(
    app, world, clock, state
):
    with app.app_context():
        ref = world.file()
        to_state(world, ref, state)
        clock.advance(days=app.config["APPEAL_WINDOW_DAYS"], seconds=1)
        assert close_expired_decisions() == 1
        last = action_events(world.complaint(ref))[-1]
        assert (last.action, last.from_state, last.to_state, last.actor_id) == (
            "close",
            state.value,
            "closed",
            None,
        )


def test_the_system_may_not_confirm_within_the_window(app, world):
    with app.app_context():
        ref = world.file()
        to_state(world, ref, State.RESOLVED)
        before = snapshot(world, ref)
        assert refused(world, ref, None, Action.CONFIRM).message == "The appeal window is still open."
        assert snapshot(world, ref) == before


# The event log is append-only


def test_an_event_cannot_be_updated_through_the_orm(app, world):
    with app.app_context():
        ref = world.file()
        event = events_of(world.complaint(ref))[0]
        event.detail = {"rewritten": True}
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
        assert events_of(world.complaint(ref))[0].detail != {"rewritten": True}


def test_an_event_cannot_be_deleted_through_the_orm(app, world):
    with app.app_context():
        ref = world.file()
        complaint = world.complaint(ref)
        count = count_events(complaint.id)
        db.session.delete(events_of(complaint)[0])
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
        assert count_events(complaint.id) == count
