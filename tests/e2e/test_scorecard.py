"""The public pledge scorecard in a real browser: a visitor who never signed in follows "Our pledge"
from the navigation to the pledge and its figures, charts drawn without script, readable (axe) in
English on a desktop and in Chinese on a 390 px phone, which does not scroll sideways."""

from __future__ import annotations

from playwright.sync_api import expect

from complaints.extensions import db
from complaints.services import scorecard
from complaints.workflow import Action
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.steps import file_for, has_no_horizontal_scroll, unique
from tests.support import act_as


def test_a_visitor_reads_the_pledge_and_how_it_was_kept_in_both_languages(page, phone_page, live_app, world):
    answered = file_for(live_app, world, title=unique("耳机左耳没有声音"))
    file_for(live_app, world, title=unique("快递延误一周仍未送达"))
    with live_app.app_context():
        act_as(world, answered, "agent", Action.REPLY, body="您好，我们正在核实。")
        act_as(world, answered, "agent", Action.VERIFY)
        scorecard.forget_computed()
        db.session.remove()

    page.goto("/login")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Our pledge").click()
    page.wait_for_load_state()
    assert page.url.endswith("/pledge")
    expect(page.get_by_role("heading", level=1)).to_have_text("Our service pledge and how we kept it")
    achieved = page.locator("section[aria-labelledby=achieved-heading] table")
    first_response = achieved.locator("tr", has=page.get_by_role("rowheader", name="First responses in time"))
    expect(first_response).to_contain_text("24 hours")
    expect(first_response).to_contain_text("1 of 1 window kept")
    expect(page.locator("figure.chart svg[role=img]")).to_have_count(9)
    expect(page.get_by_role("heading", name="How we count")).to_be_visible()
    assert page.locator("script").count() == 0
    assert_accessible(page, "pledge scorecard")
    screenshot(page, "pledge-scorecard-1280")

    phone_page.goto("/pledge")
    expect(phone_page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(phone_page.locator("figure.chart svg[role=img]")).to_have_count(9)
    assert has_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page, "pledge scorecard on a phone, in Chinese")
    screenshot(phone_page, "pledge-scorecard-phone-zh")
