"""Someone who uses only the keyboard can skip the navigation, sign in and file a complaint."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect

from complaints.extensions import db
from complaints.models import Category, Complaint, Merchant
from tests.e2e.steps import REFERENCE, unique
from tests.support import PASSWORD

FOCUSED = "(() => { const e = document.activeElement; return e.id || e.name || e.className || e.tagName; })()"


def tab_to(page, expected: str) -> None:
    """Press Tab once; the next focus stop is the element with id (or name) `expected`."""
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == expected


def skip_to_main(page) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')"), (
        "the skip link is not the first Tab stop"
    )
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_main_content(page):
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to content")
    expect(skip).to_be_in_viewport()  # shown while focused, hidden otherwise
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    tab_to(page, "email")  # the next stop is the page's first field, not the navigation


def test_a_keyboard_user_signs_in_and_files_a_complaint_without_the_mouse(page, live_app, world):
    order = unique("ORD-KEY")
    page.goto("/login")
    skip_to_main(page)
    tab_to(page, "email")
    page.keyboard.type(world.consumer.email)
    tab_to(page, "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/portal/complaints*")  # the skip link's #main survives the redirect

    page.goto("/portal/complaints/new")
    skip_to_main(page)
    tab_to(page, "merchant_id")
    page.keyboard.type("SHOP-B")  # the shop code from the order (Green Valley Foods)
    tab_to(page, "order_reference")
    page.keyboard.type(order)
    tab_to(page, "category_id")
    page.keyboard.type("Deliv")
    tab_to(page, "title")
    page.keyboard.type("The parcel never arrived")
    tab_to(page, "description")
    page.keyboard.type("Tracking says delivered on 3 March, but nothing came.")
    tab_to(page, "desired_outcome")
    page.keyboard.type("Refund")
    tab_to(page, "claimed_amount")
    page.keyboard.type("88.80")
    tab_to(page, "evidence")  # choosing files opens the system dialog: left empty here
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("File the complaint")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your complaint has been filed")
    reference = page.locator(".lead strong").inner_text().strip()
    assert REFERENCE.fullmatch(reference), reference
    with live_app.app_context():
        filed = db.session.query(Complaint).filter_by(reference=reference).one()
        shop, category = (
            db.session.get(Merchant, filed.merchant_id),
            db.session.get(Category, filed.category_id),
        )
        assert (shop.name, category.code) == ("Green Valley Foods", "delivery")
        assert (filed.order_reference, filed.desired_outcome.value) == (order, "refund")
        assert filed.claimed_amount == Decimal("88.80")
        db.session.remove()
