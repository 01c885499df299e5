"""A mediator in a real browser sees the deadline and the referral reason, records a session and a
settlement (confirmed after a look back), and the consumer then sees it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from complaints.workflow import Action
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.steps import file_for, mediation_underway, sign_in, staff_does, state_of, unique

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the zone the mediator's form reads times in (the default)


def referred_to_mediation(live_app, world, title: str) -> str:
    """A complaint of world.consumer that an agent verified and referred to world.org_id."""
    reference = file_for(live_app, world, title=title)
    staff_does(live_app, world, reference, Action.VERIFY)
    staff_does(
        live_app,
        world,
        reference,
        Action.ESCALATE,
        mediation_org_id=world.org_id,
        reason="商家与消费者对赔偿金额分歧较大",
    )
    mediation_underway(live_app, world, reference)
    return reference


def test_mediator_records_a_session_and_a_settlement_that_the_consumer_then_sees(
    browser, live_server, page, live_app, world
):
    title = unique("冰箱运输途中损坏")
    reference = referred_to_mediation(live_app, world, title)
    held = datetime.now(SHANGHAI) - timedelta(hours=3)

    sign_in(page, world.mediator.email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("上海消费纠纷调解中心")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_contain_text(title)
    expect(row).to_contain_text("In mediation")
    expect(row).to_contain_text("of working time left")  # the case's mediation deadline
    assert_accessible(page, "mediation cases")
    screenshot(page, "mediator-cases")

    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {reference}")
    brief = page.get_by_role("region", name="Mediation deadline and reason")
    expect(brief).to_contain_text("Mediation should conclude by")
    expect(brief).to_contain_text("of working time left")
    expect(brief).to_contain_text("商家与消费者对赔偿金额分歧较大")
    assert_accessible(page, "mediation case")

    page.get_by_label("When was the session held?").fill(held.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("How was it held?").select_option(label="Video call")
    page.get_by_label("Session notes").fill("双方同意由商家赔偿800元,消费者保留冰箱。")
    page.get_by_role("button", name="Record the session").click()
    expect(page.get_by_text("The session was recorded.")).to_be_visible()
    sessions = page.get_by_role("region", name="Mediation sessions", exact=True)
    expect(sessions).to_contain_text("Video call")
    expect(sessions).to_contain_text(held.strftime("%-I:%M"))  # read and shown in Shanghai time
    expect(sessions).to_contain_text("双方同意由商家赔偿800元")

    page.get_by_label("Settled in mediation", exact=True).check()
    page.get_by_label("Agreed terms, why the parties did not settle, or who withdrew and why").fill(
        "商家七日内退还800元。"
    )
    page.get_by_label("Amount agreed (optional)").fill("800")
    page.get_by_role("group", name="Who pays (if settled)").get_by_label("The shop").check()
    page.get_by_label("To be performed by (if settled)").fill(
        (held + timedelta(days=14)).strftime("%Y-%m-%d")
    )
    assert_accessible(page, "mediation case with a session")
    screenshot(page, "mediator-case")
    page.get_by_role("button", name="Review the outcome").click()

    # The outcome ends the case: it is shown once more, and "go back" keeps what was typed.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Confirm the outcome of case {reference}")
    summary = page.locator("dl.facts").first
    expect(summary).to_contain_text("Settled in mediation")
    expect(summary).to_contain_text("800.00")
    expect(summary).to_contain_text("商家七日内退还800元。")
    assert_accessible(page, "mediation outcome confirmation")
    screenshot(page, "mediator-confirm-outcome")
    page.get_by_role("button", name="Go back and change").click()
    expect(
        page.get_by_label("Agreed terms, why the parties did not settle, or who withdrew and why")
    ).to_have_value("商家七日内退还800元。")
    expect(page.get_by_label("Amount agreed (optional)")).to_have_value("800")
    expect(page.get_by_label("Settled in mediation", exact=True)).to_be_checked()
    assert state_of(live_app, world, reference) == "mediated"

    page.get_by_role("button", name="Review the outcome").click()
    page.get_by_role("button", name="Confirm and close the case").click()
    expect(page.get_by_text("The outcome was recorded; the case is resolved.")).to_be_visible()
    assert state_of(live_app, world, reference) == "resolved"

    consumer = browser.new_context(base_url=live_server, locale="en-US")
    try:
        consumer_page = consumer.new_page()
        sign_in(consumer_page, world.consumer.email)
        consumer_page.goto(f"/portal/complaints/{reference}")
        details = consumer_page.locator("dl.facts").filter(has_text=reference)
        expect(details).to_contain_text("Settled in mediation")
        expect(details).to_contain_text("商家七日内退还800元。")
        expect(details).to_contain_text("800.00")
        expect(consumer_page.get_by_role("region", name="Timeline", exact=True)).to_contain_text(
            "Mediation outcome recorded"
        )
        expect(
            consumer_page.get_by_role("button", name="Accept the outcome and close the complaint")
        ).to_be_visible()
        assert_accessible(consumer_page, "consumer's page after mediation")
        screenshot(consumer_page, "consumer-mediation-outcome")
    finally:
        consumer.close()
