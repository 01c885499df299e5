"""The pledge at the desk: queues in due order, pledge badges, the supervisors' at-risk and
overdue views, the clock table on the complaint page, and correcting a complaint's category or
amount.

Instants follow the shipped default pledge (migration 0002): first response 24 hours around the
clock (warning at 18 h); resolution 15 working days, 7 for a major complaint (5000 CNY or more),
on the Mon-Fri 09:00-18:00 Shanghai calendar, not counting the day of receipt. The frozen clock
starts on Monday 2 March 2026, 10:00 in Shanghai (02:00 UTC).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from complaints.extensions import db
from complaints.models import ClockKind, Event, Priority, SlaClock
from complaints.services.clock_order import at_risk_clocks, clock_keys_statement, overdue_clocks
from complaints.services.pledge_keeping import sweep
from complaints.services.queues import QueueFilter, due_keys_statement
from complaints.sla import clocks
from complaints.workflow import OPEN_STATES
from tests.support import AuthActions, World


@pytest.fixture
def world(app):
    """The shared world, without an app context left pushed: each request gets its own."""
    with app.app_context():
        return World.build()


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def sign_in(app, email: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    AuthActions(client).login(email)
    return client


def act(client, reference: str, action: str, **data):
    """Take `action` from the complaint's page, with the version that page shows."""
    page = client.get(f"/desk/complaints/{reference}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return client.post(f"/desk/complaints/{reference}/{action}", data={"version": version, **data})


def ask_consumer(client, reference: str):
    response = act(client, reference, "request_info", party="consumer", request_body="请提供订单截图。")
    assert response.status_code == 302


def refs_on(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'href="/desk/complaints/(C-\d{4}-\d{6})"', response.get_data(as_text=True))


def next_link(response) -> str | None:
    match = re.search(r'href="([^"]+)" rel="next"', response.get_data(as_text=True))
    return html.unescape(match.group(1)) if match else None


def row_of(response, reference: str) -> str:
    """The HTML of the table row that lists `reference`."""
    body = response.get_data(as_text=True)
    match = re.search(r"<tr>(?:(?!</tr>).)*?/desk/complaints/" + reference + r'".*?</tr>', body, re.S)
    assert match, f"{reference} is not listed"
    return match.group(0)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def resolution_clock(world, reference: str) -> SlaClock:
    running = clocks.running_clocks(world.complaint(reference))
    return next(c for c in running if c.kind is ClockKind.RESOLUTION)


# --- queue order ----------------------------------------------------------------------------


def test_queue_lists_the_complaint_due_soonest_first_and_paused_ones_last(app, client, auth, world, clock):
    with app.app_context():
        waiting = world.file(title="A")  # response due Tue 10:00
        clock.advance(hours=1)
        answered = world.file(title="B")  # response due Tue 11:00
        clock.advance(hours=1)
        fresh = world.file(title="C")  # response due Tue 12:00
    auth.login(world.agent.email)
    assert refs_on(client.get("/desk/")) == [waiting, answered, fresh]

    ask_consumer(client, waiting)  # answers them, and pauses verification and resolution
    assert act(client, answered, "reply", reply_body="我们正在核实。").status_code == 302

    # fresh: first response due tomorrow; answered: verification due in 7 working days;
    # waiting: nothing running while the consumer is asked, so after every running one.
    assert refs_on(client.get("/desk/")) == [fresh, answered, waiting]
    body = client.get("/desk/").get_data(as_text=True)
    assert "due soonest first" in body
    assert '<th scope="col" aria-sort="ascending"><a href="/desk/?sort=due">Pledge</a></th>' in body
    assert "First response: 24h 00m left" in row_of(client.get("/desk/"), fresh)
    assert "Verification:" in row_of(client.get("/desk/"), answered)
    assert ">Paused</span>" in row_of(client.get("/desk/"), waiting)


def test_closed_states_are_listed_by_filing(app, client, auth, world, clock):
    with app.app_context():
        first, second = world.file(), world.file()
    auth.login(world.agent.email)
    for reference in (second, first):
        assert act(client, reference, "reject", reason="不属于平台受理范围。").status_code == 302
    rejected = client.get("/desk/?state=rejected")
    assert refs_on(rejected) == [first, second]
    assert "No pledged time running" in row_of(rejected, first)


# The due phase ends inside the second page (its cursor then points into the rest), or with it.
@pytest.mark.parametrize(("running", "phases"), [(3, ["d", "c"]), (4, ["d", "d"])])
def test_pages_run_through_the_due_order_then_the_rest_without_gaps_or_repeats(
    app, client, auth, world, clock, running, phases
):
    app.config["QUEUE_PAGE_SIZE"] = 2
    filed = []
    with app.app_context():
        for i in range(running + 2):
            filed.append(world.file(title=f"投诉 {i}"))
            clock.advance(minutes=10)
    auth.login(world.agent.email)
    paused = [filed[1], filed[3]]
    for reference in paused:
        ask_consumer(client, reference)
    expected = [r for r in filed if r not in paused] + paused

    seen, cursors, url = [], [], "/desk/?queue=open"
    while url:
        response = client.get(url)
        seen.extend(refs_on(response))
        url = next_link(response)
        if url:
            cursors.append(re.search(r"after=([dc]):", url).group(1))
    assert seen == expected
    assert cursors == phases


def test_queue_filters_apply_to_the_due_order(app, client, auth, world, clock):
    with app.app_context():
        other_shop = world.file(merchant_id=world.merchant_ids[1])
        clock.advance(hours=1)
        delivery = world.file(category_id=world.category_ids[1])
    auth.login(world.agent.email)
    assert refs_on(client.get(f"/desk/?merchant_id={world.merchant_ids[1]}")) == [other_shop]
    assert refs_on(client.get(f"/desk/?category_id={world.category_ids[1]}")) == [delivery]
    assert act(client, delivery, "claim").status_code == 302
    assert refs_on(client.get("/desk/?queue=mine")) == [delivery]
    assert refs_on(client.get("/desk/?queue=unassigned")) == [other_shop]


# --- badges ---------------------------------------------------------------------------------


def test_badge_turns_amber_at_the_warning_point_and_red_when_overdue(app, client, auth, world, clock):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    row = row_of(client.get("/desk/"), reference)
    assert "First response: 24h 00m left" in row
    assert '<span class="badge ">Running</span>' in row

    clock.advance(hours=19)  # past the warning point at 18 h
    row = row_of(client.get("/desk/"), reference)
    assert "First response: 5h 00m left" in row
    assert '<span class="badge warn">At risk</span>' in row

    clock.advance(hours=6)  # an hour past due
    row = row_of(client.get("/desk/"), reference)
    assert "First response: 1h 00m over" in row
    assert '<span class="badge bad">Overdue</span>' in row


# --- supervisors' views ---------------------------------------------------------------------


def test_supervisor_sees_pledges_at_risk_and_overdue(app, world, clock):
    with app.app_context():
        early = world.file(title="Early")  # response: warning +18 h, due +24 h
        clock.advance(hours=10)
        late = world.file(title="Late")  # response: warning +28 h, due +34 h
        answered = world.file(title="Answered")
    agent = sign_in(app, world.agent.email)
    assert act(agent, answered, "reply", reply_body="已收到。").status_code == 302
    supervisor = sign_in(app, world.supervisor.email)
    assert refs_on(supervisor.get("/desk/at-risk")) == []
    assert "No pledge is at risk now." in supervisor.get("/desk/at-risk").get_data(as_text=True)

    clock.advance(hours=9)  # +19 h: early is past its warning point
    with app.app_context():
        assert sweep().warned == 1
    assert refs_on(supervisor.get("/desk/at-risk")) == [early]
    assert refs_on(supervisor.get("/desk/breached")) == []

    clock.advance(hours=11)  # +30 h: early is 6 h overdue; late is at risk
    with app.app_context():
        report = sweep()
    assert (report.warned, report.breached) == (1, 1)
    at_risk = supervisor.get("/desk/at-risk")
    assert refs_on(at_risk) == [late]
    assert "First response: 4h 00m left" in row_of(at_risk, late)
    breached = supervisor.get("/desk/breached")
    assert refs_on(breached) == [early]
    assert "First response: 6h 00m over" in row_of(breached, early)
    assert '<span class="badge bad">Overdue</span>' in row_of(breached, early)


def test_pledge_views_do_not_wait_for_the_sweep(app, world, clock):
    with app.app_context():
        early = world.file()
        clock.advance(hours=10)
        late = world.file()
    clock.advance(hours=20)  # early: 6 h overdue, late: past its warning point; no sweep ran
    supervisor = sign_in(app, world.supervisor.email)
    assert refs_on(supervisor.get("/desk/at-risk")) == [late]
    assert refs_on(supervisor.get("/desk/breached")) == [early]


def test_overdue_view_lists_the_most_overdue_first_and_keeps_paused_clocks(app, world, clock):
    app.config["QUEUE_PAGE_SIZE"] = 1
    with app.app_context():
        first = world.file()
        clock.advance(hours=1)
        second = world.file()
    clock.advance(hours=30)
    with app.app_context():
        sweep()
    supervisor = sign_in(app, world.supervisor.email)
    page = supervisor.get("/desk/breached")
    assert refs_on(page) == [first]
    assert refs_on(supervisor.get(next_link(page))) == [second]
    assert next_link(supervisor.get(next_link(page))) is None


def test_overdue_view_names_every_pledge_the_complaint_missed(app, world, clock):
    with app.app_context():
        reference = world.file()
    clock.advance(days=12)  # Saturday 14 March: response and verification (7 working days) missed
    with app.app_context():
        sweep()
    supervisor = sign_in(app, world.supervisor.email)
    row = row_of(supervisor.get("/desk/breached"), reference)
    assert "First response: 264h 00m over" in row
    # Due Wednesday 11 March at 18:00: Thursday and Friday since, 9 working hours each.
    assert "Verification: 18h 00m of working time over" in row
    assert "Resolution" not in row


def test_agents_may_not_open_the_supervisors_views(app, world):
    agent = sign_in(app, world.agent.email)
    assert agent.get("/desk/at-risk").status_code == 403
    assert agent.get("/desk/breached").status_code == 403
    assert "/desk/at-risk" not in agent.get("/desk/").get_data(as_text=True)

    supervisor = sign_in(app, world.supervisor.email)
    queue = supervisor.get("/desk/").get_data(as_text=True)
    assert 'href="/desk/at-risk"' in queue and 'href="/desk/breached"' in queue
    page = supervisor.get("/desk/breached").get_data(as_text=True)
    assert '<a href="/desk/breached" aria-current="page">Overdue</a>' in page


# --- the complaint page ---------------------------------------------------------------------


def test_complaint_page_shows_the_pledged_times(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    body = client.get(f"/desk/complaints/{reference}").get_data(as_text=True)
    assert "Pledged times" in body
    table = body[body.index("Pledged times") : body.index("</table>")]
    assert '<td data-label="Pledge">Resolution</td>' in table
    # 15 working days after Monday 2 March, ending 18:00 Shanghai on Monday 23 March.
    assert '<time datetime="2026-03-23T10:00:00+00:00">' in table
    assert '<td data-label="Pledge">First response</td>' in table
    # Beside the case: the right column opens with them, before the actions.
    assert body.index("Pledged times") < body.index("actions-heading")


def test_reclassifying_as_a_major_complaint_brings_the_resolution_forward(app, client, auth, world):
    with app.app_context():
        reference = world.file()
        assert resolution_clock(world, reference).due_at == utc(2026, 3, 23, 10)
    auth.login(world.agent.email)
    page = client.get(f"/desk/complaints/{reference}").get_data(as_text=True)
    assert '<label for="claimed_amount">Amount claimed (CNY)</label>' in page
    assert '<label for="category_id">What the complaint is about</label>' in page

    response = act(
        client, reference, "reclassify", category_id=str(world.category_ids[1]), claimed_amount="6800.00"
    )
    assert response.status_code == 302
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The category and amount are corrected" in follow
    assert '<time datetime="2026-03-11T10:00:00+00:00">' in follow  # 7 working days
    with app.app_context():
        complaint = world.complaint(reference)
        assert (complaint.category_id, complaint.claimed_amount) == (
            world.category_ids[1],
            Decimal("6800.00"),
        )
        assert complaint.is_major and complaint.priority is Priority.HIGH
        assert resolution_clock(world, reference).due_at == utc(2026, 3, 11, 10)
        retargeted = db.session.scalars(
            select(Event).where(Event.complaint_id == complaint.id, Event.action == "clock_retargeted")
        ).all()
    assert {e.detail["clock"] for e in retargeted} >= {"resolution"}


@pytest.mark.parametrize("amount", ["-5", "abc", "", "12.345"])
def test_reclassifying_with_a_bad_amount_is_refused_and_changes_nothing(app, client, auth, world, amount):
    with app.app_context():
        reference = world.file()
        before = world.complaint(reference)
        snapshot = (before.category_id, before.claimed_amount, before.version)
        due = resolution_clock(world, reference).due_at
    auth.login(world.agent.email)
    response = act(
        client, reference, "reclassify", category_id=str(world.category_ids[1]), claimed_amount=amount
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    with app.app_context():
        after = world.complaint(reference)
        assert (after.category_id, after.claimed_amount, after.version) == snapshot
        assert resolution_clock(world, reference).due_at == due
        assert not db.session.scalars(
            select(Event).where(Event.complaint_id == after.id, Event.action == "clock_retargeted")
        ).all()


# --- query plans ----------------------------------------------------------------------------


def _sent(query) -> tuple[str, object]:
    """The SQL and parameters `query` (a clock_order.KeysQuery) really runs with."""
    captured = []

    def capture(conn, cursor, sql, parameters, *args):
        captured.append((sql, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        query.rows().all()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return captured[-1]


def _plan(query) -> str:
    """SQLite's plan for `query` (a clock_order.KeysQuery), with the parameters it really runs with."""
    sql, parameters = _sent(query)
    rows = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters).all()
    return "\n".join(row[-1] for row in rows)


def test_due_order_reads_the_running_clock_indexes_not_the_complaints(app, world):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
        world.file()
        agent = world.user("agent")
        every_open = [
            _plan(due_keys_statement(agent, QueueFilter(), None, 26)),
            _plan(due_keys_statement(agent, QueueFilter(), (utc(2026, 3, 3, 2), 1), 26)),
        ]
        mine = _plan(due_keys_statement(agent, QueueFilter(queue="mine"), None, 26))
    for plan in [*every_open, mine]:
        assert "SCAN sla_clocks USING INDEX ix_sla_clocks_due_running" in plan or (
            "SEARCH sla_clocks USING INDEX ix_sla_clocks_due_running" in plan
        )
        assert "ix_sla_clocks_due_breached" in plan
        assert "SCAN complaints" not in plan
        assert "ix_complaints_state_created" not in plan
    # Every open complaint, to a viewer who sees them all: a running clock's complaint is open, so
    # the complaints are not read at all; "mine" probes each clock's complaint by primary key.
    for plan in every_open:
        assert "complaints" not in plan
    assert "SEARCH complaints USING INTEGER PRIMARY KEY" in mine


def test_pledge_views_read_only_the_clocks_they_list(app, world):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
        supervisor = world.user("supervisor")
        states = sorted(OPEN_STATES)
        at_risk = _plan(clock_keys_statement(supervisor, at_risk_clocks, states, [], None, 26))
        overdue = _plan(clock_keys_statement(supervisor, overdue_clocks, states, [], None, 26))
    assert "ix_sla_clocks_due_warned" in at_risk and "ix_sla_clocks_warn_running" in at_risk
    assert "ix_sla_clocks_due_breached" in overdue and "ix_sla_clocks_due_running" in overdue
    for plan in (at_risk, overdue):
        assert "SCAN complaints" not in plan
        assert not re.search(r"SCAN sla_clocks(?! USING)", plan)


def test_postgresql_reads_a_deep_page_inside_one_due_instant_in_order(app, world):
    """Hundreds of working-day clocks fall due at one instant (a day's end). A page that starts
    after (that instant, a clock id) must be read from the running clocks' index in (due_at, id)
    order, not found by sorting every clock of the instant: sorting is forbidden here, and the
    plan must still do without it."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the (due_at, id) index of the running clocks is PostgreSQL's (models/sla.py)")
        world.file()
        agent = world.user("agent")
        running = db.session.scalars(select(SlaClock).where(SlaClock.stopped_at.is_(None))).first()
        sql, parameters = _sent(due_keys_statement(agent, QueueFilter(), (running.due_at, running.id), 26))
        connection = db.session.connection()
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql, parameters))
        db.session.rollback()
    assert "ix_sla_clocks_due_running" in plan
    assert "Sort" not in plan.replace("Sort Key", "")
