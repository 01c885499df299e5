"""The consumer sees our pledged dates: as a timeline after filing, as the next date in their list."""

from __future__ import annotations

import re

from sqlalchemy import event

from complaints.extensions import db
from complaints.workflow import Action
from tests.integration.test_consumer_journey import post_filing, staff_does


def steps_of(page: str) -> list[str]:
    timeline = page.split('class="pledge-steps"', 1)[1].split("</ol>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", li.split(">", 1)[1])).strip()
        for li in timeline.split("<li")[1:]
    ]


def test_the_confirmation_page_shows_the_pledged_dates_as_a_timeline(client, auth, world):
    auth.login(world.consumer.email)
    filed = post_filing(client, world)
    page = client.get(filed.headers["Location"]).text
    assert "Our pledged dates" in page
    received, answered, verified, resolved = steps_of(page)
    assert received.startswith("Received Mar 2, 2026, 10:00")
    assert answered.startswith("Answered by Mar 3, 2026, 10:00") and "Running" in answered
    assert verified.startswith("Verified by ") and "Running" in verified
    assert resolved.startswith("Resolved by ") and "Running" in resolved


def test_the_list_shows_the_next_pledged_date_and_a_kept_promise(app, client, auth, world, clock):
    with app.app_context():
        reference = world.file()
    clock.advance(hours=2)
    staff_does(app, world, reference, Action.VERIFY)
    auth.login(world.consumer.email)
    listing = client.get("/portal/complaints").text
    row = listing.split(reference, 1)[1].split("</tr>", 1)[0]
    assert "Resolution by" in row  # answered and verified: resolution is what we owe next
    filed = client.get(f"/portal/complaints/{reference}/filed").text
    received, answered, verified, resolved = steps_of(filed)
    assert answered.startswith("Answered on Mar 2, 2026, 12:00") and "Met" in answered
    assert verified.startswith("Verified on Mar 2, 2026, 12:00") and "Met" in verified
    assert "Running" in resolved


def test_an_overdue_pledge_shows_on_the_list(app, client, auth, world, clock):
    with app.app_context():
        reference = world.file()
    clock.advance(hours=30)
    auth.login(world.consumer.email)
    row = client.get("/portal/complaints").text.split(reference, 1)[1].split("</tr>", 1)[0]
    assert "First response by" in row and "Overdue" in row


def test_the_list_reads_the_clocks_of_a_page_in_one_query(app, client, auth, world):
    def statements_for(count: int) -> int:
        with app.app_context():
            for _ in range(count):
                world.file()
        statements = []

        def listen(conn, cursor, statement, *args):
            statements.append(statement)

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", listen)
        try:
            assert client.get("/portal/complaints").status_code == 200
        finally:
            with app.app_context():
                event.remove(db.engine, "before_cursor_execute", listen)
        return len(statements)

    auth.login(world.consumer.email)
    statements_for(1)  # the first page also reads the policies and calendars, then cached
    assert statements_for(0) == statements_for(5)  # the consumer, the page, its clocks: however long
