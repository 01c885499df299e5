"""A consumer in a real browser: registers, files, follows, answers, withdraws, accepts or disputes."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import expect

from complaints.workflow import Action
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.steps import (
    REFERENCE,
    evidence_files,
    file_for,
    has_no_horizontal_scroll,
    sign_in,
    staff_does,
    state_of,
    unique,
)

SHOP = "优品数码旗舰店"


def register(page, name: str, email: str, password: str = "tea-garden-2026") -> None:
    page.goto("/register")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat the password").fill(password)


def resolved_complaint(live_app, world, **overrides) -> str:
    """A complaint of world.consumer that an agent verified and resolved (upheld, 150 yuan)."""
    reference = file_for(live_app, world, **overrides)
    staff_does(live_app, world, reference, Action.VERIFY)
    staff_does(
        live_app,
        world,
        reference,
        Action.RESOLVE,
        outcome="upheld",
        compensation_amount=Decimal("150.00"),
        note="The shop refunds 150 yuan.",
    )
    return reference


def test_new_consumer_registers_files_follows_answers_and_withdraws(page, live_app, world, tmp_path):
    email = f"{unique('newcomer')}@example.com"
    order = unique("ORD")
    photo, receipt = evidence_files(tmp_path)

    register(page, "Li Na", email)
    assert_accessible(page, "register")
    screenshot(page, "consumer-register")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome, Li Na. Your account is ready.")).to_be_visible()
    expect(page.get_by_text("You have not filed any complaints yet.")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="File a complaint").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("File a complaint")
    page.get_by_label("Shop").fill(SHOP)  # typed as on the order: too many shops for a list
    page.get_by_label("Order number").fill(order)
    page.get_by_label("What is the complaint about?").select_option(label="Product quality")
    page.get_by_label("Title").fill("The kettle leaks from the base")
    page.get_by_label("What happened?").fill(
        "It arrived on Monday and leaked on first use. The shop did not answer."
    )
    page.get_by_label("What would you like to happen?").select_option(label="Refund")
    page.get_by_label("Amount claimed (CNY)").fill("189.50")
    page.get_by_label("Evidence (optional)").set_input_files([photo, receipt])
    assert_accessible(page, "file form")
    screenshot(page, "consumer-file-form")
    page.get_by_role("button", name="File the complaint").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your complaint has been filed")
    reference = page.locator(".lead strong").inner_text().strip()
    assert REFERENCE.fullmatch(reference), reference
    assert_accessible(page, "confirmation")
    screenshot(page, "consumer-confirmation")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My complaints").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_contain_text("The kettle leaks from the base")
    expect(row).to_contain_text("Received")
    assert_accessible(page, "my complaints")
    screenshot(page, "consumer-my-complaints")

    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Complaint {reference}")
    timeline = page.get_by_role("region", name="Timeline", exact=True)
    expect(timeline).to_contain_text("Complaint filed")
    expect(page.locator(".pledges")).to_contain_text("We will answer you by")
    evidence = page.get_by_role("region", name="Evidence", exact=True)
    expect(evidence.get_by_role("link", name="evidence-photo.png")).to_be_visible()
    expect(evidence.get_by_role("link", name="evidence-receipt.pdf")).to_be_visible()
    assert_accessible(page, "complaint page")
    screenshot(page, "consumer-complaint")

    page.get_by_label("Your message").fill("The shop still has not answered my calls.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Your message was sent.")).to_be_visible()
    messages = page.get_by_role("region", name="Messages", exact=True)
    expect(messages).to_contain_text("The shop still has not answered my calls.")

    more = tmp_path / "more"
    more.mkdir()
    extra_photo, _receipt = evidence_files(more, stem="leak")
    page.get_by_label("Files", exact=True).set_input_files(extra_photo)
    page.get_by_role("button", name="Add the files").click()
    expect(page.get_by_text("Your evidence was added to the complaint.")).to_be_visible()
    expect(evidence.get_by_role("link", name="leak-photo.png")).to_be_visible()
    expect(timeline).to_contain_text("Evidence added")

    page.get_by_text("Withdraw this complaint").click()
    page.get_by_label("Why are you withdrawing it? (optional)").fill("The shop refunded me after all.")
    page.get_by_role("button", name="Yes, withdraw my complaint").click()
    expect(page.get_by_text("Your complaint was withdrawn.")).to_be_visible()
    expect(page.get_by_text("You withdrew this complaint.")).to_be_visible()
    expect(timeline).to_contain_text("Withdrawn by the consumer")
    expect(page.get_by_role("button", name="Yes, withdraw my complaint")).to_have_count(0)


def test_an_incomplete_filing_is_explained_beside_each_field_and_stays_accessible(page, world):
    sign_in(page, world.consumer.email)
    page.goto("/portal/complaints/new")
    page.get_by_label("Title").fill("Only a title")
    page.get_by_role("button", name="File the complaint").click()

    expect(page.get_by_role("alert")).to_contain_text("Please correct the marked fields.")
    order = page.get_by_label("Order number")
    expect(order).to_have_attribute("aria-invalid", "true")
    expect(order).to_have_accessible_description(
        re.compile("Give the order number from your order confirmation.")
    )
    expect(page.get_by_label("Shop")).to_have_accessible_description(
        re.compile("Choose the shop you bought from.")
    )
    expect(page.get_by_label("Title")).to_have_value("Only a title")  # nothing typed is lost
    assert_accessible(page, "file form with errors")
    screenshot(page, "consumer-file-form-errors")


def test_consumer_accepts_the_outcome_with_a_rating_and_sees_it_closed(page, live_app, world):
    reference = resolved_complaint(live_app, world)

    sign_in(page, world.consumer.email)
    page.goto(f"/portal/complaints/{reference}")
    expect(page.get_by_text("We have decided on your complaint.")).to_be_visible()
    details = page.locator("dl.facts")
    expect(details).to_contain_text("Upheld")
    expect(details).to_contain_text("The shop refunds 150 yuan.")
    assert_accessible(page, "resolved complaint")
    screenshot(page, "consumer-resolved")

    page.get_by_label("4 – Good").check()
    page.get_by_label("Comment (optional)").fill("Quick and fair.")
    page.get_by_role("button", name="Accept the outcome and close the complaint").click()

    expect(page.get_by_text("Thank you for your rating. Your complaint is now closed.")).to_be_visible()
    expect(page.get_by_text("This complaint is closed.")).to_be_visible()
    expect(details).to_contain_text("4 of 5")
    assert state_of(live_app, world, reference) == "closed"


def test_consumer_disputes_the_outcome_and_the_complaint_goes_to_mediation(page, live_app, world):
    reference = resolved_complaint(live_app, world)

    sign_in(page, world.consumer.email)
    page.goto(f"/portal/complaints/{reference}")
    page.get_by_label("Why do you disagree with the outcome?").fill(
        "150 yuan does not cover the price I paid."
    )
    page.get_by_label("Mediation organisation").select_option(label="上海消费纠纷调解中心")
    page.get_by_role("button", name="Ask for mediation").click()

    expect(page.get_by_text("Your complaint was referred to independent mediation.")).to_be_visible()
    expect(page.get_by_text("Your complaint is with an independent mediation organisation.")).to_be_visible()
    expect(page.get_by_role("region", name="Referral to mediation")).to_contain_text("上海消费纠纷调解中心")
    assert state_of(live_app, world, reference) == "mediated"


def test_on_a_phone_the_complaint_list_and_filing_form_fit_the_screen(phone_page, live_app, world):
    file_for(live_app, world, title="手机上看投诉列表:充电器发烫")
    sign_in(phone_page, world.consumer.email)

    phone_page.goto("/portal/complaints")
    expect(phone_page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(phone_page.get_by_role("link", name=REFERENCE).first).to_be_visible()
    screenshot(phone_page, "phone-zh-my-complaints")
    assert has_no_horizontal_scroll(phone_page), "the complaint list scrolls sideways on a phone"

    phone_page.goto("/portal/complaints/new")
    expect(phone_page.locator("input[name=merchant_id]")).to_be_visible()
    screenshot(phone_page, "phone-zh-file-form")
    assert has_no_horizontal_scroll(phone_page), "the filing form scrolls sideways on a phone"
