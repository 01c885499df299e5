"""The supervisors' dashboard: every section against a small data set counted by hand, with a
window missed while still open, void (withdrawn) windows, the filters by category and shop, and a
period that ended before today (nothing still open counts in it)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import ClockKind, Complaint, SlaClock
from complaints.services import dashboard
from complaints.sla import terms
from complaints.timekeeping import now
from complaints.workflow import Action, State
from tests.support import act_as, shanghai

MARCH = dashboard.Filters(date(2026, 3, 1), date(2026, 3, 3))


@pytest.fixture
def data(app, world, clock):
    """Read on Tuesday 3 March 2026 at 16:00 in Shanghai. By hand:

    old  filed Tue 20 January, claimed by agent, never answered: open (received), 42 days old;
         its response window has been past due since January (missed, still open)
    c1   filed Mon 2 March 10:00 (shop A, quality), claimed by agent, answered 10:30, verified and
         resolved 11:00 (every window kept), rated 4
    c2   filed Mon 2 March 10:00 (shop A, quality), claimed by agent2, never answered: its response
         window (due Tue 10:00) is past due and open: missed
    c3   filed Mon 2 March 10:00 (shop B, delivery), withdrawn 11:00: its windows void
    """
    clock.set(shanghai(2026, 1, 20, 10, 0))
    old = world.file()
    act_as(world, old, "agent", Action.CLAIM)
    clock.set(shanghai(2026, 3, 2, 10, 0))
    c1, c2 = world.file(), world.file()
    c3 = world.file(merchant_id=world.merchant_ids[1], category_id=world.category_ids[1])
    act_as(world, c1, "agent", Action.CLAIM)
    act_as(world, c2, "agent2", Action.CLAIM)
    clock.set(shanghai(2026, 3, 2, 10, 30))
    act_as(world, c1, "agent", Action.REPLY, body="您好，我们正在核实。")
    clock.set(shanghai(2026, 3, 2, 11, 0))
    act_as(world, c1, "agent", Action.VERIFY)
    act_as(world, c1, "agent", Action.RESOLVE, outcome="upheld", compensation_amount="299.00")
    act_as(world, c1, "consumer", Action.CONFIRM, rating=4)
    act_as(world, c3, "consumer", Action.WITHDRAW)
    clock.set(shanghai(2026, 3, 3, 16, 0))
    dashboard.forget_computed()
    return SimpleNamespace(old=old, c1=c1, c2=c2, c3=c3)


def _windows(board) -> dict[ClockKind, tuple[int, int, int, int]]:
    return {w.kind: (w.kept, w.missed, w.still_open, w.void) for w in board.windows}


def _open_overdue(kind: ClockKind, refs) -> int:
    """Open clocks of `kind` of these complaints past their due instant, by sla.terms' own rule."""
    clocks = db.session.scalars(
        select(SlaClock)
        .join(Complaint, Complaint.id == SlaClock.complaint_id)
        .where(SlaClock.kind == kind, SlaClock.stopped_at.is_(None), Complaint.reference.in_(refs))
    )
    return sum(terms.is_overdue(c, now()) for c in clocks)


def test_the_dashboard_as_counted_by_hand(data, world):
    board = dashboard.compute(MARCH)

    assert board.filed == 3 and board.filed_by_day[date(2026, 3, 2)] == 3
    assert board.filed_by_day[date(2026, 3, 1)] == 0 and len(board.filed_by_day) == 3
    assert board.decided == 1
    # c2 (1 day and 6 hours old) and the January complaint (42 days), both received
    assert board.backlog[State.RECEIVED] == [0, 1, 0, 0, 1]
    assert board.backlog[State.VERIFIED] == [0] * 5 and board.backlog_total == 2

    windows = _windows(board)
    assert windows[ClockKind.RESPONSE] == (1, 0, 2, 1)  # c1 kept; c2 and January open past due; c3 void
    verification = windows[ClockKind.VERIFICATION]
    assert verification[0] == 1 and verification[1] == 0 and verification[3] == 1
    assert verification[2] == _open_overdue(ClockKind.VERIFICATION, [data.old, data.c2])
    resolution = windows[ClockKind.RESOLUTION]
    assert (resolution[0], resolution[1], resolution[3]) == (1, 0, 1)
    assert resolution[2] == _open_overdue(ClockKind.RESOLUTION, [data.old, data.c2])
    response = next(w for w in board.windows if w.kind == ClockKind.RESPONSE)
    assert response.share_kept == pytest.approx(1 / 3)

    agents = {a.name: a for a in board.agents}
    assert set(agents) == {"Agent", "Agent2"}
    agent = agents["Agent"]
    assert (agent.open_now, agent.decided, agent.resolutions_kept, agent.resolutions_missed) == (1, 1, 1, 0)
    assert (agent.ratings, agent.rating) == (1, 4.0)
    assert (agents["Agent2"].open_now, agents["Agent2"].decided, agents["Agent2"].rating) == (1, 0, None)

    assert [(c.names[1], c.count) for c in board.categories] == [("Product quality", 2), ("Delivery", 1)]
    assert [(s.name, s.count) for s in board.shops] == [("优品数码旗舰店", 2), ("Green Valley Foods", 1)]
    assert dict(board.ratings) == {4: 1} and board.rating == 4.0


def test_the_category_and_shop_filters_apply_to_every_section(data, world):
    for filters in (
        dashboard.Filters(MARCH.first, MARCH.last, category_id=world.category_ids[1]),
        dashboard.Filters(MARCH.first, MARCH.last, merchant_id=world.merchant_ids[1]),
    ):
        board = dashboard.compute(filters)
        assert (board.filed, board.decided, board.backlog_total) == (1, 0, 0)
        assert _windows(board)[ClockKind.RESPONSE] == (0, 0, 0, 1)  # c3's, void
        assert board.agents == [] and board.rating_count == 0
        assert [s.name for s in board.shops] == ["Green Valley Foods"]
    board = dashboard.compute(dashboard.Filters(MARCH.first, MARCH.last, merchant_id=world.merchant_ids[0]))
    assert (board.filed, board.decided, board.backlog_total) == (2, 1, 2)


def test_a_period_over_before_today_counts_what_ended_in_it_and_nothing_still_open(data):
    february = dashboard.compute(dashboard.Filters(date(2026, 2, 1), date(2026, 2, 28)))
    assert february.filed == 0 and february.decided == 0
    assert all(w.still_open == 0 and w.kept == 0 for w in february.windows)
    assert february.backlog_total == 2  # the backlog is now's, whatever the period


def test_the_figures_are_kept_for_a_while_then_computed_again(data, app, clock, world):
    app.config["SCORECARD_CACHE_SECONDS"] = 300
    first = dashboard.dashboard(MARCH)
    assert dashboard.dashboard(MARCH) is first
    act_as(world, data.c2, "agent2", Action.REPLY, body="抱歉回复晚了。")
    clock.advance(seconds=301)
    again = dashboard.dashboard(MARCH)
    assert again is not first
    assert _windows(again)[ClockKind.RESPONSE] == (1, 1, 1, 1)  # c2's ended, missed


def test_the_page_shows_the_figures_and_refuses_a_wrong_period(data, client, auth, world):
    auth.login(world.supervisor.email)
    page = client.get(
        "/reports/?first=2026-03-01&last=2026-03-03", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "Agents' workload and results" in page and "优品数码旗舰店" in page
    assert "From 2026-03-01 to 2026-03-03" in page
    assert "<script" not in page and "style=" not in page

    wrong = client.get("/reports/?first=2026-03-03&last=2026-03-01", headers={"Accept-Language": "en"})
    assert wrong.status_code == 400
    assert "The period cannot end before it begins." in wrong.get_data(as_text=True)
    too_long = client.get("/reports/?first=2020-01-01&last=2026-03-01", headers={"Accept-Language": "en"})
    assert too_long.status_code == 400 and "at most 731 days" in too_long.get_data(as_text=True)
    unknown = client.get("/reports/?shop=no-such-shop", headers={"Accept-Language": "en"})
    assert unknown.status_code == 400 and "We could not find that shop" in unknown.get_data(as_text=True)
    nonsense = client.get("/reports/?first=yesterday&category_id=999", headers={"Accept-Language": "en"})
    assert nonsense.status_code == 400
