"""The pledge's clocks: started, paused, resumed and stopped by the lifecycle, due by the calendar.

Expected instants are worked out by hand from the shipped default pledge (migration 0002):
response 24 h around the clock; verification 7, merchant reply 3, resolution 15 (major: 7) and
mediation 45 working days on calendar "CN" (Mon-Fri 09:00-18:00 Asia/Shanghai with China's
official 2026 holidays and makeup workdays); warnings at 75 %; verification and resolution pause
while waiting on the consumer. Working days do not count the day of receipt and end at 18:00 of
the last one.

Official 2026 days used below: Tomb-Sweeping Mon Apr 6 off; Labour Day May 1-5 off,
Sat May 9 a makeup workday; National Day Oct 1-7 off, Sun Sep 20 and Sat Oct 10 makeup workdays.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from complaints.extensions import db
from complaints.models import ClockKind, ClockResult, Event, SlaClock, SlaPolicy, SlaPolicyVersion, WaitingOn
from complaints.sla import clocks, policy
from complaints.workflow import Action, State
from tests.support import act_as as act
from tests.support import mediation_accepted, shanghai

K = ClockKind
CLOCK_VERBS = ("clock_started", "clock_paused", "clock_resumed", "clock_stopped", "clock_retargeted")


def clocks_of(world, ref: str) -> list[SlaClock]:
    return clocks.all_clocks(world.complaint(ref))


def latest(world, ref: str) -> dict[ClockKind, SlaClock]:
    """The newest clock of each kind the complaint has had."""
    return {clock.kind: clock for clock in clocks_of(world, ref)}


def running_kinds(world, ref: str) -> set[ClockKind]:
    return {clock.kind for clock in clocks.running_clocks(world.complaint(ref))}


def clock_events(world, ref: str) -> list[Event]:
    complaint = world.complaint(ref)
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.complaint_id == complaint.id, Event.action.in_(CLOCK_VERBS))
            .order_by(Event.id)
        )
    )


# --- filing -----------------------------------------------------------------------------------


def test_filing_before_national_day_starts_three_clocks_due_by_the_official_calendar(world, clock):
    clock.set(shanghai(2026, 9, 30, 17))  # Wednesday 17:00, the eve of National Day
    ref = world.file()

    by_kind = latest(world, ref)
    assert set(by_kind) == {K.RESPONSE, K.VERIFICATION, K.RESOLUTION}
    assert all(c.started_at == shanghai(2026, 9, 30, 17) for c in by_kind.values())
    assert world.complaint(ref).policy_version_id == 1

    # Response: 24 plain hours on the 24x7 calendar, holiday or not; warning at 18 h.
    assert by_kind[K.RESPONSE].due_at == shanghai(2026, 10, 1, 17)
    assert by_kind[K.RESPONSE].warn_at == shanghai(2026, 10, 1, 11)
    # Verification, 7 working days not counting Sep 30: Oct 1-7 are off; Thu 8 (1), Fri 9 (2),
    # Sat 10 (3, makeup workday), Mon 12 (4), 13 (5), 14 (6), Thu 15 (7) -> Oct 15 18:00.
    assert by_kind[K.VERIFICATION].due_at == shanghai(2026, 10, 15, 18)
    # Its window holds 1 h (Sep 30 17-18) + 7 x 9 h = 64 h; 75 % = 48 h: 1 h on Sep 30, then
    # 5 x 9 h on Oct 8, 9, 10, 12, 13, and the last 2 h on Oct 14 -> 11:00.
    assert by_kind[K.VERIFICATION].warn_at == shanghai(2026, 10, 14, 11)
    # Resolution, 15 working days: after Oct 15 (7) come 16 (8), 19 (9), 20, 21, 22, 23 (13),
    # Mon 26 (14), Tue 27 (15) -> Oct 27 18:00.
    assert by_kind[K.RESOLUTION].due_at == shanghai(2026, 10, 27, 18)
    # 1 h + 15 x 9 h = 136 h; 75 % = 102 h = 1 h + 11 days x 9 h (Oct 8 .. Oct 21) + 2 h -> Oct 22 11:00.
    assert by_kind[K.RESOLUTION].warn_at == shanghai(2026, 10, 22, 11)


def test_filing_on_a_plain_monday_counts_working_days_from_the_next_day(world, clock):
    ref = world.file()  # the fixture's clock: Monday 2026-03-02 10:00 in Shanghai, no holiday near

    by_kind = latest(world, ref)
    assert by_kind[K.RESPONSE].due_at == shanghai(2026, 3, 3, 10)
    # Mar 3, 4, 5, 6, 9, 10, 11 -> Wednesday Mar 11 18:00.
    assert by_kind[K.VERIFICATION].due_at == shanghai(2026, 3, 11, 18)
    # Mar 3-6 (4), 9-13 (9), 16-20 (14), Mon 23 (15) -> Mar 23 18:00.
    assert by_kind[K.RESOLUTION].due_at == shanghai(2026, 3, 23, 18)


def test_major_complaint_is_promised_resolution_in_seven_working_days(app, world, clock):
    clock.set(shanghai(2026, 9, 30, 17))
    threshold = Decimal(str(app.config["MAJOR_COMPLAINT_AMOUNT"]))
    major = world.file(claimed_amount=threshold)
    ordinary = world.file(claimed_amount=threshold - Decimal("0.01"))

    assert world.complaint(major).is_major
    assert world.complaint(major).policy_version_id == 2  # the "major complaints" pledge
    # 7 working days after Sep 30, as for verification above -> Oct 15 18:00.
    assert latest(world, major)[K.RESOLUTION].due_at == shanghai(2026, 10, 15, 18)
    assert latest(world, major)[K.VERIFICATION].due_at == shanghai(2026, 10, 15, 18)
    assert not world.complaint(ordinary).is_major
    assert latest(world, ordinary)[K.RESOLUTION].due_at == shanghai(2026, 10, 27, 18)


# --- what stops a clock -----------------------------------------------------------------------


def test_internal_note_does_not_answer_the_consumer_but_the_first_public_reply_does(world, clock):
    ref = world.file()
    clock.set(shanghai(2026, 3, 2, 11))
    act(world, ref, "agent", Action.NOTE, body="先查一下订单记录。")
    assert K.RESPONSE in running_kinds(world, ref)

    clock.set(shanghai(2026, 3, 2, 12))
    act(world, ref, "agent", Action.REPLY, body="您好,我们已收到您的投诉,正在核实。")
    response = latest(world, ref)[K.RESPONSE]
    assert response.stopped_at == shanghai(2026, 3, 2, 12)
    assert response.result is ClockResult.MET
    assert running_kinds(world, ref) == {K.VERIFICATION, K.RESOLUTION}
    stopped = clock_events(world, ref)[-1]
    assert (stopped.action, stopped.detail["clock"], stopped.detail["result"]) == (
        "clock_stopped",
        "response",
        "met",
    )


def test_verifying_stops_verification_and_keeps_resolution_running(world, clock):
    ref = world.file()
    clock.set(shanghai(2026, 3, 4, 15))
    act(world, ref, "agent", Action.VERIFY)

    by_kind = latest(world, ref)
    assert by_kind[K.VERIFICATION].stopped_at == shanghai(2026, 3, 4, 15)
    assert by_kind[K.VERIFICATION].result is ClockResult.MET
    assert by_kind[K.RESPONSE].stopped_at is not None  # verifying is a public answer too
    assert running_kinds(world, ref) == {K.RESOLUTION}


def test_rejecting_stops_every_clock(world, clock):
    ref = world.file()
    act(world, ref, "agent", Action.REQUEST_INFO, party="merchant", body="请商家提供发货记录。")
    assert K.MERCHANT_REPLY in running_kinds(world, ref)

    act(world, ref, "agent", Action.REJECT, reason="不属于平台受理范围。")
    assert running_kinds(world, ref) == set()
    assert all(c.stopped_at is not None for c in clocks_of(world, ref))


def test_withdrawing_stops_every_clock(world, clock):
    ref = world.file()
    act(world, ref, "agent", Action.VERIFY)
    act(world, ref, "agent", Action.REQUEST_INFO, party="merchant", body="请商家提供发货记录。")
    act(world, ref, "consumer", Action.WITHDRAW)
    assert running_kinds(world, ref) == set()


# --- pauses -----------------------------------------------------------------------------------


def test_weekend_pause_costs_only_the_working_hours_it_covered(world, clock):
    ref = world.file()  # Monday Mar 2 10:00; resolution due Mon Mar 23 18:00
    before = latest(world, ref)
    assert before[K.RESOLUTION].due_at == shanghai(2026, 3, 23, 18)
    assert before[K.RESOLUTION].warn_at == shanghai(2026, 3, 18, 9, 15)

    clock.set(shanghai(2026, 3, 6, 17))  # Friday 17:00: ask the consumer
    complaint = act(world, ref, "agent", Action.REQUEST_INFO, party="consumer", body="请上传耳机照片。")
    assert complaint.waiting == (WaitingOn.CONSUMER,)
    paused = latest(world, ref)
    assert paused[K.RESOLUTION].paused_at == shanghai(2026, 3, 6, 17)
    assert paused[K.VERIFICATION].paused_at == shanghai(2026, 3, 6, 17)
    assert paused[K.RESPONSE].stopped_at is not None  # the question is the first public answer

    clock.set(shanghai(2026, 3, 9, 10))  # Monday 10:00: the consumer answers
    act(world, ref, "consumer", Action.REPLY, body="照片已上传。")
    after = latest(world, ref)
    # 65 wall-clock hours, but only Fri 17-18 and Mon 09-10 are working time: 2 working hours.
    # Resolution: Mon Mar 23 18:00 + 2 working hours = Tue Mar 24 11:00 (not +65 h).
    assert after[K.RESOLUTION].paused_at is None
    assert after[K.RESOLUTION].paused_seconds == 2 * 3600
    assert after[K.RESOLUTION].due_at == shanghai(2026, 3, 24, 11)
    assert after[K.RESOLUTION].warn_at == shanghai(2026, 3, 18, 11, 15)
    # Verification: Wed Mar 11 18:00 + 2 working hours = Thu Mar 12 11:00.
    assert after[K.VERIFICATION].due_at == shanghai(2026, 3, 12, 11)
    assert after[K.VERIFICATION].paused_seconds == 2 * 3600


def test_pause_over_national_day_costs_nothing(world, clock):
    clock.set(shanghai(2026, 9, 29, 10))  # Tuesday
    ref = world.file()
    # Verification: Sep 30 (1), Oct 8, 9, 10 (makeup), 12, 13, Wed 14 (7) -> Oct 14 18:00.
    # Resolution: then Oct 15 (8), 16, 19, 20, 21, 22, 23 (14), Mon 26 (15) -> Oct 26 18:00.
    before = latest(world, ref)
    assert before[K.VERIFICATION].due_at == shanghai(2026, 10, 14, 18)
    assert before[K.RESOLUTION].due_at == shanghai(2026, 10, 26, 18)

    clock.set(shanghai(2026, 10, 1, 10))  # National Day
    act(world, ref, "agent", Action.REQUEST_INFO, party="consumer", body="请提供订单截图。")
    clock.set(shanghai(2026, 10, 7, 16))  # still the holiday week
    act(world, ref, "consumer", Action.REPLY, body="截图已上传。")

    after = latest(world, ref)
    assert after[K.VERIFICATION].due_at == shanghai(2026, 10, 14, 18)
    assert after[K.RESOLUTION].due_at == shanghai(2026, 10, 26, 18)
    assert after[K.RESOLUTION].paused_seconds == 0
    resumed = [e for e in clock_events(world, ref) if e.action == "clock_resumed"]
    assert [e.detail["paused_seconds"] for e in resumed] == [0, 0]


def test_asking_the_merchant_runs_a_merchant_reply_clock_until_they_answer(world, clock):
    ref = world.file()
    clock.set(shanghai(2026, 3, 2, 11))
    act(world, ref, "agent", Action.REQUEST_INFO, party="merchant", body="请商家说明发货情况。")

    merchant = latest(world, ref)[K.MERCHANT_REPLY]
    # 3 working days after Monday: Tue 3, Wed 4, Thu 5 -> Mar 5 18:00.
    assert merchant.started_at == shanghai(2026, 3, 2, 11)
    assert merchant.due_at == shanghai(2026, 3, 5, 18)
    # Waiting on the merchant pauses nothing, and a question kept as a staff note answers nobody.
    assert running_kinds(world, ref) == {K.RESPONSE, K.VERIFICATION, K.MERCHANT_REPLY, K.RESOLUTION}
    assert all(c.paused_at is None for c in clocks_of(world, ref))

    clock.set(shanghai(2026, 3, 4, 9, 30))
    act(world, ref, "agent", Action.MERCHANT_ANSWER, body="商家称已于三月一日发货。")
    merchant = latest(world, ref)[K.MERCHANT_REPLY]
    assert merchant.stopped_at == shanghai(2026, 3, 4, 9, 30)
    assert merchant.result is ClockResult.MET
    assert K.MERCHANT_REPLY not in running_kinds(world, ref)


# --- mediation and appeal ---------------------------------------------------------------------


def test_escalating_swaps_resolution_for_mediation_until_the_outcome(world, clock):
    ref = world.file()
    act(world, ref, "agent", Action.VERIFY)
    clock.set(shanghai(2026, 3, 3, 10))
    act(world, ref, "agent", Action.ESCALATE, mediation_org_id=world.org_id)
    assert running_kinds(world, ref) == set()  # until the organisation accepts, after both consents
    mediation_accepted(world.complaint(ref))

    by_kind = latest(world, ref)
    assert by_kind[K.RESOLUTION].stopped_at == shanghai(2026, 3, 3, 10)
    assert running_kinds(world, ref) == {K.MEDIATION}
    # 45 working days after Tue Mar 3: Mar 4-31 (20), Apr 1-3 (23), Apr 6 off, Apr 7-30 (41),
    # May 1-5 off, May 6, 7, 8 (44), Sat May 9 a makeup workday (45) -> May 9 18:00.
    assert by_kind[K.MEDIATION].due_at == shanghai(2026, 5, 9, 18)

    clock.set(shanghai(2026, 4, 20, 15))
    complaint = act(
        world,
        ref,
        "mediator",
        Action.RECORD_OUTCOME,
        outcome="settled",
        note="商家退款299元。",
        payer="shop",
        perform_by=date(2026, 5, 20),
    )
    assert complaint.state is State.RESOLVED
    assert latest(world, ref)[K.MEDIATION].stopped_at == shanghai(2026, 4, 20, 15)
    assert running_kinds(world, ref) == set()


def test_appeal_starts_fresh_clocks_from_the_appeal(world, clock):
    ref = world.file()
    act(world, ref, "agent", Action.REJECT, reason="不属于平台受理范围。")
    clock.set(shanghai(2026, 3, 3, 10))  # Tuesday
    act(world, ref, "consumer", Action.APPEAL, reason="订单确实在平台下单。")

    all_of = clocks_of(world, ref)
    assert len(all_of) == 6
    old, new = all_of[:3], all_of[3:]
    assert all(c.stopped_at is not None for c in old)
    assert {c.kind for c in new} == {K.RESPONSE, K.VERIFICATION, K.RESOLUTION}
    assert all(c.started_at == shanghai(2026, 3, 3, 10) and c.running for c in new)
    due = {c.kind: c.due_at for c in new}
    assert due[K.RESPONSE] == shanghai(2026, 3, 4, 10)
    # Mar 4, 5, 6, 9, 10, 11, 12 -> Thu Mar 12 18:00.
    assert due[K.VERIFICATION] == shanghai(2026, 3, 12, 18)
    # Mar 4-6 (3), 9-13 (8), 16-20 (13), 23 (14), Tue 24 (15) -> Mar 24 18:00.
    assert due[K.RESOLUTION] == shanghai(2026, 3, 24, 18)


# --- the timeline -----------------------------------------------------------------------------


def test_every_start_pause_resume_and_stop_is_an_event_naming_its_clock(world, clock):
    ref = world.file()
    act(world, ref, "agent", Action.REQUEST_INFO, party="consumer", body="请上传耳机照片。")
    act(world, ref, "consumer", Action.REPLY, body="照片已上传。")
    act(world, ref, "agent", Action.VERIFY)

    events = clock_events(world, ref)
    assert [(e.action, e.detail["clock"]) for e in events] == [
        ("clock_started", "response"),
        ("clock_started", "verification"),
        ("clock_started", "resolution"),
        ("clock_stopped", "response"),
        ("clock_paused", "verification"),
        ("clock_paused", "resolution"),
        ("clock_resumed", "verification"),
        ("clock_resumed", "resolution"),
        ("clock_stopped", "verification"),
    ]
    assert all(e.actor_id is None for e in events)  # the system moves the clocks
    assert [e.detail["reason"] for e in events if e.action == "clock_paused"] == ["consumer", "consumer"]
    started = events[2]
    assert datetime.fromisoformat(started.detail["due_at"]) == shanghai(2026, 3, 23, 18)


# --- policies ---------------------------------------------------------------------------------


def _targets_of(version_id: int, **changes: dict) -> list[dict]:
    """The targets of a version as publish_version takes them, with `changes` per clock kind."""
    version = db.session.get(SlaPolicyVersion, version_id)
    return [
        {
            "kind": t.kind.value,
            "amount": t.amount,
            "unit": t.unit.value,
            "calendar_id": t.calendar_id,
            "warn_percent": t.warn_percent,
            "pause_on": list(t.pause_on),
            "breach_actions": list(t.breach_actions),
            **changes.get(t.kind.value, {}),
        }
        for t in version.targets
    ]


def test_a_new_policy_version_binds_new_complaints_only(world, clock):
    before = world.file()
    general = db.session.get(SlaPolicy, 1)
    faster = {"resolution": {"amount": Decimal(10)}, "merchant_reply": {"amount": Decimal(1)}}
    version = policy.publish_version(general, _targets_of(1, **faster), world.user("admin"), note="faster")
    db.session.commit()
    after = world.file()

    assert version.number == 2
    assert world.complaint(before).policy_version_id == 1
    assert world.complaint(after).policy_version_id == version.id
    # Same instant (Monday Mar 2 10:00): 15 working days -> Mar 23; 10 -> Mon Mar 16 18:00.
    assert latest(world, before)[K.RESOLUTION].due_at == shanghai(2026, 3, 23, 18)
    assert latest(world, after)[K.RESOLUTION].due_at == shanghai(2026, 3, 16, 18)
    # Promises already made do not move, and clocks started later keep the old version's targets:
    # asking the merchant on Mon Mar 2 gives them 3 working days (Thu Mar 5) under version 1,
    # 1 working day (Tue Mar 3) under version 2.
    for ref in (before, after):
        act(world, ref, "agent", Action.REQUEST_INFO, party="merchant", body="请商家说明发货情况。")
    assert latest(world, before)[K.RESOLUTION].due_at == shanghai(2026, 3, 23, 18)
    assert latest(world, before)[K.MERCHANT_REPLY].due_at == shanghai(2026, 3, 5, 18)
    assert latest(world, after)[K.MERCHANT_REPLY].due_at == shanghai(2026, 3, 3, 18)


def test_reclassifying_as_major_reaims_from_the_original_start_keeping_paused_time(world, clock):
    ref = world.file()  # Monday Mar 2 10:00, ordinary: resolution due Mar 23 18:00
    clock.set(shanghai(2026, 3, 6, 17))
    act(world, ref, "agent", Action.REQUEST_INFO, party="consumer", body="请上传耳机照片。")
    clock.set(shanghai(2026, 3, 9, 10))
    act(world, ref, "consumer", Action.REPLY, body="照片已上传。")  # 2 working hours paused

    clock.set(shanghai(2026, 3, 10, 10))
    complaint = world.complaint(ref)
    complaint.is_major = True
    clocks.reclassify(complaint)
    db.session.commit()

    assert world.complaint(ref).policy_version_id == 2
    resolution = latest(world, ref)[K.RESOLUTION]
    assert resolution.started_at == shanghai(2026, 3, 2, 10)
    assert resolution.paused_seconds == 2 * 3600
    # 7 working days from Mar 2 -> Wed Mar 11 18:00, plus 2 paused working hours -> Thu Mar 12 11:00.
    assert resolution.due_at == shanghai(2026, 3, 12, 11)
    # Verification promises the same 7 days under both policies: unchanged.
    assert latest(world, ref)[K.VERIFICATION].due_at == shanghai(2026, 3, 12, 11)
    retargeted = [e.detail["clock"] for e in clock_events(world, ref) if e.action == "clock_retargeted"]
    assert retargeted == ["verification", "resolution"]


def test_reclassifying_a_paused_clock_keeps_the_pause_running(world, clock):
    ref = world.file()  # Monday Mar 2 10:00
    clock.set(shanghai(2026, 3, 6, 17))
    act(world, ref, "agent", Action.REQUEST_INFO, party="consumer", body="请上传耳机照片。")

    clock.set(shanghai(2026, 3, 9, 10))  # still waiting on the consumer
    complaint = world.complaint(ref)
    complaint.is_major = True
    clocks.reclassify(complaint)
    db.session.commit()
    assert latest(world, ref)[K.RESOLUTION].paused_at == shanghai(2026, 3, 6, 17)

    clock.set(shanghai(2026, 3, 9, 11))
    act(world, ref, "consumer", Action.REPLY, body="照片已上传。")
    # 7 working days from Mar 2 -> Wed Mar 11 18:00, plus the whole pause (Fri 17-18 and
    # Mon 09-11: 3 working hours) -> Thu Mar 12 12:00.
    resolution = latest(world, ref)[K.RESOLUTION]
    assert resolution.paused_seconds == 3 * 3600
    assert resolution.due_at == shanghai(2026, 3, 12, 12)


def test_a_deactivated_policy_gives_way_to_the_next_matching_one(world, clock):
    db.session.get(SlaPolicy, 2).active = False  # the "major complaints" pledge
    db.session.commit()
    ref = world.file(claimed_amount=Decimal("8000.00"))

    complaint = world.complaint(ref)
    assert complaint.is_major
    assert complaint.policy_version_id == 1  # the general pledge
    assert latest(world, ref)[K.RESOLUTION].due_at == shanghai(2026, 3, 23, 18)


def test_asking_the_shop_while_waiting_on_the_consumer_keeps_both_waits(world, clock):
    """The two waiting flags are independent: the shop's question neither resumes the clocks paused
    on the consumer nor is cleared by the consumer's answer."""
    ref = world.file()
    clock.set(shanghai(2026, 3, 3, 10))
    act(world, ref, "agent", Action.REQUEST_INFO, party="consumer", body="请上传耳机照片。")
    clock.set(shanghai(2026, 3, 3, 11))
    complaint = act(world, ref, "agent", Action.REQUEST_INFO, party="merchant", body="请提供发货记录。")
    assert complaint.waiting == (WaitingOn.CONSUMER, WaitingOn.MERCHANT)
    clocks = latest(world, ref)
    assert clocks[K.VERIFICATION].paused_at == shanghai(2026, 3, 3, 10)  # still waiting on the consumer
    assert clocks[K.MERCHANT_REPLY].running  # the shop's own window runs

    clock.set(shanghai(2026, 3, 3, 14))
    complaint = act(world, ref, "agent", Action.MERCHANT_ANSWER, body="已于3月1日发货。")
    assert complaint.waiting == (WaitingOn.CONSUMER,)
    clocks = latest(world, ref)
    assert clocks[K.MERCHANT_REPLY].result is ClockResult.MET
    assert clocks[K.VERIFICATION].paused_at == shanghai(2026, 3, 3, 10)

    clock.set(shanghai(2026, 3, 3, 16))
    complaint = act(world, ref, "consumer", Action.REPLY, body="照片已上传。")
    assert complaint.waiting == ()
    clocks = latest(world, ref)
    assert clocks[K.VERIFICATION].paused_at is None
    assert clocks[K.VERIFICATION].paused_seconds == 6 * 3600  # 10:00-16:00, not 10:00-11:00


def test_a_clock_that_pauses_on_both_parties_resumes_when_both_have_answered(world, clock):
    general = db.session.get(SlaPolicy, 1)
    both = {"resolution": {"pause_on": ["consumer", "merchant"]}}
    policy.publish_version(general, _targets_of(1, **both), world.user("admin"), note="both")
    db.session.commit()
    ref = world.file()
    clock.set(shanghai(2026, 3, 3, 10))
    act(world, ref, "agent", Action.REQUEST_INFO, party="consumer", body="请上传耳机照片。")
    act(world, ref, "agent", Action.REQUEST_INFO, party="merchant", body="请提供发货记录。")
    clock.set(shanghai(2026, 3, 3, 12))
    act(world, ref, "consumer", Action.REPLY, body="照片已上传。")
    assert latest(world, ref)[K.RESOLUTION].paused_at == shanghai(2026, 3, 3, 10)  # the shop has not answered
    clock.set(shanghai(2026, 3, 3, 15))
    act(world, ref, "agent", Action.MERCHANT_ANSWER, body="已于3月1日发货。")
    resolution = latest(world, ref)[K.RESOLUTION]
    assert resolution.paused_at is None
    assert resolution.paused_seconds == 5 * 3600
