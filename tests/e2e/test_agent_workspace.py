"""The agent's complaint page in a real browser: a refused action is explained in the first screen,
with what was typed kept; an action that would be refused is not offered; on a phone in Chinese."""

from __future__ import annotations

from playwright.sync_api import expect

from complaints.workflow import Action
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.steps import file_for, has_no_horizontal_scroll, open_action, sign_in, staff_does, unique


def test_a_refused_resolution_is_explained_at_the_top_and_keeps_what_was_typed(page, live_app, world):
    reference = file_for(live_app, world, title=unique("空气炸锅外壳开裂"))
    staff_does(live_app, world, reference, Action.VERIFY)

    sign_in(page, world.agent.email)
    page.goto(f"/desk/complaints/{reference}")
    expect(page.get_by_role("heading", name="Write")).to_be_visible()
    assert_accessible(page, "desk complaint")
    open_action(page, "Resolve")
    page.get_by_label("Outcome").select_option(label="Partly upheld")
    page.get_by_label("Compensation (optional)").fill("一百二十")
    page.get_by_label("What was decided").fill("商家退还部分货款。")
    page.get_by_role("button", name="Resolve the complaint").click()

    problem = page.locator("#problem")
    expect(problem).to_contain_text("Compensation (optional)")
    box = problem.bounding_box()
    assert box is not None and box["y"] < page.viewport_size["height"], "the message is in the first screen"
    expect(page.get_by_label("What was decided")).to_have_value("商家退还部分货款。")
    problem.get_by_role("link", name="Compensation (optional)").click()
    expect(page.get_by_label("Compensation (optional)")).to_be_focused()
    assert_accessible(page, "desk complaint, refused")
    screenshot(page, "desk-refused-action")


def test_another_agents_complaint_offers_no_take_button(page, live_app, world):
    reference = file_for(live_app, world, title=unique("洗衣机漏水"))
    staff_does(live_app, world, reference, Action.CLAIM, who="agent2")
    sign_in(page, world.agent.email)
    page.goto(f"/desk/complaints/{reference}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Complaint {reference}")
    expect(page.get_by_role("button", name="Take it")).to_have_count(0)


def test_the_desk_page_on_a_phone_in_chinese(phone_page, live_app, world):
    reference = file_for(live_app, world, title=unique("电饭煲内胆掉漆"))
    sign_in(phone_page, world.agent.email)
    phone_page.goto(f"/desk/complaints/{reference}")
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text(reference)
    assert has_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page, "desk complaint on a phone")
    screenshot(phone_page, "desk-complaint-phone-zh")


def test_the_queue_is_dense_on_a_desktop_and_two_lines_a_row_on_a_phone(page, phone_page, live_app, world):
    for title in ("蓝牙耳机左耳没有声音，客服一直不回复", "The air fryer arrived with a cracked basket"):
        file_for(live_app, world, title=unique(title))
    sign_in(page, world.agent.email)
    page.goto("/desk/?queue=open")
    references = page.locator("table.queue td.ref a")
    assert references.count() >= 2
    for cell in references.all()[:5]:
        box = cell.bounding_box()
        assert box is not None and box["height"] < 30, "a reference stays on one line at 1280 px"
    screenshot(page, "desk-queue-1280")

    sign_in(phone_page, world.agent.email)
    phone_page.goto("/desk/?queue=open")
    expect(phone_page.locator("details.filters-card")).not_to_have_attribute("open", "")
    assert has_no_horizontal_scroll(phone_page)
    rows = phone_page.locator("table.queue tbody tr")
    for row in rows.all()[:5]:
        box = row.bounding_box()
        assert box is not None and box["height"] <= 120, f"a phone row is {box and box['height']} px tall"
    assert_accessible(phone_page, "desk queue on a phone")
    screenshot(phone_page, "desk-queue-phone-zh")
