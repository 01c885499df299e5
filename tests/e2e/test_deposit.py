"""The guarantee deposit in a real browser: an agent proposes a payout from the shop's deposit for a
complaint, the consumer signs their written consent on their complaint page, a supervisor approves
and pays it; the ledger shows the payout with the consent, and the complaint's timeline each step."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect

from complaints.extensions import db
from complaints.services import deposits
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.steps import file_for, has_no_horizontal_scroll, sign_in, unique


def test_a_payout_from_the_deposit_needs_the_consumers_consent_and_a_supervisors_approval(
    page, phone_page, live_app, world
):
    shop = world.merchant_ids[0]
    reference = file_for(live_app, world, title=unique("耳机退款未到账"))
    with live_app.app_context():
        deposits.top_up(world.user("supervisor"), shop, Decimal("2000.00"), "保证金缴纳 DEP-0001")
        db.session.remove()

    # The agent proposes the payout on the shop's ledger page.
    sign_in(page, "agent@example.com")
    page.goto("/deposits/")
    page.get_by_role("link", name="优品数码旗舰店").first.click()
    page.get_by_label("Complaint reference").fill(reference)
    page.get_by_label("Amount to pay the consumer").fill("150")
    page.get_by_label("Why the shop owes it").fill("店铺承诺退款 150 元，逾期未付。")
    page.get_by_role("button", name="Ask the consumer's consent").click()
    payout = page.get_by_role("article").filter(has_text=reference)
    expect(payout).to_contain_text("Waiting for the consumer's consent")
    page.context.clear_cookies()

    # On the consumer's phone, in Chinese, the consent form fits the screen.
    sign_in(phone_page, "consumer@example.com")
    phone_page.goto(f"/portal/complaints/{reference}")
    expect(phone_page.locator("section.consent")).to_contain_text("店铺承诺退款 150 元")
    assert has_no_horizontal_scroll(phone_page)
    screenshot(phone_page, "deposit-consent-phone")
    phone_page.context.clear_cookies()

    # The consumer signs: the wrong name is refused, their own is taken.
    sign_in(page, "consumer@example.com")
    page.goto(f"/portal/complaints/{reference}")
    consent = page.get_by_role("region", name="We propose to pay you")
    expect(consent).to_contain_text("店铺承诺退款 150 元")
    assert_accessible(page, "consumer's complaint with the consent form")
    screenshot(page, "deposit-consent")
    consent.get_by_label("Your full name").fill("Somebody Else")
    consent.get_by_label("I agree that this amount is paid to me").check()
    consent.get_by_role("button", name="I consent to this payment").click()
    expect(page.get_by_role("alert")).to_contain_text("not the name of your account")
    page.get_by_label("Your full name").fill("Consumer")
    page.get_by_label("I agree that this amount is paid to me").check()
    page.get_by_role("button", name="I consent to this payment").click()
    expect(page.get_by_role("status")).to_contain_text("your consent is recorded")
    page.context.clear_cookies()

    # The supervisor approves, then pays; the ledger shows the payout and the signed consent.
    sign_in(page, "supervisor@example.com")
    page.goto("/deposits/payouts")
    payout = page.get_by_role("article").filter(has_text=reference)
    expect(payout).to_contain_text("Signed “Consumer”")
    payout.get_by_role("button", name="Approve the payout").click()
    page.get_by_role("article").filter(has_text=reference).get_by_role("button", name="Pay").click()
    expect(page.get_by_role("status")).to_contain_text("Paid")
    page.goto(f"/deposits/shops/{shop}")
    expect(page.locator(".lead")).to_contain_text("CN¥1,850.00")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Payout to a consumer")
    expect(row).to_contain_text("Consent signed “Consumer”")
    assert_accessible(page, "a shop's deposit ledger")
    screenshot(page, "deposit-ledger")

    # The complaint's timeline tells the story, to the consumer too.
    page.context.clear_cookies()
    sign_in(page, "consumer@example.com")
    page.goto(f"/portal/complaints/{reference}")
    timeline = page.get_by_role("region", name="Timeline")
    for step in (
        "Payout from the shop's guarantee deposit proposed",
        "The consumer consented to the payout",
        "Payout approved by a supervisor",
        "Paid from the shop's guarantee deposit",
    ):
        expect(timeline).to_contain_text(step)
    expect(timeline).to_contain_text("CN¥150.00")

    # On a phone, in Chinese: the ledger fits the screen.
    sign_in(phone_page, "supervisor@example.com")
    phone_page.goto(f"/deposits/shops/{shop}")
    expect(phone_page.get_by_role("row").filter(has_text=reference)).to_be_visible()
    assert has_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page, "a shop's deposit ledger on a phone")
    screenshot(phone_page, "deposit-ledger-phone")
