"""Queues (filters, keyset pages) and search (Chinese words, references, hostile input)."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import event, select
from sqlalchemy.dialects import sqlite

from complaints.extensions import db
from complaints.models import WorkCalendar
from complaints.services.queues import QueueFilter, filed_keys_statement, queue_page
from complaints.services.staff_search import full_text_statement
from complaints.sla import policy
from complaints.timekeeping import now
from complaints.workflow import State
from tests.support import AuthActions, World, act


@pytest.fixture
def world(app):
    """The shared test world, built without leaving an app context pushed for the whole test:
    each request then gets its own context, so `g` (the signed-in user) and the database session
    are not shared between requests or test clients, as in production."""
    with app.app_context():
        return World.build()


REF = re.compile(r"C-\d{4}-\d{6}")


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def refs_on(response) -> list[str]:
    """The complaint references a queue page lists, in order (each row links its reference once)."""
    return re.findall(r'href="/desk/complaints/(C-\d{4}-\d{6})"', response.get_data(as_text=True))


def next_link(response) -> str | None:
    match = re.search(r'href="([^"]+)" rel="next"', response.get_data(as_text=True))
    return html.unescape(match.group(1)) if match else None


def sign_in(app, email: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    AuthActions(client).login(email)
    return client


# --- queues ---------------------------------------------------------------------------------


def test_queue_filters_narrow_the_list(app, client, auth, world):
    with app.app_context():
        quality_a = world.file()
        delivery_a = world.file(category_id=world.category_ids[1])
        quality_b = world.file(merchant_id=world.merchant_ids[1])
        verified = world.file()
    auth.login(world.agent.email)
    assert act(client, "desk", verified, "verify").status_code == 302

    everything = refs_on(client.get("/desk/"))
    assert everything == [quality_a, delivery_a, quality_b, verified]
    by_category = refs_on(client.get(f"/desk/?category_id={world.category_ids[1]}"))
    assert by_category == [delivery_a]
    by_shop = refs_on(client.get(f"/desk/?merchant_id={world.merchant_ids[1]}"))
    assert by_shop == [quality_b]
    assert refs_on(client.get("/desk/?state=verified")) == [verified]
    assert refs_on(client.get("/desk/?queue=mine")) == [verified]  # verifying took it
    assert refs_on(client.get("/desk/?queue=unassigned")) == [quality_a, delivery_a, quality_b]
    combined = refs_on(client.get(f"/desk/?state=received&merchant_id={world.merchant_ids[0]}"))
    assert combined == [quality_a, delivery_a]


def test_closed_states_have_their_own_listing(app, client, auth, world):
    with app.app_context():
        open_one = world.file()
        rejected = world.file()
    auth.login(world.agent.email)
    assert act(client, "desk", rejected, "reject", reason="重复投诉。").status_code == 302
    assert refs_on(client.get("/desk/?queue=open")) == [open_one]
    assert refs_on(client.get("/desk/?queue=open&state=rejected")) == [rejected]


def test_supervisor_filters_by_who_handles_a_complaint(app, world):
    with app.app_context():
        agents, nobodys = world.file(), world.file()
    agent = sign_in(app, world.agent.email)
    assert act(agent, "desk", agents, "claim").status_code == 302
    assert 'name="assignee_id"' not in agent.get("/desk/").get_data(as_text=True)

    supervisor = sign_in(app, world.supervisor.email)
    page = supervisor.get("/desk/")
    assert '<label for="assignee_id">Handled by</label>' in page.get_data(as_text=True)
    assert refs_on(supervisor.get(f"/desk/?assignee_id={world.agent.id}")) == [agents]
    assert refs_on(supervisor.get("/desk/?assignee_id=unassigned")) == [nobodys]


def test_queue_table_is_labelled_for_small_screens(app, client, auth, world):
    with app.app_context():
        world.file()
    auth.login(world.agent.email)
    body = client.get("/desk/").get_data(as_text=True)
    assert '<table class="stack queue">' in body
    assert '<th scope="col">Reference</th>' in body
    for label in ("Reference", "Title", "Shop", "Category", "Status", "Priority", "Handled by", "Filed"):
        assert f'data-label="{label}"' in body
    assert '<label for="state">Status</label>' in body


def test_keyset_pages_list_every_complaint_once_oldest_first(app, client, auth, world, clock):
    app.config["QUEUE_PAGE_SIZE"] = 3
    filed = []
    with app.app_context():
        for i in range(8):
            filed.append(world.file(title=f"投诉 {i}"))
            if i % 3 == 2:  # several complaints share an instant: the id breaks the tie
                clock.advance(minutes=5)
    auth.login(world.agent.email)

    seen, pages, url = [], 0, "/desk/?queue=open"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen.extend(refs_on(response))
        pages += 1
        url = next_link(response)
    assert pages == 3
    assert seen == filed


def test_malformed_cursor_shows_the_first_page(app, client, auth, world):
    app.config["QUEUE_PAGE_SIZE"] = 2
    with app.app_context():
        filed = [world.file() for _ in range(3)]
    auth.login(world.agent.email)
    for cursor in (
        "garbage",
        "_",
        "2026-13-45T99:00:00+00:00_1",
        "2026-03-02T02:00:00+00:00_-4",
        "2026-03-02T02:00:00_1",
        "2026-03-02T02:00:00+00:00_1' OR 1=1 --",
        "2026-03-02T02:00:00+00:00_" + "9" * 40,
        "x" * 5000,
    ):
        response = client.get("/desk/", query_string={"after": cursor})
        assert response.status_code == 200, cursor
        assert refs_on(response) == filed[:2]


def test_bad_filter_values_are_ignored(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    response = client.get("/desk/?queue=everything&state=lost&category_id=abc")
    assert response.status_code == 200
    assert refs_on(response) == [reference]


def test_a_shop_is_filtered_by_code_or_name_and_an_unknown_one_matches_nothing(app, client, auth, world):
    with app.app_context():
        reference = world.file()  # against SHOP-A
    auth.login(world.agent.email)
    assert refs_on(client.get("/desk/?merchant_id=shop-a")) == [reference]
    assert refs_on(client.get("/desk/?merchant_id=Green+Valley+Foods")) == []
    unknown = client.get("/desk/?merchant_id=999")
    assert unknown.status_code == 200
    assert refs_on(unknown) == []
    assert "We could not find that shop" in unknown.text


def test_complaints_without_a_running_clock_are_read_over_the_state_index(app, world):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
        statement = filed_keys_statement(world.user("agent"), QueueFilter(state=State.RECEIVED), None, 26)
        plan = _plan(statement)
    assert "ix_complaints_state_created" in plan
    assert "SCAN complaints" not in plan


# --- search ---------------------------------------------------------------------------------


@pytest.fixture
def corpus(app, world):
    """Complaints whose texts the search tests look for."""
    texts = {
        "refund": ("申请退款", "耳机坏了,我要求退款。"),
        "full_refund": ("商品破损", "包装破损,要求全额退款并道歉。"),
        "courier": ("配送问题", "快递员把包裹扔在门口,没有打电话。"),
        "english": ("Broken Charger", "The charger stopped working after two days."),
        "near_miss": ("退货问题", "退货款项迟迟未到账。"),  # 退 and 款, but never 退款 together
        "unrelated": ("颜色不符", "收到的衣服颜色和图片不一样。"),
    }
    with app.app_context():
        refs = {key: world.file(title=t, description=d) for key, (t, d) in texts.items()}
        refs["by_order"] = world.file(
            order_reference="JD-778899", title="订单问题", description="订单号见上。"
        )
    return refs


def search_refs(client, q: str) -> set[str]:
    response = client.get("/desk/search", query_string={"q": q})
    assert response.status_code == 200
    return set(refs_on(response))


def test_two_character_chinese_word_finds_every_complaint_containing_it(client, auth, world, corpus):
    auth.login(world.agent.email)
    assert search_refs(client, "退款") == {corpus["refund"], corpus["full_refund"]}


def test_word_is_found_inside_a_longer_word(client, auth, world, corpus):
    auth.login(world.agent.email)
    assert search_refs(client, "快递") == {corpus["courier"]}


def test_english_words_match_whatever_their_case(client, auth, world, corpus):
    auth.login(world.agent.email)
    assert search_refs(client, "CHARGER") == {corpus["english"]}
    assert search_refs(client, "charger") == {corpus["english"]}


def test_reference_finds_exactly_that_complaint(client, auth, world, corpus):
    auth.login(world.agent.email)
    wanted = corpus["unrelated"]
    assert search_refs(client, wanted) == {wanted}
    assert search_refs(client, wanted.lower()) == {wanted}
    assert search_refs(client, "C-2026-999999") == set()


def test_order_reference_finds_the_complaints_about_that_order(client, auth, world, corpus):
    auth.login(world.agent.email)
    assert search_refs(client, "JD-778899") == {corpus["by_order"]}


def test_results_show_a_count_and_highlight_the_words(client, auth, world, corpus):
    auth.login(world.agent.email)
    body = client.get("/desk/search", query_string={"q": "退款"}).get_data(as_text=True)
    assert "2 complaints found" in body
    assert "<mark>退款</mark>" in body


def test_empty_search_shows_only_the_form(client, auth, world, corpus):
    auth.login(world.agent.email)
    body = client.get("/desk/search").get_data(as_text=True)
    assert '<label for="q">Search complaints</label>' in body
    assert "found" not in body
    assert not REF.search(body)


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "*",
        "OR",
        "'; DROP TABLE complaints; --",
        "(",
        "退款 OR",
        "NEAR(退款",
        "a AND",
        "^",
        "-x",
        "body:退款",
    ],
)
def test_search_syntax_in_the_query_is_harmless(app, client, auth, world, corpus, q):
    auth.login(world.agent.email)
    response = client.get("/desk/search", query_string={"q": q})
    assert response.status_code == 200
    with app.app_context():
        assert world.complaint(corpus["refund"]).title == "申请退款"


def test_search_reads_the_full_text_index_not_the_complaints(app, world, corpus):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
        plan = _plan(full_text_statement(world.user("agent"), "退款"))
    assert "VIRTUAL TABLE INDEX" in plan  # complaint_fts answered the MATCH
    assert "SCAN complaints" not in plan
    assert "SEARCH complaints USING INTEGER PRIMARY KEY" in plan


def _plan(statement) -> str:
    sql = str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    rows = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
    return "\n".join(row[-1] for row in rows)


def test_a_queue_page_costs_the_same_few_queries_however_long_it_is(app, world):
    def statements_for_a_page(size: int) -> int:
        app.config["QUEUE_PAGE_SIZE"] = size
        with app.app_context():
            db.session.expire_all()
            agent = world.user("agent")
            assert agent.role  # loaded before counting
            statements = []

            def count(conn, cursor, statement, *args):
                statements.append(statement)

            event.listen(db.engine, "before_cursor_execute", count)
            try:
                page = queue_page(agent, QueueFilter(), None)
                rows = [(c.merchant.name, c.category_id, c.assignee) for c in page.complaints]
                clocks = [row.clock.kind for row in page.rows]
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            db.session.remove()
        assert len(rows) == len(clocks) == size
        return len(statements)

    with app.app_context():
        for _ in range(25):
            world.file()
    # The first page a process shows also reads the promises its clocks were made under, in one
    # statement (then kept in sla.policy's cache; the calendar was read when they were filed).
    policy.forget_cached()
    with app.app_context():  # the calendars, as the process's first filing read them
        for calendar_id in db.session.scalars(select(WorkCalendar.id)):
            policy.calendar_of(calendar_id, now())
    assert statements_for_a_page(5) == 4
    # The keys of the page, the rows with shop, category, assignee and their clocks (one
    # statement), and the pledge's fingerprint: the same for 5 rows or 20.
    assert statements_for_a_page(5) == statements_for_a_page(20) == 3
    # A page that reaches the end of the running clocks also reads the complaints without one.
    assert statements_for_a_page(25) == 4
