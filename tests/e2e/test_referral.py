"""In a real browser, a dispute from referral to payment (issue 12's "done when"): the agent refers
it, the consumer and the shop consent in their portals, the organisation accepts it and schedules
a session both parties see, the mediator records a settlement, both parties accept the agreement
and its PDF carries the Chinese terms; the shop does not pay, and the platform pays the consumer
from the shop's guarantee deposit with the consumer's written consent and a supervisor's approval."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from pypdf import PdfReader

from complaints.extensions import db
from complaints.models import Agreement
from complaints.services import deposits
from complaints.services.agreements import mark_unpaid_agreements
from complaints.workflow import Action
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.steps import file_for, has_no_horizontal_scroll, open_action, sign_in, staff_does, unique

SHANGHAI = ZoneInfo("Asia/Shanghai")
TERMS = "商家于五日内退还货款六百元，消费者退回吸尘器。"


def consent_in_portal(page, reference: str, area: str) -> None:
    page.goto(f"/{area}/complaints/{reference}")
    panel = page.get_by_role("region", name="Referral to mediation")
    expect(panel).to_contain_text("Your consent is awaited.")
    panel.get_by_role("link", name="Consent or decline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Mediation of {reference}")
    page.get_by_label("I agree that this organisation mediates between the consumer and the shop").check()
    page.get_by_role("button", name="I consent").click()


def the_deadline_passes(live_app, reference: str) -> None:
    """The day to perform by is behind us: what the scheduler's job sees the next morning."""
    with live_app.app_context():
        agreement = db.session.scalars(
            db.select(Agreement).join(Agreement.complaint).where(Agreement.complaint.has(reference=reference))
        ).one()
        agreement.perform_by = date.today() - timedelta(days=1)
        db.session.commit()
        assert mark_unpaid_agreements() == 1
        db.session.remove()


def test_a_dispute_goes_from_referral_through_consent_and_a_signed_agreement_to_payment(
    browser, live_server, page, phone_page, live_app, world
):
    shop = world.merchant_ids[0]
    reference = file_for(live_app, world, title=unique("吸尘器无法开机"))
    staff_does(live_app, world, reference, Action.VERIFY)
    with live_app.app_context():
        deposits.top_up(world.user("supervisor"), shop, Decimal("3000.00"), "保证金缴纳 DEP-0100")
        db.session.remove()

    # The agent refers it: an organisation is proposed, and the agent may choose another.
    sign_in(page, world.agent.email)
    page.goto(f"/desk/complaints/{reference}")
    open_action(page, "Refer to mediation")
    expect(page.get_by_text("Proposed:")).to_be_visible()
    page.get_by_label("Mediation organisation").select_option(value=str(world.org_id))
    page.get_by_label("Why mediation?").fill("双方对退款金额分歧较大。")
    page.locator("form:has(select[name=mediation_org_id]) button[type=submit]").click()
    expect(page.get_by_role("region", name="Referral to mediation")).to_contain_text(
        "Waiting for both parties"
    )
    page.context.clear_cookies()

    # Both parties consent in their portals; the consumer on a phone, in Chinese.
    sign_in(phone_page, world.consumer.email)
    phone_page.goto(f"/portal/complaints/{reference}/referral")
    assert has_no_horizontal_scroll(phone_page)
    screenshot(phone_page, "referral-consent-phone")
    phone_page.context.clear_cookies()
    sign_in(page, world.consumer.email)
    consent_in_portal(page, reference, "portal")
    expect(page.get_by_role("status")).to_contain_text(
        "Mediation goes ahead once the other party consents too."
    )
    assert_accessible(page, "the consumer's referral page")
    screenshot(page, "referral-consumer")
    page.context.clear_cookies()
    sign_in(page, world.merchant.email)
    consent_in_portal(page, reference, "merchant")
    expect(page.get_by_role("status")).to_contain_text("the case goes to the mediation organisation")
    page.context.clear_cookies()

    # The organisation accepts and schedules a session.
    sign_in(page, world.mediator.email)
    page.goto(f"/mediation/cases/{reference}")
    page.get_by_role("button", name="Accept and begin mediation").click()
    expect(page.get_by_role("status")).to_contain_text("mediation has begun")
    session = datetime.now(SHANGHAI).replace(second=0, microsecond=0) + timedelta(days=2)
    page.get_by_label("When is the session?").fill(session.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("How is it held?").select_option(label="Video call")
    page.get_by_role("button", name="Schedule the session").click()
    expect(page.get_by_role("region", name="Sessions scheduled")).to_contain_text("Video call")
    assert_accessible(page, "the mediator's case with a session scheduled")
    screenshot(page, "referral-mediator-session")

    # The settlement, reviewed and confirmed.
    page.get_by_label("Settled in mediation", exact=True).check()
    page.get_by_label("Agreed terms, why the parties did not settle, or who withdrew and why").fill(TERMS)
    page.get_by_label("Amount agreed (optional)").fill("600")
    page.get_by_role("group", name="Who pays (if settled)").get_by_label("The shop").check()
    page.get_by_label("To be performed by (if settled)").fill(
        (session + timedelta(days=5)).strftime("%Y-%m-%d")
    )
    page.get_by_role("button", name="Review the outcome").click()
    page.get_by_role("button", name="Confirm and close the case").click()
    expect(page.get_by_text("The outcome was recorded; the case is resolved.")).to_be_visible()
    page.context.clear_cookies()

    # The consumer sees the session in their own zone, and both accept the agreement.
    sign_in(page, world.consumer.email)
    page.goto(f"/portal/complaints/{reference}")
    expect(page.get_by_role("region", name="Referral to mediation")).to_contain_text("Video call")
    for who, area in ((world.consumer.email, "portal"), (world.merchant.email, "merchant")):
        page.context.clear_cookies()
        sign_in(page, who)
        page.goto(f"/{area}/complaints/{reference}/agreement")
        expect(page.get_by_role("region", name="Agreed terms")).to_contain_text(TERMS)
        page.get_by_label("I have read the terms and I accept this agreement").check()
        page.get_by_role("button", name="I accept this agreement").click()
    expect(page.get_by_text("the agreement is now binding")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the agreement (PDF, Chinese)").click()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(download.value.path().read_bytes())).pages)
    assert TERMS[:10] in text and reference in text
    page.context.clear_cookies()

    # The shop does not pay: the platform pays from its deposit, with consent and approval.
    the_deadline_passes(live_app, reference)
    sign_in(page, world.agent.email)
    page.goto(f"/desk/complaints/{reference}/agreement")
    page.get_by_role("link", name="Pay it from the shop's guarantee deposit").click()
    expect(page.get_by_label("Complaint reference")).to_have_value(reference)
    expect(page.get_by_label("Amount to pay the consumer")).to_have_value("600.00")
    page.get_by_role("button", name="Ask the consumer's consent").click()
    page.context.clear_cookies()
    sign_in(page, world.consumer.email)
    page.goto(f"/portal/complaints/{reference}")
    consent = page.get_by_role("region", name="We propose to pay you")
    consent.get_by_label("Your full name").fill("Consumer")
    consent.get_by_label("I agree that this amount is paid to me").check()
    consent.get_by_role("button", name="I consent to this payment").click()
    page.context.clear_cookies()
    sign_in(page, world.supervisor.email)
    page.goto("/deposits/payouts")
    page.get_by_role("article").filter(has_text=reference).get_by_role(
        "button", name="Approve the payout"
    ).click()
    page.get_by_role("article").filter(has_text=reference).get_by_role("button", name="Pay").click()
    expect(page.get_by_role("status")).to_contain_text("Paid")
    page.context.clear_cookies()

    # The consumer confirms receipt: the agreement is performed.
    sign_in(page, world.consumer.email)
    page.goto(f"/portal/complaints/{reference}/agreement")
    expect(page.get_by_role("region", name="Agreed terms")).to_contain_text(
        "Paid from the shop's guarantee deposit"
    )
    page.get_by_label("Yes, I received it").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Performed")
    assert_accessible(page, "the agreement paid from the deposit")
    screenshot(page, "referral-agreement-performed")
