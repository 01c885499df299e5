"""The pledge's words mean one thing everywhere: met, missed, void, at risk, overdue, time left/over.

Each contradiction found from outside (a late answer reported as kept, "Met" on withdrawn
complaints, "0h 00m left" beside "Overdue", unlabelled clock rows after an appeal) is a test here.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import (
    ClockKind,
    ClockResult,
    Event,
    Notification,
    NotificationKind,
    SlaClock,
    WaitingOn,
)
from complaints.services.clock_order import at_risk_clocks, overdue_clocks
from complaints.services.lifecycle import apply_action
from complaints.services.pledge_keeping import sweep
from complaints.sla import terms
from complaints.sla.clocks import is_first_response
from complaints.workflow import Action, Actor, Refusal
from tests.support import PASSWORD, mediation_accepted, shanghai
from tests.support import act_as as act

K = ClockKind


def clocks_of(world, ref: str) -> dict[ClockKind, SlaClock]:
    """The newest clock of each kind."""
    complaint = world.complaint(ref)
    rows = db.session.scalars(
        select(SlaClock).where(SlaClock.complaint_id == complaint.id).order_by(SlaClock.id)
    )
    return {clock.kind: clock for clock in rows}


def events(world, ref: str, action: str) -> list[Event]:
    complaint = world.complaint(ref)
    return list(
        db.session.scalars(
            select(Event).where(Event.complaint_id == complaint.id, Event.action == action).order_by(Event.id)
        )
    )


def breach_notices(user_id: int) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == user_id, Notification.kind == NotificationKind.SLA_BREACH
            )
        )
    )


def desk_page(client, world, ref: str) -> str:
    client.post("/login", data={"email": world.agent.email, "password": PASSWORD})
    response = client.get(f"/desk/complaints/{ref}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def clock_row(html: str, pledge: str) -> str:
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if f">{pledge}</td>" in row]
    assert rows, f"no clock row for {pledge}"
    return rows[0]


# --- A late answer is a missed promise, whether or not the sweep ran --------------------------


def test_a_late_first_answer_is_recorded_missed_at_the_stop_with_one_breach(app, client, world, clock):
    clock.set(shanghai(2026, 3, 2, 14, 30))  # Monday: the first answer is due Tuesday 14:30
    ref = world.file()
    clock.set(shanghai(2026, 3, 3, 20))  # Tuesday 20:00, and no sweep has run since

    act(world, ref, "agent", Action.REPLY, body="您好,抱歉回复晚了。")

    response = clocks_of(world, ref)[K.RESPONSE]
    assert response.result is ClockResult.MISSED
    assert response.breached_at is not None
    assert [e.detail["clock"] for e in events(world, ref, "sla_breach")] == ["response"]
    stopped = [e for e in events(world, ref, "clock_stopped") if e.detail["clock"] == "response"]
    assert [e.detail["result"] for e in stopped] == ["missed"]
    # The supervisors hear of it as they would from the sweep; the complaint is raised to urgent.
    assert [n.detail["clock"] for n in breach_notices(world.supervisor.id)] == ["response"]
    assert world.complaint(ref).priority.value == "urgent"

    # A sweep later finds nothing more to record or tell.
    clock.advance(minutes=5)
    assert not sweep().breached
    assert len(events(world, ref, "sla_breach")) == 1
    assert len(breach_notices(world.supervisor.id)) == 1

    assert "Missed" in clock_row(desk_page(client, world, ref), "First response")


def test_a_late_answer_after_the_sweep_recorded_the_breach_adds_no_second_one(app, world, clock):
    clock.set(shanghai(2026, 3, 2, 14, 30))
    ref = world.file()
    clock.set(shanghai(2026, 3, 3, 15))
    assert sweep().breached == 1

    clock.set(shanghai(2026, 3, 3, 20))
    act(world, ref, "agent", Action.REPLY, body="您好,抱歉回复晚了。")

    assert clocks_of(world, ref)[K.RESPONSE].result is ClockResult.MISSED
    assert len(events(world, ref, "sla_breach")) == 1
    assert len(breach_notices(world.supervisor.id)) == 1


def test_an_answer_at_the_due_instant_keeps_the_promise(app, world, clock):
    clock.set(shanghai(2026, 3, 2, 14, 30))
    ref = world.file()
    clock.set(shanghai(2026, 3, 3, 14, 30))  # exactly when it is due

    act(world, ref, "agent", Action.REPLY, body="您好,我们已收到。")

    assert clocks_of(world, ref)[K.RESPONSE].result is ClockResult.MET
    assert events(world, ref, "sla_breach") == []
    assert breach_notices(world.supervisor.id) == []


def test_a_late_resolution_offers_the_consumer_what_the_sweep_would(app, world, clock):
    ref = world.file()
    act(world, ref, "agent", Action.VERIFY)
    resolution = clocks_of(world, ref)[K.RESOLUTION]
    clock.set(resolution.due_at + timedelta(hours=1))  # no sweep ran since it fell due

    act(world, ref, "agent", Action.RESOLVE, outcome="upheld", note="已退款")

    assert clocks_of(world, ref)[K.RESOLUTION].result is ClockResult.MISSED
    told = breach_notices(world.consumer.id)
    # Resolved now, the complaint can no longer be escalated: the consumer hears of the miss only.
    assert [(n.detail["clock"], n.detail["may_escalate"]) for n in told] == [("resolution", False)]


def test_a_clock_paused_after_its_due_instant_stays_overdue_with_its_breach_recorded(app, world, clock):
    ref = world.file()
    act(world, ref, "agent", Action.VERIFY)
    resolution = clocks_of(world, ref)[K.RESOLUTION]
    late = resolution.due_at + timedelta(minutes=30)
    clock.set(late)

    act(world, ref, "agent", Action.REQUEST_INFO, party="consumer", body="请补充订单截图。")

    resolution = clocks_of(world, ref)[K.RESOLUTION]
    assert resolution.paused_at == late and resolution.breached_at is not None
    assert terms.state_of(resolution, late + timedelta(days=3)) is terms.ClockState.OVERDUE
    assert len(events(world, ref, "sla_breach")) == 1


# --- Void: the promise no longer applies --------------------------------------------------------


def test_a_withdrawn_complaint_shows_its_pledges_void_not_met(app, client, world, clock):
    ref = world.file()
    clock.advance(hours=2)
    act(world, ref, "consumer", Action.WITHDRAW)

    results = {kind: clock.result for kind, clock in clocks_of(world, ref).items()}
    assert results == {
        K.RESPONSE: ClockResult.VOID,
        K.VERIFICATION: ClockResult.VOID,
        K.RESOLUTION: ClockResult.VOID,
    }
    html = desk_page(client, world, ref)
    assert "No longer applies" in clock_row(html, "First response")
    assert ">Met<" not in html


def test_a_withdrawal_after_a_missed_date_keeps_that_date_missed(app, world, clock):
    ref = world.file()
    clock.advance(hours=30)  # the first answer (24 h) is late; the other windows are not
    act(world, ref, "consumer", Action.WITHDRAW)

    results = {kind: clock.result for kind, clock in clocks_of(world, ref).items()}
    assert results[K.RESPONSE] is ClockResult.MISSED
    assert results[K.VERIFICATION] is results[K.RESOLUTION] is ClockResult.VOID


def test_escalation_hands_the_resolution_window_to_mediation(app, world, clock):
    ref = world.file()
    clock.advance(hours=1)
    act(world, ref, "agent", Action.VERIFY)
    act(world, ref, "agent", Action.ESCALATE, mediation_org_id=world.org_id)

    by_kind = clocks_of(world, ref)
    assert by_kind[K.RESPONSE].result is ClockResult.MET  # verifying answered the consumer
    assert by_kind[K.RESOLUTION].result is ClockResult.VOID
    assert K.MEDIATION not in by_kind  # it starts when the organisation accepts the case
    mediation_accepted(world.complaint(ref))
    assert clocks_of(world, ref)[K.MEDIATION].stopped_at is None


# --- Who answers first ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "actor", "asked", "answers"),
    [
        (Action.REPLY, Actor.AGENT, None, True),
        (Action.REPLY, Actor.SUPERVISOR, None, True),
        (Action.VERIFY, Actor.AGENT, None, True),
        (Action.REJECT, Actor.AGENT, None, True),
        (Action.RESOLVE, Actor.SUPERVISOR, None, True),
        (Action.REQUEST_INFO, Actor.AGENT, WaitingOn.CONSUMER, True),
        (Action.REQUEST_INFO, Actor.AGENT, WaitingOn.MERCHANT, False),
        (Action.NOTE, Actor.AGENT, None, False),
        (Action.ESCALATE, Actor.AGENT, None, False),
        (Action.REPLY, Actor.MEDIATOR, None, False),
        (Action.MERCHANT_ANSWER, Actor.MERCHANT, None, False),
        (Action.REPLY, Actor.CONSUMER, None, False),
    ],
)
def test_only_the_platforms_staff_answering_the_consumer_is_a_first_response(action, actor, asked, answers):
    assert is_first_response(action, actor, asked) is answers


def test_a_mediators_reply_neither_stops_the_response_clock_nor_counts_as_first_response(app, world, clock):
    ref = world.file()
    complaint = world.complaint(ref)
    complaint.mediation_org_id = world.org_id  # as if referred; the mediator may now write
    db.session.commit()

    act(world, ref, "mediator", Action.REPLY, body="调解员:请双方提供证据。")

    assert world.complaint(ref).first_response_at is None
    assert clocks_of(world, ref)[K.RESPONSE].stopped_at is None
    act(world, ref, "agent", Action.REPLY, body="您好,我们在处理。")
    assert world.complaint(ref).first_response_at == clock.now()


# --- The clock table says one thing -------------------------------------------------------------


def test_an_overdue_clock_shows_time_over_never_time_left(app, client, world, clock):
    ref = world.file()
    clock.advance(hours=24, seconds=1)  # just past the 24-hour first answer; no sweep

    row = clock_row(desk_page(client, world, ref), "First response")
    assert "Overdue" in row and "0h 00m over" in row
    assert "left" not in row


def test_at_the_due_instant_the_clock_is_due_not_overdue(app, world, clock):
    ref = world.file()
    response = clocks_of(world, ref)[K.RESPONSE]
    status = terms.clock_status(response, response.due_at)
    assert status.state is terms.ClockState.AT_RISK
    assert (status.left, status.over) == (timedelta(0), None)
    later = terms.clock_status(response, response.due_at + timedelta(seconds=1))
    assert later.state is terms.ClockState.OVERDUE and later.left is None


def test_time_used_and_left_add_up_to_an_hours_target(app, world, clock):
    ref = world.file()
    response = clocks_of(world, ref)[K.RESPONSE]
    for hours in (0, 2.7, 13, 23.9):
        status = terms.clock_status(response, response.started_at + timedelta(hours=hours))
        assert status.used + status.left == timedelta(hours=24)
        assert status.clock_time  # the first answer is promised in plain hours (24x7 calendar)


def test_working_time_is_labelled_as_such_and_plain_hours_as_hours(app, client, world, clock):
    ref = world.file()
    html = desk_page(client, world, ref)
    assert "24 hours" in clock_row(html, "First response")
    assert "24h 00m left" in clock_row(html, "First response")
    verification = clock_row(html, "Verification")
    assert "7 working days" in verification and "of working time left" in verification


def test_after_an_appeal_the_clock_rows_say_which_round_they_belong_to(app, client, world, clock):
    ref = world.file()
    clock.advance(hours=1)
    act(world, ref, "agent", Action.REJECT, reason="订单号与商家不符")
    clock.advance(days=2)
    act(world, ref, "consumer", Action.APPEAL, reason="订单号是对的,请再看看。")
    clock.advance(days=20)  # the new round's windows ran out

    html = desk_page(client, world, ref)
    since, before = html.index("Since the appeal"), html.index("Before the appeal")
    assert since < before
    assert not re.search(r"-\d+h", html), "a negative duration is shown"
    assert "Overdue" in html[since:before] and "Overdue" not in html[before:]


# --- The SQL lists and the words agree ----------------------------------------------------------


def _listed(clock_set, at: datetime) -> set[int]:
    from sqlalchemy import and_, or_

    arms = clock_set(SlaClock, at)
    return set(db.session.scalars(select(SlaClock.id).where(or_(*(and_(*arm) for arm in arms)))))


def test_the_desk_lists_and_the_pledge_terms_agree_on_every_clock(app, world, clock):
    refs = [world.file() for _ in range(3)]
    act(world, refs[1], "agent", Action.REQUEST_INFO, party="consumer", body="请补充照片。")
    clock.advance(hours=30)
    act(world, refs[2], "agent", Action.REPLY, body="回复晚了。")
    sweep()
    clock.advance(days=4)
    all_clocks = list(db.session.scalars(select(SlaClock)))
    start = min(c.started_at for c in all_clocks)
    instants = [start + timedelta(hours=h) for h in (0, 17, 18, 24, 30, 80, 200, 400)]
    instants += [c.due_at for c in all_clocks] + [c.due_at + timedelta(seconds=1) for c in all_clocks]
    for at in instants:
        assert _listed(overdue_clocks, at) == {c.id for c in all_clocks if terms.is_overdue(c, at)}, at
        assert _listed(at_risk_clocks, at) == {c.id for c in all_clocks if terms.is_at_risk(c, at)}, at


def test_the_consumer_sees_which_promises_were_kept_and_which_were_late(app, client, world, clock):
    clock.set(shanghai(2026, 3, 2, 14, 30))
    ref = world.file()
    clock.set(shanghai(2026, 3, 3, 20))
    act(world, ref, "agent", Action.REPLY, body="您好,抱歉回复晚了。")
    clock.advance(hours=1)
    act(world, ref, "agent", Action.VERIFY)

    client.post("/login", data={"email": world.consumer.email, "password": PASSWORD})
    html = client.get(f"/portal/complaints/{ref}").get_data(as_text=True)
    promises = html[html.index("Our promises so far") :]
    response = re.search(r"<li>First response:.*?</li>", promises, re.S).group(0)
    assert "after the pledged" in response and "Missed" in response
    verification = re.search(r"<li>Verification:.*?</li>", promises, re.S).group(0)
    assert "kept on" in verification and "Met" in verification
    assert "We will resolve your complaint by" in html  # the promise still running


def test_the_consumer_is_not_told_a_void_promise_was_kept(app, client, world, clock):
    ref = world.file()
    act(world, ref, "consumer", Action.WITHDRAW)
    client.post("/login", data={"email": world.consumer.email, "password": PASSWORD})
    html = client.get(f"/portal/complaints/{ref}").get_data(as_text=True)
    assert "Our promises so far" not in html and ">Met<" not in html


def test_the_consumer_may_take_a_late_complaint_to_mediation_before_any_sweep(app, world, clock):
    ref = world.file()
    act(world, ref, "agent", Action.VERIFY)
    resolution = clocks_of(world, ref)[K.RESOLUTION]
    clock.set(resolution.due_at)  # due now: the promise is not broken yet
    with pytest.raises(Refusal):
        apply_action(
            world.complaint(ref), world.user("consumer"), Action.ESCALATE, mediation_org_id=world.org_id
        )
    db.session.rollback()

    clock.set(resolution.due_at + timedelta(minutes=1))  # broken, and no sweep has run
    complaint = act(world, ref, "consumer", Action.ESCALATE, mediation_org_id=world.org_id)
    assert complaint.state.value == "mediated"
    assert clocks_of(world, ref)[K.RESOLUTION].result is ClockResult.MISSED
