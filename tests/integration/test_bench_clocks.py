"""`flask seed-bench` gives complaints the pledge clocks the application itself would have given them.

Each sampled bench complaint is filed again through the services at the same instant, with the
same consumer, shop, category and amount, and every workflow step of its timeline is taken again
through `lifecycle.apply_action` at the instant it was taken, by the same account; the application's
sweep then runs at the moment the bench was seeded. The clocks, the clock events, the
complaint's pledge facts and whom its steps were told must come out the same.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import select

from complaints.extensions import db
from complaints.models import Agreement, Complaint, Event, Merchant, Notification, SlaClock, User
from complaints.services import lifecycle, pledge_keeping
from complaints.services.filing import ComplaintDraft, file_complaint
from complaints.workflow import OPEN_STATES, Action
from tests.support import PLEDGE_VERBS, mediation_accepted

SWEEP = timedelta(seconds=60)


def _timelines() -> dict[int, list[Event]]:
    chains = defaultdict(list)
    for event in db.session.scalars(select(Event).order_by(Event.id)):
        chains[event.complaint_id].append(event)
    return chains


def _sample(
    complaints: list[Complaint], chains: dict[int, list[Event]], per_route: int = 2
) -> list[Complaint]:
    """Up to `per_route` complaints of every route (the sequence of steps taken), every open one
    waiting on someone, and every one whose clocks were paused."""
    taken, seen = [], Counter()
    for complaint in complaints:
        route = tuple(e.action for e in chains[complaint.id] if e.action not in PLEDGE_VERBS)
        paused = any(e.action == "clock_paused" for e in chains[complaint.id])
        if seen[route] < per_route or paused or (complaint.state in OPEN_STATES and seen[route] < 6):
            seen[route] += 1
            taken.append(complaint)
    return taken


def _refile(bench: Complaint, chain: list[Event], clock) -> Complaint:
    """File `bench` again and take each of its steps again, each at its own instant."""
    clock.set(bench.created_at)
    draft = ComplaintDraft(
        bench.merchant_id,
        bench.category_id,
        bench.order_reference,
        bench.title,
        bench.description,
        bench.desired_outcome.value,
        str(bench.claimed_amount),
    )
    again = file_complaint(db.session.get(User, bench.consumer_id), draft)
    db.session.commit()
    for event in chain[1:]:
        if event.action in PLEDGE_VERBS:
            continue
        clock.set(event.created_at)
        params = {
            **event.detail,
            "body": "again",
            "note": "again",
            "mediation_org_id": bench.mediation_org_id,
        }
        if event.detail.get("outcome") == "settled":  # the bench's agreement: who pays, by when
            params["perform_by"] = date.fromisoformat(event.detail["perform_by"])
        user = db.session.get(User, event.actor_id) if event.actor_id else None
        lifecycle.apply_action(db.session.get(Complaint, again.id), user, Action(event.action), **params)
        db.session.commit()
        if event.action in ("escalate", "dispute"):  # the bench's referrals are accepted at once
            mediation_accepted(db.session.get(Complaint, again.id))
    return again


def _clocks(complaint: Complaint, seeded_at) -> list[tuple]:
    rows = db.session.scalars(
        select(SlaClock).where(SlaClock.complaint_id == complaint.id).order_by(SlaClock.id)
    )
    return [
        (
            c.kind,
            c.target_id,
            c.started_at,
            c.due_at,
            c.warn_at,
            c.paused_at,
            c.stopped_at,
            c.result,
            # the bench's sweep ran every minute; the replay's once, when the bench was seeded
            c.breached_at is not None if c.due_at < seeded_at - SWEEP else None,
        )
        for c in rows
    ]


def _pledge_events(chain: list[Event]) -> list[tuple]:
    return [
        (e.action, e.detail.get("clock"), e.detail.get("result"), e.detail.get("reason"))
        for e in chain
        if e.action in PLEDGE_VERBS - {"sla_warning", "sla_breach"}
    ]


def _pledge_facts(complaint: Complaint, chain: list[Event], seeded_at) -> tuple:
    """What the pledge left on `complaint`: its clocks, its clock events, one breach event per
    broken promise, and the complaint's first response, priority and state."""
    clocks = list(db.session.scalars(select(SlaClock).where(SlaClock.complaint_id == complaint.id)))
    breaches = sorted(e.detail["clock"] for e in chain if e.action == "sla_breach")
    assert breaches == sorted(c.kind.value for c in clocks if c.breached_at is not None), complaint.reference
    return (
        _clocks(complaint, seeded_at),
        _pledge_events(chain),
        (complaint.first_response_at, complaint.priority, complaint.state),
    )


def _told(complaint_id: int, bench_chain: list[Event]) -> Counter:
    """Who was told what of the bench complaint's own steps: (user, kind, action, the actor's
    party). The sweep's notices and the dates the pledge engine moved are not the bench's, nor the
    steps the replay adds (the referral's consents and acceptance)."""
    steps = {e.action for e in bench_chain}
    notices = {"sla_warning", "sla_breach", "pledge_date", "shop_reply_missed"}
    rows = db.session.scalars(select(Notification).where(Notification.complaint_id == complaint_id))
    return Counter(
        (n.user_id, n.kind.value, n.detail["action"], n.detail["actor_party"])
        for n in rows
        if n.kind.value not in notices and n.detail.get("action") in steps
    )


def _standing(clock: SlaClock) -> str:
    if clock.result:
        return clock.result.value
    return "paused" if clock.paused_at else "overdue" if clock.breached_at else "running"


def test_bench_clocks_are_the_clocks_the_application_keeps(app, runner, clock):
    seeded_at = clock.now()
    result = runner.invoke(args=["seed-bench", "--complaints", "400", "--days", "100"])
    assert result.exit_code == 0, result.output

    with app.app_context():
        chains = _timelines()
        bench = list(  # (a shop closed since cannot be complained about again)
            db.session.scalars(
                select(Complaint).join(Merchant).where(Merchant.active.is_(True)).order_by(Complaint.id)
            )
        )
        sample = _sample(bench, chains)
        # every settled mediation has its agreement, and the sample replays what became of some
        settled = {b.id for b in bench if b.outcome is not None and b.outcome.value == "settled"}
        agreed = dict(db.session.execute(select(Agreement.complaint_id, Agreement.status)).all())
        assert settled and set(agreed) == settled
        assert {"accept_agreement", "confirm_payment", "confirm_receipt"} <= {
            e.action for b in sample for e in chains[b.id]
        }
        # what the bench wrote, before the replay's sweep touches the bench's own clocks too
        expected = {b.id: _pledge_facts(b, chains[b.id], seeded_at) for b in sample}
        standings = Counter(
            _standing(c)
            for c in db.session.scalars(
                select(SlaClock).where(SlaClock.complaint_id.in_([b.id for b in sample]))
            )
        )
        told = {b.id: _told(b.id, chains[b.id]) for b in sample}
        assert any(told.values())
        again = {b.id: _refile(b, chains[b.id], clock).id for b in sample}
        clock.set(seeded_at)
        pledge_keeping.sweep()
        chains = _timelines()

        for b in sample:
            replayed = db.session.get(Complaint, again[b.id])
            assert _pledge_facts(replayed, chains[replayed.id], seeded_at) == expected[b.id], b.reference
            assert _told(replayed.id, chains[b.id]) == told[b.id], b.reference
        # the sample held kept, broken, voided, running, overdue and paused promises
        assert {"met", "missed", "void", "running", "overdue", "paused"} <= set(standings), standings


def test_the_sweep_finds_nothing_the_bench_left_unrecorded(app, runner, clock):
    """Every warning and breach that fell due before the bench was seeded is on record: the
    application's sweep, run a minute before, has nothing to mark."""
    seeded_at = clock.now()
    result = runner.invoke(args=["seed-bench", "--complaints", "600", "--days", "60"])
    assert result.exit_code == 0, result.output

    with app.app_context():
        overdue = db.session.scalar(
            select(db.func.count())
            .select_from(SlaClock)
            .where(SlaClock.stopped_at.is_(None), SlaClock.breached_at.is_not(None))
        )
        assert overdue  # the queue has overdue complaints to show
        clock.set(seeded_at - SWEEP)
        report = pledge_keeping.sweep()
        assert (report.warned, report.breached) == (0, 0)
