"""Staff in a real browser: an agent works a complaint from the queue to its resolution, searches
Chinese text, and a supervisor hands a complaint to another agent."""

from __future__ import annotations

from playwright.sync_api import expect

from complaints.workflow import Action
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.steps import file_for, open_action, sign_in, staff_does, state_of, unique


def test_agent_claims_answers_verifies_and_resolves_a_complaint_from_the_queue(page, live_app, world):
    title = unique("扫地机器人无法充电")
    reference = file_for(live_app, world, title=title)

    sign_in(page, world.agent.email)
    page.get_by_role("navigation", name="Queues").get_by_role("link", name="Unassigned").click()
    expect(page.get_by_role("link", name="Unassigned")).to_have_attribute("aria-current", "page")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_contain_text(title)
    expect(row).to_contain_text("Nobody yet")
    assert_accessible(page, "desk queue")
    screenshot(page, "agent-queue")

    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Complaint {reference}")
    page.get_by_role("button", name="Take it").click()
    expect(page.get_by_text("You now handle this complaint.")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Handled by")

    page.get_by_label("Reply to the consumer").fill("您好,我们已联系商家,请耐心等待。")
    page.get_by_role("button", name="Send the reply").click()
    expect(page.get_by_text("Your reply was sent to the consumer.")).to_be_visible()

    open_action(page, "Internal note")
    page.get_by_label("Internal note", exact=True).fill("商家本月第二次被投诉")
    page.get_by_role("button", name="Save the note").click()
    expect(page.get_by_text("Your internal note was saved.")).to_be_visible()
    messages = page.get_by_role("region", name="Messages and internal notes", exact=True)
    expect(messages).to_contain_text("您好,我们已联系商家,请耐心等待。")
    expect(messages.locator(".message.internal")).to_have_text("商家本月第二次被投诉")

    open_action(page, "Verify")
    page.get_by_role("button", name="Verify the complaint").click()
    expect(page.get_by_text("The complaint is verified.")).to_be_visible()
    assert_accessible(page, "desk complaint")
    screenshot(page, "agent-complaint")

    open_action(page, "Resolve")
    page.get_by_label("Outcome").select_option(label="Partly upheld")
    page.get_by_label("Compensation (optional)").fill("120.00")
    page.get_by_label("What was decided").fill("商家退还120元。")
    page.get_by_role("button", name="Resolve the complaint").click()
    expect(page.get_by_text("The complaint is resolved.")).to_be_visible()
    details = page.locator("dl.facts")
    expect(details).to_contain_text("Partly upheld")
    expect(details).to_contain_text("120.00")
    assert state_of(live_app, world, reference) == "resolved"


def test_agent_finds_complaints_by_a_chinese_word_with_it_highlighted(page, live_app, world):
    word = "退款"
    reference = file_for(
        live_app, world, title="空调安装后漏水,要求退款", description="师傅安装后第二天就漏水,商家拒绝退款。"
    )

    sign_in(page, world.agent.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_label("Search complaints").fill(word)
    page.get_by_label("Search complaints").press("Enter")

    expect(page.get_by_role("heading", name="complaints found")).to_be_visible()
    hit = page.locator(".search-results li").filter(has=page.get_by_role("link", name=reference))
    expect(hit.locator("mark").first).to_have_text(word)
    expect(hit).to_contain_text("空调安装后漏水")
    assert_accessible(page, "desk search")
    screenshot(page, "agent-search")


def test_supervisor_reassigns_a_claimed_complaint_to_another_agent(page, live_app, world):
    reference = file_for(live_app, world, title=unique("快递丢件"))
    staff_does(live_app, world, reference, Action.CLAIM, who="agent")

    sign_in(page, world.supervisor.email)
    page.goto(f"/desk/complaints/{reference}")
    handler = page.locator("dl.facts dt:text-is('Handled by') + dd")
    expect(handler).to_have_text("Agent")
    open_action(page, "Assign")
    page.get_by_label("Assign to").select_option(label="Agent2")
    page.get_by_label("Why hand it over?").fill("Agent is on leave this week")
    page.get_by_role("button", name="Assign", exact=True).click()

    expect(page.get_by_text("The complaint is assigned.")).to_be_visible()
    expect(handler).to_have_text("Agent2")
    expect(page.get_by_role("region", name="Timeline", exact=True)).to_contain_text("Assigned")
    screenshot(page, "supervisor-reassigned")
