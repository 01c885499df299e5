"""The public pledge scorecard: every figure against a small month computed by hand, with a missed
window, a window still open past its due instant that the sweep has not marked, and void
(withdrawn, referred) windows; the page needs no login, shows no personal data, in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, update

from complaints import create_app
from complaints.extensions import db
from complaints.models import ClockKind, SlaClock, User
from complaints.services import scorecard
from complaints.services.pledge_keeping import sweep
from complaints.services.scorecard_counts import Tally, WorkingDayCounter
from complaints.sla import terms
from complaints.sla.policy import version_for
from complaints.timekeeping import FrozenClock, install_clock, now
from complaints.workflow import Action
from tests.support import act_as, mediation_accepted, shanghai

CONSUMER_NAMES = {"consumer": "林晓梅", "other_consumer": "Harriet Quimby"}
CONSUMER_PHONES = {"consumer": "13912345678", "other_consumer": "13698765432"}


@pytest.fixture
def month(app, world, clock):
    """Five complaints filed on Monday 2 March 2026, 10:00 in Shanghai (the frozen clock), read on
    Tuesday 3 March at 16:00. What each window did, by hand:

    C1 general: answered, asked the shop (who answered in 15 min), verified, resolved at 11:00,
       rated 5 by the consumer.           response met, verification met, merchant_reply met, resolution met
    C2 general: nobody answered.          response open past its due (Tue 10:00), not marked: missed
    C3 general: withdrawn at 11:00.       response, verification, resolution void
    C4 major (6,000): verified Tue 16:00, referred, settled.
                                          response missed (late), verification met, resolution void
                                          (referred), mediation met
    C5 general: verified 11:00, referred, not settled; rated 2.
                                          response met, verification met, resolution void, mediation met
    """
    for key, name in CONSUMER_NAMES.items():
        db.session.execute(
            update(User).where(User.id == world.people[key].id).values(name=name, phone=CONSUMER_PHONES[key])
        )
    db.session.commit()
    c1, c2, c3, c5 = (world.file() for _ in range(4))
    c4 = world.file(consumer="other_consumer", claimed_amount=Decimal("6000.00"))
    clock.set(shanghai(2026, 3, 2, 10, 30))
    act_as(world, c1, "agent", Action.REPLY, body="您好，我们正在核实。")
    act_as(world, c1, "agent", Action.REQUEST_INFO, party="merchant", body="请店铺说明发货情况。")
    clock.set(shanghai(2026, 3, 2, 10, 45))
    act_as(world, c1, "merchant", Action.MERCHANT_ANSWER, body="已于三月一日发货。")
    clock.set(shanghai(2026, 3, 2, 11, 0))
    act_as(world, c1, "agent", Action.VERIFY)
    act_as(world, c1, "agent", Action.RESOLVE, outcome="upheld", compensation_amount="299.00")
    act_as(world, c1, "consumer", Action.CONFIRM, rating=5)
    act_as(world, c3, "consumer", Action.WITHDRAW)
    _verify_and_mediate(world, c5, "not_settled")
    act_as(world, c5, "consumer", Action.CONFIRM, rating=2)
    clock.set(shanghai(2026, 3, 3, 16, 0))
    _verify_and_mediate(world, c4, "settled")
    scorecard.forget_computed()
    return SimpleNamespace(refs=(c1, c2, c3, c4, c5), late=c2)


def _verify_and_mediate(world, ref: str, outcome: str) -> None:
    act_as(world, ref, "agent", Action.VERIFY)
    act_as(world, ref, "agent", Action.ESCALATE, mediation_org_id=world.org_id)
    mediation_accepted(world.complaint(ref))
    agreed = {"payer": "shop", "perform_by": date(2026, 3, 20)} if outcome == "settled" else {}
    act_as(
        world, ref, "mediator", Action.RECORD_OUTCOME, outcome=outcome, note="双方协商结果已记录。", **agreed
    )


def _recent(card) -> dict:
    return card.recent[0].measures


def test_the_month_as_counted_by_hand(month):
    card = scorecard.scorecard()
    for figures in (card.recent[0], card.recent[1], card.quarters[0], card.months[-1]):
        m = figures.measures
        assert (m["response"].kept, m["response"].missed, m["response"].still_open, m["response"].void) == (
            2,
            2,
            1,
            1,
        )
        assert m["response"].value == pytest.approx(0.5)
        assert m["response"].falls_short
        assert (m["verification"].kept, m["verification"].missed, m["verification"].void) == (3, 0, 1)
        assert m["verification"].value == 1.0 and not m["verification"].falls_short
        assert (m["resolution"].kept, m["resolution"].count, m["resolution"].void) == (1, 1, 2)
        assert (m["resolution_major"].count, m["resolution_major"].void) == (0, 1)
        assert m["resolution_major"].value is None
        assert (m["merchant_reply"].kept, m["merchant_reply"].count) == (1, 1)
        assert (m["mediation"].kept, m["mediation"].count) == (2, 2)
        assert (m["mediation_success"].kept, m["mediation_success"].count) == (1, 2)
        assert m["mediation_success"].value == pytest.approx(0.5) and m["mediation_success"].below_floor
        # C1 and C5 decided on the day of filing (0 working days), C4 the next working day (1)
        assert (m["handling"].count, m["handling"].value) == (3, pytest.approx(1 / 3))
        assert (m["satisfaction"].count, m["satisfaction"].value) == (2, pytest.approx(3.5))
    for figures in (*card.quarters[1:], *card.months[:-1]):
        assert all(m.count == 0 and m.void == 0 for m in figures.measures.values())


def test_a_window_open_past_its_due_instant_is_missed_whether_or_not_the_sweep_ran(month):
    late = db.session.scalar(
        select(SlaClock)
        .join(SlaClock.target)
        .where(SlaClock.kind == ClockKind.RESPONSE, SlaClock.stopped_at.is_(None))
    )
    assert late.breached_at is None and late.result is None  # the sweep never ran
    assert terms.is_overdue(late, now())
    before = _recent(scorecard.scorecard())["response"]

    sweep()
    db.session.commit()
    scorecard.forget_computed()
    after = _recent(scorecard.scorecard())["response"]

    assert (
        (before.kept, before.missed, before.still_open)
        == (after.kept, after.missed, after.still_open)
        == (2, 2, 1)
    )


def test_a_window_counts_in_the_month_it_ended_and_a_closed_month_keeps_its_figures(month, app, clock, world):
    clock.set(shanghai(2026, 4, 2, 10, 0))
    act_as(world, month.late, "agent", Action.REPLY, body="抱歉回复晚了。")
    card = scorecard.scorecard()
    march, april = card.months[-2].measures["response"], card.months[-1].measures["response"]
    assert (march.kept, march.missed, march.still_open) == (2, 1, 0)  # C4's late answer
    assert (april.kept, april.missed, april.still_open) == (0, 1, 0)  # C2's, ended missed in April


def test_the_figures_are_kept_for_a_while_then_computed_again(month, app, clock):
    app.config["SCORECARD_CACHE_SECONDS"] = 300
    first = scorecard.scorecard()
    assert scorecard.scorecard() is first
    clock.advance(seconds=301)
    again = scorecard.scorecard()
    assert again is not first
    assert _recent(again)["response"].missed == _recent(first)["response"].missed


def test_settled_days_are_read_once_and_added_to_the_recent_ones(month, app, clock):
    clock.set(shanghai(2026, 5, 20, 12, 0))  # March is now older than the appeal window
    scorecard.forget_computed()
    card = scorecard.scorecard()
    store = app.extensions["pledgedesk.scorecard"]
    assert store.settled_span[1] > date(2026, 3, 3)
    march = next(p for p in card.months if p.period.first.month == 3).measures
    assert march["verification"].kept == 3 and march["response"].missed == 1  # C2 still open: May now
    assert card.months[-1].measures["response"].still_open == 1


def test_working_days_are_counted_as_the_pledge_counts_them(app, world):
    counter = WorkingDayCounter(date(2026, 3, 1))
    pledge = version_for(world.category_ids[0], False)
    assert counter.taken(pledge.id, date(2026, 3, 2), date(2026, 3, 2)) == 0  # decided the day it came
    assert counter.taken(pledge.id, date(2026, 3, 6), date(2026, 3, 9)) == 1  # Friday to Monday
    # the README's deadline: 7 working days from 30 September end on 15 October (National Day off)
    assert counter.taken(pledge.id, date(2026, 9, 30), date(2026, 10, 15)) == 7
    assert counter.taken(None, date(2026, 3, 2), date(2026, 3, 3)) is None  # held to no pledge


def test_tallies_add_up():
    a, b = Tally(decided=1, working_days=2), Tally(decided=2, working_days=3, ratings=1, rating_points=4)
    a.windows[("x",)] = 1
    b.windows[("x",)] = 2
    a.add(b)
    assert (a.decided, a.working_days, a.ratings, a.rating_points, a.windows[("x",)]) == (3, 5, 1, 4, 3)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_public_page_needs_no_login_and_shows_no_personal_data(month, client, world, language):
    page = client.get("/pledge", headers={"Accept-Language": language})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for key in CONSUMER_NAMES:
        for personal in (CONSUMER_NAMES[key], CONSUMER_PHONES[key], world.people[key].email):
            assert personal not in html
    for ref in month.refs:
        assert ref not in html
    assert "<script" not in html and "style=" not in html
    assert 'href="/pledge"' in html  # linked from the navigation of a visitor and the footer


def test_the_page_marks_a_missed_window_and_a_rate_under_its_floor_in_words(month, client):
    html = client.get("/pledge", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Missed: 2 windows (1 still open)" in html
    assert "Below our floor of 80%" in html
    assert "2 of 4 windows kept" in html
    assert "1 window no longer applied and is not counted" in html
    assert (
        "Counted around the clock" in html
        and "24 hours" in html
        and "15 working days" in html
        and "7 working days" in html
    )
    assert "0.3 working days" in html and "3.5 out of 5" in html
    assert "How we count" in html and "whether or not our reminders have recorded it" in html


def test_the_page_in_chinese(month, client):
    html = client.get("/pledge", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "50.0%" in html and "2026" in html


def test_the_demo_marketplace_scorecard_names_no_consumer(tmp_path):
    clock = FrozenClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            "ATTACHMENT_DIR": str(tmp_path),
        },
    )
    install_clock(app, clock)
    with app.app_context():
        upgrade()
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        consumers = db.session.execute(
            select(User.name, User.email, User.phone).where(User.role == "consumer")
        ).all()
        db.session.remove()
    pages = [app.test_client().get("/pledge", headers={"Accept-Language": lang}) for lang in ("en", "zh-CN")]
    for page in pages:
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        for personal in (value for row in consumers for value in row if value):
            assert personal not in html
    assert consumers
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
