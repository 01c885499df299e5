"""The consumer's timeline shows the pledge clocks that moved together as one line; staff see each."""

from __future__ import annotations

import re

from flask_babel import refresh

from complaints.extensions import db
from complaints.workflow import Action
from tests.integration.test_consumer_journey import staff_does


def timeline_lines(page: str) -> list[str]:
    timeline = page.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    items = timeline.split("<li")[1:]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item.split(">", 1)[1])).strip() for item in items]


def test_the_consumer_sees_one_line_for_the_pledges_started_at_filing(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.consumer.email)
    lines = timeline_lines(client.get(f"/portal/complaints/{reference}").text)
    started = [line for line in lines if "started" in line]
    assert len(started) == 1
    assert started[0].startswith("Pledged times started: first response, verification, resolution")


def test_stopped_pledges_say_how_each_ended_in_one_line(app, client, auth, world, clock):
    with app.app_context():
        reference = world.file()
    clock.advance(hours=1)
    staff_does(app, world, reference, Action.VERIFY)
    auth.login(world.consumer.email)
    lines = timeline_lines(client.get(f"/portal/complaints/{reference}").text)
    stopped = [line for line in lines if "stopped" in line]
    assert stopped == [stopped[0]]
    assert stopped[0].startswith("Pledged times stopped: ")
    assert "first response (met)" in stopped[0] and "verification (met)" in stopped[0]


def test_staff_still_see_each_clock_event(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    page = client.get(f"/desk/complaints/{reference}").text
    lines = timeline_lines(page)
    assert len([line for line in lines if line.startswith("Pledged time started")]) == 3
    assert "Pledged times started" not in page


def test_the_chinese_timeline_lists_pledges_with_the_enumeration_comma(app, client, auth, world):
    with app.app_context():
        reference = world.file()
        world.user("consumer").locale = "zh_CN"
        db.session.commit()
    auth.login(world.consumer.email)
    refresh()  # the world fixture's app context outlives requests; Babel keeps its language there
    page = client.get(f"/portal/complaints/{reference}").text
    assert "承诺时限开始计时：首次响应、投诉核实、投诉解决" in page
