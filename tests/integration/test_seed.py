"""Demo data (`flask seed-demo`) and benchmark data (`flask seed-bench`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from complaints import create_app
from complaints.extensions import db
from complaints.models import (
    GENESIS_HASH,
    Complaint,
    Event,
    MediationSession,
    Merchant,
    Message,
    MessageKind,
    ReferenceCounter,
    Role,
    User,
)
from complaints.seed import texts
from complaints.seed.bench import BENCH_PASSWORD
from complaints.seed.demo import DEFAULT_PASSWORD
from complaints.seed.desk_texts import CANNED_REPLIES
from complaints.services.accounts import authenticate
from complaints.services.canned_replies import create_canned_reply, offered_titles
from complaints.services.filing import ComplaintDraft, file_complaint
from complaints.services.search import FTS_TABLE, document_text, ranked_matches
from complaints.timekeeping import FrozenClock, install_clock, now
from complaints.workflow import Action, Actor, Facts, State, check, target_state, transition_for
from tests.support import PLEDGE_VERBS

DEMO_EMAILS = [
    f"{key}@pledgedesk.example"
    for key in ("consumer", "agent1", "agent2", "supervisor", "mediator1", "mediator2", "admin")
]


def row_counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (User, Merchant, Complaint, Event, Message)
    }


def broken_chains() -> list[str]:
    """References of complaints whose event chain does not verify, or does not end in their state."""
    events = defaultdict(list)
    for event in db.session.scalars(select(Event).order_by(Event.complaint_id, Event.id)):
        events[event.complaint_id].append(event)
    broken = []
    for complaint in db.session.scalars(select(Complaint)):
        chain, prev_hash = events[complaint.id], GENESIS_HASH
        intact = bool(chain) and chain[0].action == "filed"
        for event in chain:
            intact = intact and event.prev_hash == prev_hash and event.hash == event.content_hash()
            prev_hash = event.hash
        moves = [event.to_state for event in chain if event.to_state]
        times = [event.created_at for event in chain]
        in_order = times == sorted(times) and times[0] == complaint.created_at and times[-1] <= now()
        if not (intact and moves[-1] == complaint.state.value and in_order):
            broken.append(complaint.reference)
    return broken


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One app whose database `flask seed-demo` filled, shared by the tests that only read it:
    seeding goes through every service and takes seconds."""
    clock = FrozenClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    folder = tmp_path_factory.mktemp("demo")
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite3'}", "ATTACHMENT_DIR": str(folder)},
    )
    install_clock(app, clock)
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    yield SimpleNamespace(app=app, clock=clock, result=result)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_seed_demo_prints_the_login_of_every_demo_account(demo):
    assert demo.result.exit_code == 0, demo.result.output
    lines = demo.result.output.splitlines()
    for email in DEMO_EMAILS:
        assert any(email in line and DEFAULT_PASSWORD in line for line in lines), email


def test_seed_demo_creates_every_role_and_complaints_in_every_state(demo):
    with demo.app.app_context():
        roles = set(db.session.scalars(select(User.role).distinct()))
        assert roles >= {Role.CONSUMER, Role.AGENT, Role.SUPERVISOR, Role.MEDIATOR, Role.ADMIN}
        states = Counter(db.session.scalars(select(Complaint.state)))
        assert set(states) == set(State)
        assert sum(states.values()) == 200
        consumer = db.session.scalar(select(User).where(User.email == "consumer@pledgedesk.example"))
        mine = Counter(
            db.session.scalars(select(Complaint.state).where(Complaint.consumer_id == consumer.id))
        )
        assert sum(mine.values()) == 15 and set(mine) == set(State)
        kinds = set(db.session.scalars(select(Message.kind).distinct()))
        assert kinds == set(MessageKind)
        assert db.session.scalar(select(func.count()).select_from(MediationSession)) > 0
        assert db.session.scalar(select(func.count()).where(Complaint.rating.is_not(None))) > 0
        assert authenticate("mediator1@pledgedesk.example", DEFAULT_PASSWORD) is not None


def test_seed_demo_a_second_time_creates_nothing(demo):
    with demo.app.app_context():
        before = row_counts()

    again = demo.app.test_cli_runner().invoke(args=["seed-demo"])

    assert again.exit_code == 0, again.output
    assert "database already has data; demo accounts unchanged" in again.output
    assert all(email in again.output for email in DEMO_EMAILS)
    with demo.app.app_context():
        assert row_counts() == before


def test_demo_complaints_have_intact_timelines_and_the_clock_is_given_back(demo):
    with demo.app.app_context():
        assert now() == demo.clock.now() == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
        assert broken_chains() == []
        created = [c.created_at for c in db.session.scalars(select(Complaint).order_by(Complaint.reference))]
        assert created == sorted(created)
        assert (now() - created[0]).days <= 61


def test_the_demo_team_has_bilingual_canned_replies_with_known_placeholders(demo):
    from complaints.models import CannedReply
    from complaints.services.canned_replies import unknown_placeholders

    with demo.app.app_context():
        replies = list(db.session.scalars(select(CannedReply)))
        assert 3 <= len(replies) <= 4 and all(r.active for r in replies)
        for reply in replies:
            assert reply.title_zh != reply.title_en and reply.body_zh != reply.body_en
            assert unknown_placeholders(reply.body_zh) == unknown_placeholders(reply.body_en) == []


def test_seed_demo_refuses_a_weak_demo_password_before_writing_anything(app, runner, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "short")

    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code != 0
    assert "DEMO_PASSWORD" in result.output
    with app.app_context():
        assert set(row_counts().values()) == {0}


def test_seed_bench_writes_complaints_the_application_can_work_with(app, runner):
    result = runner.invoke(args=["seed-bench", "--complaints", "500", "--days", "90"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        complaints = list(db.session.scalars(select(Complaint).order_by(Complaint.created_at, Complaint.id)))
        assert len(complaints) == 500
        assert {c.state for c in complaints} == set(State)
        by_year = defaultdict(list)
        for complaint in complaints:
            _, year, seq = complaint.reference.split("-")
            assert int(year) == complaint.created_at.year
            by_year[int(year)].append(int(seq))
        assert len(by_year) == 2  # ninety days back from March crosses New Year
        for year, numbers in by_year.items():
            assert numbers == list(range(1, len(numbers) + 1))
            assert db.session.get(ReferenceCounter, year).last_seq == len(numbers)
        assert broken_chains() == []
        indexed = dict(db.session.execute(text(f"SELECT rowid, body FROM {FTS_TABLE}")).all())
        assert all(indexed[c.id] == document_text(c.title, c.description) for c in complaints)

        matches = ranked_matches("退款", limit=10_000)
        found = set(db.session.scalars(select(matches.c.id)))
        assert found == {c.id for c in complaints if "退款" in f"{c.title} {c.description}"}
        assert found

        consumer = db.session.scalar(select(User).where(User.role == Role.CONSUMER).limit(1))
        shop = db.session.scalar(select(Merchant).where(Merchant.active.is_(True)).limit(1))
        draft = ComplaintDraft(shop.id, 1, "ORD-1", "耳机没有声音", "左耳没有声音。", "refund", "99")
        filed = file_complaint(consumer, draft)
        db.session.commit()
        assert filed.reference == f"C-2026-{len(by_year[2026]) + 1:06d}"
        assert authenticate("agent01@bench.pledgedesk.example", BENCH_PASSWORD) is not None

        # the team's canned replies, offered on every reply form; a supervisor writes the next one
        assert [title for _, title in offered_titles("zh_CN")] == [r[0] for r in CANNED_REPLIES]
        supervisor = db.session.scalar(select(User).where(User.role == Role.SUPERVISOR).limit(1))
        written = create_canned_reply(
            supervisor,
            title_zh="稍后答复",
            title_en="Answer later",
            body_zh="请稍候。",
            body_en="Please wait.",
        )
        db.session.commit()
        assert written.id == len(CANNED_REPLIES) + 1


def test_seed_bench_refuses_a_database_that_already_has_data(app, runner, world):
    with app.app_context():
        before = row_counts()

    result = runner.invoke(args=["seed-bench", "--complaints", "10"])

    assert result.exit_code != 0
    assert "empty database only" in result.output
    with app.app_context():
        assert row_counts() == before


def replayed(chain: list[Event], roles: dict, window: timedelta) -> Facts:
    """Replay one complaint's events, in id order, through workflow.check, each by its taker's
    role from the state before it, with the appeal window counted from the last decision as the
    services count it; assert each event records the move the workflow makes. The final facts."""
    first, *rest = chain
    assert (first.action, first.from_state, first.to_state) == ("filed", None, "received")
    facts, decided = Facts(State.RECEIVED), None
    for event in rest:
        if event.action in PLEDGE_VERBS:
            continue
        action = Action(event.action)
        facts = replace(facts, within_appeal_window=decided is None or event.created_at <= decided + window)
        inputs = dict.fromkeys(transition_for(action).requires, "x")  # roles, states and guards only
        row = check(action, roles[event.actor_id], facts, inputs)
        target = target_state(action, facts.state)
        assert (event.from_state, event.to_state) == (
            (facts.state.value, target.value) if row.target else (None, None)
        ), (event.complaint_id, event.action)
        if action in (Action.REJECT, Action.WITHDRAW, Action.RESOLVE, Action.RECORD_OUTCOME):
            decided = event.created_at
        elif action in (Action.DISPUTE, Action.APPEAL):
            decided = None
        pending, in_force = facts.agreement_pending, facts.agreement_in_force
        if action is Action.RECORD_OUTCOME and event.detail.get("outcome") == "settled":
            pending = True  # its agreement waits for both parties
        elif action is Action.ACCEPT_AGREEMENT and event.detail.get("binding"):
            pending, in_force = False, True
        elif action is Action.CONFIRM_RECEIPT and event.detail.get("answer") == "received":
            in_force = False  # performed
        facts = replace(
            facts,
            state=target,
            was_mediated=facts.was_mediated or target is State.MEDIATED,
            appeal_used=facts.appeal_used or action is Action.APPEAL,
            agreement_pending=pending,
            agreement_in_force=in_force,
        )
    return facts


def test_seed_bench_writes_only_histories_the_workflow_allows(app, runner):
    result = runner.invoke(args=["seed-bench", "--complaints", "400", "--days", "120"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        window = timedelta(days=app.config["APPEAL_WINDOW_DAYS"])
        actors = {actor.value for actor in Actor}
        roles = {
            i: Actor(r.value) for i, r in db.session.execute(select(User.id, User.role)) if r.value in actors
        }
        roles[None] = Actor.SYSTEM  # the closing job
        events = defaultdict(list)
        for event in db.session.scalars(select(Event).order_by(Event.id)):
            events[event.complaint_id].append(event)
        for complaint in db.session.scalars(select(Complaint)):
            facts = replayed(events[complaint.id], roles, window)
            assert facts.state is complaint.state, complaint.reference
            assert (facts.was_mediated, facts.appeal_used) == (complaint.was_mediated, complaint.appeal_used)
        taken = {event.action for chain in events.values() for event in chain}
        assert {"dispute", "record_outcome", "confirm", "close"} <= taken


def test_demo_complaints_name_no_product_their_shop_does_not_sell(app, runner):
    from complaints.models import Complaint, Merchant

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        codes = {m.id: m.shop_code for m in db.session.scalars(select(Merchant))}
        for complaint in db.session.scalars(select(Complaint)):
            sold = [texts.PRODUCTS[i] for i in texts.SHOP_PRODUCTS[codes[complaint.merchant_id]]]
            text_ = complaint.title + complaint.description
            others = [p for p in texts.PRODUCTS if p not in sold]
            assert not any(zh in text_ or en in text_ for zh, en in others), (
                text_,
                codes[complaint.merchant_id],
            )
