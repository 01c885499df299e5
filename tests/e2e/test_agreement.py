"""In a real browser: a settled mediation's agreement is accepted by the consumer and the shop, its
PDF downloads with the Chinese terms, the shop confirms the payment and the consumer the receipt."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from pypdf import PdfReader

from complaints.workflow import Action
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.steps import (
    file_for,
    has_no_horizontal_scroll,
    mediation_underway,
    sign_in,
    staff_does,
    unique,
)

TERMS = "商家于七日内退还货款八百元，消费者保留冰箱。"


def settled_in_mediation(live_app, world) -> str:
    reference = file_for(live_app, world, title=unique("冰箱运输途中损坏"))
    staff_does(live_app, world, reference, Action.VERIFY)
    staff_does(live_app, world, reference, Action.ESCALATE, mediation_org_id=world.org_id, reason="金额分歧")
    mediation_underway(live_app, world, reference)
    deadline = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=7)
    staff_does(
        live_app,
        world,
        reference,
        Action.RECORD_OUTCOME,
        who="mediator",
        outcome="settled",
        note=TERMS,
        compensation_amount="800",
        payer="shop",
        perform_by=deadline,
    )
    return reference


def accept(page, reference: str, area: str) -> None:
    page.goto(f"/{area}/complaints/{reference}")
    panel = page.get_by_role("region", name="Mediation agreement")
    expect(panel).to_contain_text("Your answer is awaited.")
    panel.get_by_role("link", name="Open the agreement").click()
    expect(page.get_by_role("region", name="Agreed terms")).to_contain_text(TERMS)
    page.get_by_label("I have read the terms and I accept this agreement").check()
    page.get_by_role("button", name="I accept this agreement").click()


def test_both_parties_accept_download_the_pdf_and_the_agreement_is_performed(
    browser, live_server, page, phone_page, live_app, world
):
    reference = settled_in_mediation(live_app, world)

    sign_in(page, world.consumer.email)
    accept(page, reference, "portal")
    expect(page.get_by_text("It binds once the other party accepts it too.")).to_be_visible()
    assert_accessible(page, "agreement page (consumer)")
    screenshot(page, "agreement-consumer-1280")

    shop = browser.new_context(base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900})
    try:
        shop_page = shop.new_page()
        sign_in(shop_page, world.merchant.email)
        accept(shop_page, reference, "merchant")
        expect(
            shop_page.get_by_text("Both parties have accepted: the agreement is now binding.")
        ).to_be_visible()
        expect(shop_page.get_by_role("heading", level=1)).to_contain_text("Binding")

        with shop_page.expect_download() as download:
            shop_page.get_by_role("link", name="Download the agreement (PDF, Chinese)").click()
        pdf = download.value.path().read_bytes()
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        assert reference in text and "商家于七日内退还货款八百元" in text and "上海消费纠纷调解中心" in text

        shop_page.get_by_label("Note (optional)").fill("已通过原支付渠道退款")
        shop_page.get_by_role("button", name="Confirm that it was paid").click()
        expect(shop_page.get_by_text("The payment was confirmed")).to_be_visible()
        assert_accessible(shop_page, "agreement page (shop, paid)")
    finally:
        shop.close()

    sign_in(phone_page, world.consumer.email)
    phone_page.goto(f"/portal/complaints/{reference}/agreement")
    expect(phone_page.get_by_role("radio").first).to_be_visible()
    assert has_no_horizontal_scroll(phone_page)
    screenshot(phone_page, "agreement-consumer-390")

    page.goto(f"/portal/complaints/{reference}/agreement")
    page.get_by_label("Yes, I received it").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Performed")
    expect(page.get_by_text("There is nothing for you to do on this agreement now.")).to_be_visible()
    assert_accessible(page, "agreement page (performed)")
