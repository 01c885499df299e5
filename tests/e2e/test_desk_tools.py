"""The desk's tools in a real browser: a canned reply inserted into the reply and sent, a
complaint closed as a duplicate of the one it repeats, and an evidence PDF previewed in place."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from complaints.extensions import db
from complaints.models import Message
from complaints.services.attachments import Upload
from complaints.services.canned_replies import create_canned_reply
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.steps import file_for, has_no_horizontal_scroll, open_action, sign_in, state_of, unique
from tests.files import pdf_bytes


def plant_canned_reply(live_app, world) -> str:
    title = unique("When we answer")
    with live_app.app_context():
        create_canned_reply(
            world.user("supervisor"),
            title_zh=unique("答复时限"),
            title_en=title,
            body_zh="{consumer_name}您好，投诉 {reference} 将在 {next_pledge_date} 前答复。{agent_name}",
            body_en="Dear {consumer_name}, we answer {reference} by {next_pledge_date}. {agent_name}",
        )
        db.session.commit()
        db.session.remove()
    return title


def test_an_agent_inserts_a_canned_reply_marks_a_duplicate_and_previews_a_pdf(
    page, phone_page, live_app, world
):
    title = plant_canned_reply(live_app, world)
    original = file_for(
        live_app, world, title=unique("耳机左耳没有声音"), files=[Upload("发票.pdf", pdf_bytes())]
    )
    duplicate = file_for(live_app, world, title=unique("耳机左耳没有声音（重复）"))

    sign_in(page, world.agent.email)
    page.goto(f"/desk/complaints/{duplicate}")
    reply_box = page.get_by_label("Reply to the consumer")
    reply_box.fill("Hello,")
    page.get_by_label("Canned reply").select_option(label=title)
    page.get_by_role("button", name="Insert").click()
    expect(reply_box).to_have_value(
        re.compile(rf"^Hello,\n\nDear Consumer, we answer {duplicate} by .+\. Agent$")
    )
    expect(reply_box).to_be_focused()
    assert_accessible(page, "desk complaint with a canned reply inserted")
    page.get_by_role("button", name="Send the reply").click()
    expect(page.get_by_text("Your reply was sent to the consumer.")).to_be_visible()
    with live_app.app_context():
        bodies = [
            m.body.replace("\r\n", "\n")
            for m in db.session.query(Message).filter(Message.body.like(f"%{duplicate}%"))
        ]
        db.session.remove()
    assert len(bodies) == 1 and bodies[0].startswith("Hello,\n\nDear Consumer")

    open_action(page, "Mark as a duplicate")
    page.get_by_label("Reference of the complaint it repeats").fill(original)
    page.get_by_role("button", name="Close as a duplicate").click()
    expect(page.get_by_text("The complaint is closed as a duplicate")).to_be_visible()
    expect(page.locator("dl.facts").get_by_role("link", name=original)).to_be_visible()
    assert state_of(live_app, world, duplicate) == "closed"
    assert_accessible(page, "desk complaint closed as a duplicate")

    page.goto(f"/desk/complaints/{original}")
    expect(page.locator("dl.facts").get_by_role("link", name=duplicate)).to_be_visible()
    preview = page.locator("details.pdf-preview")
    expect(preview.locator("iframe")).to_have_attribute("title", "Preview of 发票.pdf")
    preview.locator("summary").click()
    frame = preview.locator("iframe")
    expect(frame).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/inline")) as shown:
        frame.evaluate("f => { f.src = f.src; }")  # opened now: the lazy frame loads
    assert shown.value.status == 200 and shown.value.headers["content-type"] == "application/pdf"
    assert_accessible(page, "desk complaint with a PDF preview")
    screenshot(page, "desk-tools-1280")

    sign_in(phone_page, world.agent.email)
    phone_page.goto(f"/desk/complaints/{original}")
    phone_page.locator("details.pdf-preview summary").click()
    assert has_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page, "desk complaint with a PDF preview on a phone")
    screenshot(phone_page, "desk-tools-phone-zh")
