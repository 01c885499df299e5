"""The shop in a real browser: an admin invites a member of its staff, who opens their account from
the link, sees the complaint waiting for the shop's reply, answers with evidence and offers a
settlement; the consumer accepts it and the complaint is resolved on the shop's terms."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from complaints.workflow import Action
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.steps import (
    evidence_files,
    file_for,
    has_no_horizontal_scroll,
    sign_in,
    staff_does,
    state_of,
    unique,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "shop-staff-password-2026"


def test_a_shop_answers_and_settles_and_the_consumer_accepts(
    browser, live_server, page, phone_page, live_app, world, tmp_path
):
    title = unique("蓝牙耳机左耳无声")
    reference = file_for(live_app, world, title=title)
    staff_does(
        live_app, world, reference, Action.REQUEST_INFO, party="merchant", body="请提供发货记录和质检报告。"
    )

    # The admin invites a member of the shop's staff; the link is shown once.
    sign_in(page, "admin@example.com")
    page.goto("/admin/merchants")
    shop_row = page.get_by_role("row").filter(has_text=world_shop_name(live_app, world))
    shop_row.get_by_role("link", name="Invite by e-mail").click()
    email = f"{unique('staff')}@shop.example"
    page.get_by_label("Name").fill("王店长")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Create the invitation").click()
    link = page.locator("code.invitation-link").inner_text()
    page.context.clear_cookies()

    # The invitee opens their account from the link and lands on the shop's complaints.
    page.goto(link)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Open my account").click()
    expect(page).to_have_url(f"{live_server}/merchant/")
    waiting = page.get_by_role("region", name="Waiting for your reply")
    expect(waiting).to_contain_text(reference)
    assert_accessible(page, "merchant complaints")
    screenshot(page, "merchant-complaints")

    # The question, then the answer with evidence: the shop's reply window is met.
    waiting.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Complaint {reference}")
    expect(page.get_by_role("region", name="The platform's questions to you")).to_contain_text(
        "请提供发货记录"
    )
    assert_accessible(page, "merchant complaint")
    photo, receipt = evidence_files(tmp_path, "shipping")
    page.get_by_label("Your answer to the platform").fill(
        "三月一日已发货，顺丰单号SF1234567890，附质检报告。"
    )
    page.get_by_label("Evidence (optional)", exact=False).set_input_files([str(photo), str(receipt)])
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("Your answer was sent to the platform.")).to_be_visible()
    expect(page.get_by_role("region", name="Your reply window")).to_contain_text("Met")

    # A bad offer keeps what was typed and says why; a good one goes to the consumer.
    page.get_by_label("Refund").check()
    page.get_by_label("Amount in yuan").fill("abc")
    page.get_by_label("What exactly will you do?").fill("全额退款至原支付账户，无需退回商品。")
    by = (datetime.now(SHANGHAI) + timedelta(days=3)).date().isoformat()
    page.get_by_label("Done by").fill(by)
    page.get_by_role("button", name="Send the offer to the consumer").click()
    expect(page.get_by_text("Enter an amount of money", exact=False)).to_be_visible()
    expect(page.get_by_label("What exactly will you do?")).to_have_value(
        "全额退款至原支付账户，无需退回商品。"
    )
    page.get_by_label("Amount in yuan").fill("299.00")
    page.get_by_role("button", name="Send the offer to the consumer").click()
    expect(page.get_by_text("Your offer was sent to the consumer", exact=False)).to_be_visible()
    screenshot(page, "merchant-complaint")

    # The consumer sees the offer on their page, on a phone, in Chinese, and accepts it.
    sign_in(phone_page, world.consumer.email)
    phone_page.goto(f"/portal/complaints/{reference}")
    expect(phone_page.get_by_text("全额退款至原支付账户，无需退回商品。").first).to_be_visible()
    assert has_no_horizontal_scroll(phone_page)
    screenshot(phone_page, "consumer-offer-phone-zh")
    phone_page.locator("form[action$='/accept_offer'] button[type=submit]").click()
    phone_page.wait_for_load_state()
    assert state_of(live_app, world, reference) == "resolved"
    screenshot(phone_page, "consumer-offer-accepted-phone-zh")


def world_shop_name(live_app, world) -> str:
    from complaints.extensions import db
    from complaints.models import Merchant

    with live_app.app_context():
        name = db.session.get(Merchant, world.merchant_ids[0]).name
        db.session.remove()
    return name
