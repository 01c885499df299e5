"""The SLA sweep: each warning and breach recorded once, acted on, caught up after downtime,
and shared safely between two processes.

Instants follow the default pledge for a complaint filed on Monday 2026-03-02 10:00 Shanghai
(the fixture's clock; no holiday before April): response due Tue Mar 3 10:00 (warning at 75 % =
18 h: Tue 04:00); verification due Wed Mar 11 18:00 (71 working hours, warning after 53.25 h:
Tue Mar 10 09:15); resolution due Mon Mar 23 18:00 (143 working hours, warning after 107.25 h:
Wed Mar 18 09:15). Working hours are Mon-Fri 09:00-18:00.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from complaints.extensions import db
from complaints.models import (
    ClockKind,
    ClockResult,
    Complaint,
    Event,
    Notification,
    NotificationKind,
    Priority,
    SlaClock,
)
from complaints.services.errors import StaleComplaint
from complaints.services.lifecycle import apply_action
from complaints.services.pledge_keeping import sweep
from complaints.workflow import Action, Refusal, State
from tests.support import act_as as act
from tests.support import shanghai

K = ClockKind
ROOT = Path(__file__).resolve().parents[2]


def marks(verb: str, complaint_id: int | None = None) -> list[tuple[int, str]]:
    """(complaint id, clock kind) of every `verb` event, optionally of one complaint."""
    query = select(Event.complaint_id, Event.detail).where(Event.action == verb).order_by(Event.id)
    if complaint_id is not None:
        query = query.where(Event.complaint_id == complaint_id)
    return [(cid, detail["clock"]) for cid, detail in db.session.execute(query)]


def notifications_of(user_id: int) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        )
    )


def clock_of(complaint: Complaint, kind: ClockKind) -> SlaClock:
    return db.session.scalar(
        select(SlaClock)
        .where(SlaClock.complaint_id == complaint.id, SlaClock.kind == kind)
        .order_by(SlaClock.id.desc())
        .limit(1)
    )


def test_sweep_with_nothing_due_records_nothing(world, clock):
    world.file()
    clock.set(shanghai(2026, 3, 3, 3, 59))  # a minute before the response warning

    report = sweep()
    assert not report
    assert (report.warned, report.breached) == (0, 0)
    assert marks("sla_warning") == marks("sla_breach") == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_warning_is_recorded_once_and_told_to_the_assignee(world, clock):
    assigned = world.complaint(world.file())
    unassigned = world.complaint(world.file())
    act(world, assigned.reference, "agent", Action.CLAIM)

    clock.set(shanghai(2026, 3, 3, 4))  # the response warning point, 18 h after filing
    report = sweep()
    assert (report.warned, report.breached) == (2, 0)
    assert marks("sla_warning") == [(assigned.id, "response"), (unassigned.id, "response")]
    assert clock_of(assigned, K.RESPONSE).warned_at == shanghai(2026, 3, 3, 4)

    told = notifications_of(world.agent.id)
    assert [(n.kind, n.complaint_id, n.detail["clock"]) for n in told] == [
        (NotificationKind.SLA_WARNING, assigned.id, "response")
    ]
    assert told[0].detail["reference"] == assigned.reference

    clock.advance(minutes=30)
    assert not sweep()
    assert len(marks("sla_warning")) == 2
    assert len(notifications_of(world.agent.id)) == 1


def test_breach_is_recorded_once_raises_priority_and_tells_supervisors(world, clock):
    complaint = world.complaint(world.file())
    assert complaint.priority is Priority.NORMAL
    clock.set(shanghai(2026, 3, 3, 10, 1))  # the response window ended a minute ago

    report = sweep()
    assert (report.warned, report.breached) == (1, 1)  # a sweep that missed the warning catches up
    assert marks("sla_breach") == [(complaint.id, "response")]
    assert world.complaint(complaint.reference).priority is Priority.URGENT
    assert clock_of(complaint, K.RESPONSE).breached_at is not None
    told = notifications_of(world.supervisor.id)
    assert [(n.kind, n.detail["clock"]) for n in told] == [(NotificationKind.SLA_BREACH, "response")]
    # The consumer is offered escalation only when the resolution window runs out.
    assert notifications_of(world.consumer.id) == []

    clock.advance(hours=1)
    assert not sweep()
    assert len(marks("sla_breach")) == 1
    assert len(notifications_of(world.supervisor.id)) == 1

    # A late answer still stops the clock, recorded as a missed promise.
    act(world, complaint.reference, "agent", Action.REPLY, body="抱歉回复晚了,我们正在处理。")
    response = clock_of(complaint, K.RESPONSE)
    assert response.stopped_at is not None and response.result is ClockResult.MISSED
    stopped = db.session.scalars(
        select(Event).where(Event.complaint_id == complaint.id, Event.action == "clock_stopped")
    ).one()
    assert stopped.detail == {**stopped.detail, "clock": "response", "result": "missed"}
    assert len(marks("sla_breach")) == 1  # the sweep recorded it; the late stop adds no second one


def test_consumer_may_escalate_once_the_resolution_window_is_breached(world, clock):
    ref = world.file()
    act(world, ref, "agent", Action.VERIFY)  # stops response and verification

    clock.set(shanghai(2026, 3, 23, 17, 59))  # a minute before resolution is due
    sweep()  # records the resolution warning only
    with pytest.raises(Refusal, match="pledged resolution time has passed"):
        apply_action(
            world.complaint(ref), world.user("consumer"), Action.ESCALATE, mediation_org_id=world.org_id
        )
    db.session.rollback()

    clock.set(shanghai(2026, 3, 23, 18))  # due now: not broken yet
    assert not sweep().breached
    clock.set(shanghai(2026, 3, 23, 18, 1))
    report = sweep()
    assert (report.warned, report.breached) == (0, 1)
    complaint = world.complaint(ref)
    assert marks("sla_breach") == [(complaint.id, "resolution")]
    offers = [n for n in notifications_of(world.consumer.id) if n.kind is NotificationKind.SLA_BREACH]
    assert [(n.kind, n.detail["clock"], n.detail.get("may_escalate")) for n in offers] == [
        (NotificationKind.SLA_BREACH, "resolution", True)
    ]
    # The agent who verified it (and so holds it) was warned before.
    assert [n.kind for n in notifications_of(world.agent.id)] == [NotificationKind.SLA_WARNING]

    complaint = act(world, ref, "consumer", Action.ESCALATE, mediation_org_id=world.org_id)
    assert complaint.state is State.MEDIATED


def test_an_offer_to_escalate_is_one_the_consumer_can_take(world, clock):
    ref = world.file()  # never verified: the backlog the pledge is for
    clock.set(shanghai(2026, 3, 23, 18, 1))  # the resolution window has ended
    sweep()
    assert "resolution" in {n.detail["clock"] for n in notifications_of(world.consumer.id)}

    offered = any(n.detail.get("may_escalate") for n in notifications_of(world.consumer.id))
    if offered:
        complaint = act(world, ref, "consumer", Action.ESCALATE, mediation_org_id=world.org_id)
        assert complaint.state is State.MEDIATED


def test_paused_clocks_neither_warn_nor_breach_while_paused(world, clock):
    ref = world.file()
    clock.set(shanghai(2026, 3, 2, 11))
    # Stops response (a public question) and pauses verification and resolution.
    act(world, ref, "agent", Action.REQUEST_INFO, party="consumer", body="请上传耳机照片。")

    clock.set(shanghai(2026, 5, 29, 11))  # far past every original due instant
    assert not sweep()
    assert marks("sla_warning") == marks("sla_breach") == []

    # Resumed, each clock has exactly the working time it had left: still nothing due.
    act(world, ref, "consumer", Action.REPLY, body="照片已上传。")
    assert not sweep()
    resolution = clock_of(world.complaint(ref), K.RESOLUTION)
    clock.set(resolution.due_at + timedelta(seconds=1))
    report = sweep()
    assert (report.warned, report.breached) == (2, 2)  # verification and resolution


def test_one_sweep_after_downtime_records_everything_that_fell_due_exactly_once(world, clock):
    # A: Mon Mar 2 10:00, B: Tue Mar 3 10:00, C: Wed Mar 4 10:00; then no sweep until Thu Mar 12 12:00.
    first = world.complaint(world.file())
    clock.set(shanghai(2026, 3, 3, 10))
    second = world.complaint(world.file())
    clock.set(shanghai(2026, 3, 4, 10))
    third = world.complaint(world.file())
    clock.set(shanghai(2026, 3, 12, 12))

    # Due by then: every response clock (warned and breached); verification of A (due Mar 11
    # 18:00), while B's (due Mar 12 18:00, warned Mar 11 09:15) and C's (due Mar 13 18:00,
    # warned Mar 12 09:15) have only warned. Resolution warns from Mar 18 on: nothing.
    report = sweep(batch_size=2)  # small batches: the catch-up takes several
    assert (report.warned, report.breached) == (6, 4)
    warned, breached = marks("sla_warning"), marks("sla_breach")
    assert sorted(warned) == sorted(
        [(c.id, "response") for c in (first, second, third)]
        + [(c.id, "verification") for c in (first, second, third)]
    )
    assert sorted(breached) == sorted(
        [(c.id, "response") for c in (first, second, third)] + [(first.id, "verification")]
    )

    assert not sweep()
    assert len(marks("sla_warning")) == 6 and len(marks("sla_breach")) == 4


def test_a_sweep_mark_tells_someone_on_a_stale_page_to_reload(world, clock):
    # The sweep appends to the timeline and bumps the complaint's version in one transaction, so
    # an agent acting on the page they loaded before the warning is told to reload: the hash
    # chain never forks between the sweep and a person.
    complaint = world.complaint(world.file())
    seen_version = complaint.version
    clock.set(shanghai(2026, 3, 3, 4))  # the response warning point
    assert sweep().warned == 1
    with pytest.raises(StaleComplaint):
        apply_action(
            world.complaint(complaint.reference),
            world.user("agent"),
            Action.VERIFY,
            expected_version=seen_version,
        )
    db.session.rollback()
    assert world.complaint(complaint.reference).version == seen_version + 1


# --- two processes ----------------------------------------------------------------------------

SWEEPER = """
import json, os, sys, time
from datetime import datetime
from complaints import create_app
from complaints.timekeeping import FrozenClock, install_clock
from complaints.services.pledge_keeping import sweep

uri, at, ready, go = sys.argv[1:5]
app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": uri})
install_clock(app, FrozenClock(datetime.fromisoformat(at)))
with app.app_context():
    open(ready, "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.005)
    report = sweep(batch_size=50)
    print(json.dumps({"warned": report.warned, "breached": report.breached}))
"""

COPIES = 299


def _copy_complaint(template: Complaint, copies: int) -> None:
    """Add `copies` complaints identical to `template`, with its clocks.

    Filing ~300 complaints through the service would take most of the time budget of the suite;
    these rows are copies of one really filed complaint, clocks included, which is all the
    sweep reads.
    """
    complaints, clocks = Complaint.__table__, SlaClock.__table__
    row = dict(db.session.execute(select(complaints).where(complaints.c.id == template.id)).mappings().one())
    clock_rows = [
        dict(r)
        for r in db.session.execute(select(clocks).where(clocks.c.complaint_id == template.id)).mappings()
    ]
    del row["id"]
    for clock_row in clock_rows:
        del clock_row["id"]
    new_ids = [
        db.session.execute(
            insert(complaints).values(**{**row, "reference": f"C-2026-9{n:05d}"}).returning(complaints.c.id)
        ).scalar_one()
        for n in range(copies)
    ]
    db.session.execute(
        insert(clocks), [{**clock_row, "complaint_id": cid} for cid in new_ids for clock_row in clock_rows]
    )
    db.session.commit()


def test_two_sweeping_processes_record_each_breach_exactly_once(app, world, clock, tmp_path):
    _copy_complaint(world.complaint(world.file()), COPIES)
    total = COPIES + 1
    clock.set(shanghai(2026, 3, 4, 10))  # every response clock warned and breached; nothing else
    db.session.commit()
    db.session.remove()

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    go = tmp_path / "go"
    children, readies = [], []
    for n in range(2):
        ready = tmp_path / f"ready{n}"
        readies.append(ready)
        children.append(
            subprocess.Popen(
                [sys.executable, "-c", SWEEPER, uri, clock.now().isoformat(), str(ready), str(go)],
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    try:
        _wait_until_all_exist(readies, children)
        go.touch()  # both start sweeping at the same moment
        outputs = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert sum(r["warned"] for r in reports) == total
    assert sum(r["breached"] for r in reports) == total

    per_complaint = db.session.execute(
        select(Event.action, Event.complaint_id, func.count())
        .where(Event.action.in_(["sla_warning", "sla_breach"]))
        .group_by(Event.action, Event.complaint_id)
    ).all()
    assert len(per_complaint) == 2 * total
    assert {count for _, _, count in per_complaint} == {1}
    assert (
        db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.user_id == world.supervisor.id)
        )
        == total
    )
    assert (
        db.session.scalar(
            select(func.count()).select_from(Complaint).where(Complaint.priority != Priority.URGENT)
        )
        == 0
    )


def _wait_until_all_exist(paths: list[Path], children: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + 60
    while not all(p.exists() for p in paths):
        for child in children:
            if child.poll() is not None:
                raise AssertionError(f"a sweeper died early: {child.communicate()[1]}")
        if time.monotonic() > deadline:
            raise AssertionError("the sweepers did not start within 60 s")
        time.sleep(0.01)
