"""The consumer's filing form in a real browser: the shop suggests itself, chosen files survive a refusal."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.steps import evidence_files, file_for, has_no_horizontal_scroll, sign_in, unique


def test_typing_part_of_a_shops_name_suggests_it_and_a_refused_filing_keeps_the_file(page, world, tmp_path):
    photo, _receipt = evidence_files(tmp_path, stem="kettle")
    sign_in(page, world.consumer.email)
    page.goto("/portal/complaints/new")

    shop = page.get_by_role("combobox", name="Shop")
    shop.press_sequentially("优品", delay=50)
    suggestions = page.get_by_role("listbox", name="Suggestions")
    option = suggestions.get_by_role("option", name="优品数码旗舰店 (SHOP-A)")
    expect(option).to_be_visible()
    expect(shop).to_have_attribute("aria-expanded", "true")
    assert_accessible(page, "shop suggestions")
    screenshot(page, "consumer-shop-suggestions")
    shop.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(shop).to_have_attribute("aria-activedescendant", "shop-option-0")
    shop.press("Enter")  # chooses the suggestion; does not submit the form
    expect(shop).to_have_value("优品数码旗舰店 (SHOP-A)")
    expect(shop).to_have_attribute("aria-expanded", "false")
    expect(suggestions).to_be_hidden()

    page.get_by_label("Order number").fill(unique("ORD"))
    page.get_by_label("What is the complaint about?").select_option(label="Product quality")
    page.get_by_label("What happened?").fill("The kettle leaks from the base after one use.")
    page.get_by_label("What would you like to happen?").select_option(label="Refund")
    page.get_by_label("Amount claimed (CNY)").fill("89.00")
    page.get_by_label("Evidence (optional)").set_input_files(photo)
    page.get_by_role("button", name="File the complaint").click()  # no title yet: refused

    expect(page.get_by_text("Give your complaint a short title.")).to_be_visible()
    expect(page.get_by_text("Kept: kettle-photo.png")).to_be_visible()
    expect(page.get_by_role("combobox", name="Shop")).to_have_value("优品数码旗舰店 (SHOP-A)")
    assert_accessible(page, "refused filing with a kept file")
    page.get_by_label("Title").fill("The kettle leaks")
    page.get_by_role("button", name="File the complaint").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your complaint has been filed")
    page.get_by_role("link", name="Follow your complaint").click()
    expect(page.get_by_text("优品数码旗舰店").first).to_be_visible()
    evidence = page.get_by_role("region", name="Evidence", exact=True)
    expect(evidence.get_by_role("link", name="kettle-photo.png")).to_be_visible()


def test_the_filing_form_with_suggestions_fits_a_phone(phone_page, world):
    sign_in(phone_page, world.consumer.email)
    phone_page.goto("/portal/complaints/new")
    phone_page.locator("input[name=merchant_id]").press_sequentially("优品", delay=50)
    expect(phone_page.get_by_role("option", name="优品数码旗舰店 (SHOP-A)")).to_be_visible()
    assert has_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page, "shop suggestions on a phone")


def test_the_pledged_dates_fit_a_phone_on_the_confirmation_and_the_list(phone_page, live_app, world):
    reference = file_for(live_app, world)
    sign_in(phone_page, world.consumer.email)
    phone_page.goto(f"/portal/complaints/{reference}/filed")
    steps = phone_page.get_by_role("list", name="我们承诺的日期")
    expect(steps.get_by_role("listitem")).to_have_count(4)
    assert has_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page, "pledged dates on a phone")
    screenshot(phone_page, "consumer-pledged-dates-phone")
    phone_page.goto("/portal/complaints")
    row = phone_page.get_by_role("row").filter(has=phone_page.get_by_role("link", name=reference))
    expect(row).to_contain_text("首次响应")
    assert has_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page, "my complaints on a phone")
