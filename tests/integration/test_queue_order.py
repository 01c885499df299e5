"""The queue by age and by priority: keyset pages list every complaint of the queue exactly once,
in the order asked for, on SQLite and (make test-postgres) PostgreSQL; the page offers the order
as column headings (aria-sort) and in the filter, keeps it across pages and queues, and reads any
bad value as the default."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import update

from complaints.extensions import db
from complaints.models import Complaint, Priority
from complaints.services import queue_order
from complaints.services.queues import MINE, OPEN, UNASSIGNED, QueueFilter
from complaints.workflow import Action, State
from tests.support import World, act_as

RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}


@pytest.fixture
def world(app):
    with app.app_context():
        return World.build()


@pytest.fixture
def filed(app, world, clock):
    """Seventeen complaints filed over a few hours (several at one instant: the id breaks the tie),
    of every priority, two shops and two categories; some taken by the agent, some verified, one
    rejected (closed to the open queue), one in mediation."""
    with app.app_context():
        references = []
        for i in range(17):
            references.append(
                world.file(
                    title=f"投诉 {i}",
                    merchant_id=world.merchant_ids[i % 2],
                    category_id=world.category_ids[(i // 2) % 2],
                )
            )
            if i % 3 == 0:
                clock.advance(minutes=7)
        priorities = [Priority.URGENT, Priority.NORMAL, Priority.HIGH, Priority.NORMAL, Priority.URGENT]
        for i, reference in enumerate(references):
            db.session.execute(
                update(Complaint)
                .where(Complaint.reference == reference)
                .values(priority=priorities[i % len(priorities)])
            )
        db.session.commit()
        for reference in references[1:12:2]:
            act_as(world, reference, "agent", Action.VERIFY)  # verifying takes it
        act_as(world, references[2], "agent", Action.REJECT, reason="不属于平台受理范围")
        act_as(world, references[3], "agent", Action.ESCALATE, mediation_org_id=world.org_id)
    return references


def _expected(world, filters: QueueFilter, sort: str) -> list[int]:
    """The queue's complaints in `sort` order, worked out in Python from every complaint."""
    agent = world.user("agent")
    rows = db.session.query(Complaint).all()
    states = {filters.state} if filters.state else {State.RECEIVED, State.VERIFIED, State.MEDIATED}

    def listed(c: Complaint) -> bool:
        if c.state not in states:
            return False
        if filters.queue == UNASSIGNED and c.assignee_id is not None:
            return False
        if filters.queue == MINE and c.assignee_id != agent.id:
            return False
        if filters.assignee is not None and c.assignee_id != filters.assignee:
            return False
        if filters.category_id is not None and c.category_id != filters.category_id:
            return False
        return filters.merchant_id is None or c.merchant_id == filters.merchant_id

    chosen = [c for c in rows if listed(c)]
    if sort == queue_order.BY_PRIORITY:
        chosen.sort(key=lambda c: (RANK[c.priority], c.created_at, c.id))
    else:
        chosen.sort(key=lambda c: (c.created_at, c.id), reverse=sort == queue_order.NEWEST)
    return [c.id for c in chosen]


def _pages(world, filters: QueueFilter, sort: str) -> tuple[list[int], int]:
    agent = world.user("agent")
    seen, pages, cursor = [], 0, None
    while True:
        page = queue_order.sorted_queue_page(agent, filters, sort, cursor)
        seen.extend(c.id for c in page.complaints)
        pages += 1
        assert pages < 50, "the pages do not end"
        if page.next_cursor is None:
            return seen, pages
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", [queue_order.OLDEST, queue_order.NEWEST, queue_order.BY_PRIORITY])
def test_pages_list_every_complaint_of_the_queue_once_in_the_order_asked(app, world, filed, sort):
    app.config["QUEUE_PAGE_SIZE"] = 3
    with app.app_context():
        queues = [
            QueueFilter(),
            QueueFilter(queue=UNASSIGNED),
            QueueFilter(queue=MINE),
            QueueFilter(category_id=world.category_ids[1]),
            QueueFilter(merchant_id=world.merchant_ids[0]),
            QueueFilter(state=State.VERIFIED),
            QueueFilter(assignee=world.agent.id),
            QueueFilter(queue=UNASSIGNED, category_id=world.category_ids[0]),
        ]
        for filters in queues:
            expected = _expected(world, filters, sort)
            assert expected, filters  # every case lists something
            seen, pages = _pages(world, filters, sort)
            assert seen == expected, (filters, sort)
            assert pages in (-(-len(expected) // 3), len(expected) // 3 + 1), filters


def test_the_open_queue_by_priority_lists_urgent_then_high_then_normal(app, world, filed):
    app.config["QUEUE_PAGE_SIZE"] = 4
    with app.app_context():
        seen, _ = _pages(world, QueueFilter(queue=OPEN), queue_order.BY_PRIORITY)
        priorities = [db.session.get(Complaint, i).priority for i in seen]
        assert priorities == sorted(priorities, key=RANK.get)
        assert priorities[0] is Priority.URGENT and priorities[-1] is Priority.NORMAL
        assert Priority.HIGH in priorities


def test_a_closed_state_by_priority_is_listed_by_age(app, world, filed):
    with app.app_context():
        rejected = QueueFilter(state=State.REJECTED)
        assert queue_order.effective_sort(rejected, queue_order.BY_PRIORITY) == queue_order.OLDEST
        seen, _ = _pages(world, rejected, queue_order.BY_PRIORITY)
        assert seen == _expected(world, rejected, queue_order.OLDEST)
        assert queue_order.effective_sort(QueueFilter(), "sideways") == queue_order.BY_DUE


def test_a_cursor_of_another_order_or_a_bad_one_gives_the_first_page(app, world, filed):
    app.config["QUEUE_PAGE_SIZE"] = 3
    with app.app_context():
        agent = world.user("agent")
        first = queue_order.sorted_queue_page(agent, QueueFilter(), queue_order.BY_PRIORITY)
        oldest_first = queue_order.sorted_queue_page(agent, QueueFilter(), queue_order.OLDEST)
        for cursor in (
            oldest_first.next_cursor,  # "oldest:..." is not a priority cursor
            "urgent:garbage",
            "lowest:2026-03-02T02:00:00+00:00_1",
            "urgent:2026-03-02T02:00:00+00:00_" + "9" * 40,
            "x" * 3000,
        ):
            page = queue_order.sorted_queue_page(agent, QueueFilter(), queue_order.BY_PRIORITY, cursor)
            assert [c.id for c in page.complaints] == [c.id for c in first.complaints], cursor


# --- the page -------------------------------------------------------------------------------


def _refs(response) -> list[str]:
    return re.findall(r'href="/desk/complaints/(C-\d{4}-\d{6})"', response.get_data(as_text=True))


def _next(response) -> str | None:
    match = re.search(r'href="([^"]+)" rel="next"', response.get_data(as_text=True))
    return html.unescape(match.group(1)) if match else None


def test_the_queue_page_orders_by_priority_and_keeps_the_order_across_pages(app, client, auth, world, filed):
    app.config["QUEUE_PAGE_SIZE"] = 4
    auth.login(world.agent.email)
    url, seen = "/desk/?queue=open&sort=priority", []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += _refs(response)
        url = _next(response)
        assert url is None or "sort=priority" in url
    with app.app_context():
        expected = _expected(world, QueueFilter(), queue_order.BY_PRIORITY)
        assert seen == [db.session.get(Complaint, i).reference for i in expected]
    body = client.get("/desk/?queue=open&sort=priority").get_data(as_text=True)
    assert 'aria-sort="descending"><a href="/desk/?queue=open&amp;sort=priority">Priority</a>' in body
    assert body.count("aria-sort=") == 1
    assert '<option selected value="priority">Most urgent first</option>' in body
    # another queue keeps the order; the filed date's heading turns it to oldest first
    assert 'href="/desk/?queue=mine&amp;sort=priority"' in body
    assert '<a href="/desk/?queue=open&amp;sort=oldest">Filed</a>' in body


def test_the_filed_heading_turns_oldest_first_into_newest_first(client, auth, world, filed):
    auth.login(world.agent.email)
    oldest = client.get("/desk/?sort=oldest").get_data(as_text=True)
    assert '<th scope="col" aria-sort="ascending"><a href="/desk/?sort=newest">Filed</a></th>' in oldest
    newest = client.get("/desk/?sort=newest")
    assert 'aria-sort="descending"><a href="/desk/?sort=oldest">Filed</a>' in newest.get_data(as_text=True)
    assert _refs(newest) == list(reversed(_refs(client.get("/desk/?sort=oldest"))))[: len(_refs(newest))]


@pytest.mark.parametrize("sort", ["", "sideways", "priority'--", "x" * 3000, "PRIORITY"])
def test_a_bad_order_is_the_default_order(client, auth, world, filed, sort):
    auth.login(world.agent.email)
    response = client.get("/desk/", query_string={"sort": sort, "after": "urgent:nonsense"})
    assert response.status_code == 200
    assert _refs(response) == _refs(client.get("/desk/"))
    assert 'aria-sort="ascending"><a href="/desk/?sort=due">Pledge</a>' in response.get_data(as_text=True)
