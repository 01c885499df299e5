"""Duplicates: an agent closes a complaint that repeats an earlier one of the same consumer about
the same shop, through the one workflow path: the state, the timeline, the clocks (void, not met)
and the consumer's notification all follow, and both complaint pages show the link."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import ClockResult, Event, Notification, NotificationKind, SlaClock
from complaints.services.audit import verify_chains
from complaints.workflow import Action, Refusal, State
from tests.support import PASSWORD, act, act_as


def signed_in(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_marking_a_duplicate_closes_it_voids_its_clocks_and_tells_the_consumer(app, world, clock):
    original, duplicate = world.file(), world.file()
    clock.advance(hours=2)
    complaint = act_as(world, duplicate, "agent", Action.MARK_DUPLICATE, original=f" {original.lower()} ")

    assert complaint.state is State.CLOSED and complaint.closed_at is not None
    assert complaint.duplicate_of_id == world.complaint(original).id
    event = db.session.scalars(
        select(Event).where(Event.complaint_id == complaint.id, Event.action == "mark_duplicate")
    ).one()
    assert (event.to_state, event.public, event.detail["duplicate_of"]) == ("closed", True, original)
    assert verify_chains()[1] == []  # the hash chain holds
    results = {
        c.kind.value: c.result
        for c in db.session.scalars(select(SlaClock).where(SlaClock.complaint_id == complaint.id))
    }
    assert set(results.values()) == {ClockResult.VOID}
    assert world.complaint(original).state is State.RECEIVED  # the original goes on untouched
    told = db.session.scalars(
        select(Notification).where(
            Notification.complaint_id == complaint.id, Notification.kind == NotificationKind.DECISION
        )
    ).all()
    assert {n.user_id for n in told} == {world.people["consumer"].id, world.people["merchant"].id}
    assert all(n.detail["duplicate_of"] == original for n in told)


def test_a_clock_already_late_ends_missed_not_void(app, world, clock):
    original, duplicate = world.file(), world.file()
    clock.advance(days=2)  # past the 24-hour first response
    complaint = act_as(world, duplicate, "agent", Action.MARK_DUPLICATE, original=original)
    results = {
        c.kind.value: c.result
        for c in db.session.scalars(select(SlaClock).where(SlaClock.complaint_id == complaint.id))
    }
    assert results["response"] is ClockResult.MISSED
    assert results["verification"] is ClockResult.VOID


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unknown", "No complaint C-2026-999999 was found."),
        ("itself", "A complaint cannot be a duplicate of itself."),
        ("other consumer", "was filed by another consumer"),
        ("other shop", "is about another shop"),
        ("a duplicate", "is itself a duplicate of"),
        ("withdrawn", "is closed or withdrawn"),
    ],
)
def test_an_original_that_cannot_carry_the_complaint_is_refused_with_its_reason(app, world, case, message):
    duplicate = world.file()
    if case == "unknown":
        original = "C-2026-999999"
    elif case == "itself":
        original = duplicate
    elif case == "other consumer":
        original = world.file("other_consumer")
    elif case == "other shop":
        original = world.file(merchant_id=world.merchant_ids[1])
    elif case == "a duplicate":
        first, original = world.file(), world.file()
        act_as(world, original, "agent", Action.MARK_DUPLICATE, original=first)
    else:
        original = world.file()
        act_as(world, original, "consumer", Action.WITHDRAW)
    version = world.complaint(duplicate).version
    with pytest.raises(Refusal) as refused:
        act_as(world, duplicate, "agent", Action.MARK_DUPLICATE, original=original)
    db.session.rollback()
    assert message in refused.value.message
    assert world.complaint(duplicate).version == version


def test_only_staff_mark_duplicates_and_only_before_a_decision(app, world):
    original, duplicate = world.file(), world.file()
    for who in ("consumer", "merchant", "mediator"):
        with pytest.raises(Refusal):
            act_as(world, duplicate, who, Action.MARK_DUPLICATE, original=original)
        db.session.rollback()
    act_as(world, duplicate, "agent", Action.VERIFY)
    act_as(world, duplicate, "agent", Action.RESOLVE, outcome="upheld")
    with pytest.raises(Refusal):
        act_as(world, duplicate, "supervisor", Action.MARK_DUPLICATE, original=original)


def test_the_desk_form_marks_it_and_both_pages_show_the_link(app, world):
    original, duplicate = world.file(), world.file()
    agent = signed_in(app, "agent@example.com")
    response = act(agent, "desk", duplicate, "mark_duplicate", original_reference=original)
    assert response.status_code == 302
    desk = agent.get(f"/desk/complaints/{duplicate}").get_data(as_text=True)
    assert "Duplicate of" in desk and f'href="/desk/complaints/{original}"' in desk
    assert "Closed as a duplicate" in desk
    on_original = agent.get(f"/desk/complaints/{original}").get_data(as_text=True)
    assert (
        "Duplicates of this complaint" in on_original
        and f'href="/desk/complaints/{duplicate}"' in on_original
    )
    consumer = signed_in(app, "consumer@example.com")
    portal = consumer.get(f"/portal/complaints/{duplicate}").get_data(as_text=True)
    assert f'href="/portal/complaints/{original}"' in portal
    portal_original = consumer.get(f"/portal/complaints/{original}").get_data(as_text=True)
    assert f'href="/portal/complaints/{duplicate}"' in portal_original
    notice = consumer.get("/notifications").get_data(as_text=True)
    assert f"{duplicate} repeats complaint {original}" in notice


def test_a_refused_mark_keeps_the_reference_and_says_why_at_the_top(app, world):
    duplicate, theirs = world.file(), world.file("other_consumer")
    agent = signed_in(app, "agent@example.com")
    response = act(agent, "desk", duplicate, "mark_duplicate", original_reference=theirs)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Mark as a duplicate: " in html and "was filed by another consumer" in html
    assert f'value="{theirs}"' in html  # what was typed is kept
    assert world.complaint(duplicate).state is State.RECEIVED
    empty = act(agent, "desk", duplicate, "mark_duplicate", original_reference="")
    assert empty.status_code == 400
    assert 'href="#original_reference"' in empty.get_data(as_text=True)
