"""The queue's tools in a real browser: an agent orders the queue by priority from its column
heading, saves that view under a name, opens it from the saved filters above the queue; on a phone
the queue, its saved filters and its folded filters fit without scrolling sideways."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import update

from complaints.extensions import db
from complaints.models import Complaint, Priority
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.steps import file_for, has_no_horizontal_scroll, sign_in, unique


def test_an_agent_orders_the_queue_by_priority_saves_the_view_and_opens_it(page, phone_page, live_app, world):
    urgent = file_for(live_app, world, title=unique("冰箱不制冷，食物全部变质"))
    file_for(live_app, world, title=unique("快递延误一周仍未送达"))
    with live_app.app_context():
        db.session.execute(
            update(Complaint).where(Complaint.reference == urgent).values(priority=Priority.URGENT)
        )
        db.session.commit()
        db.session.remove()

    sign_in(page, world.agent.email)
    page.goto("/desk/?queue=open")
    page.locator("table.queue thead th a", has_text="Priority").click()
    page.wait_for_load_state()
    assert "sort=priority" in page.url
    expect(page.locator("table.queue th[aria-sort=descending]")).to_have_text("Priority")
    expect(page.locator("table.queue tbody tr").first.locator("td.ref")).to_have_text(urgent)

    page.locator("details.filters-card > summary").click()
    page.get_by_label("Save this view as").fill("Most urgent")
    page.locator("form.save-filter button[type=submit]").click()
    page.wait_for_load_state()
    saved = page.locator("nav.saved-filters a", has_text="Most urgent")
    expect(saved).to_have_attribute("aria-current", "page")
    assert_accessible(page, "desk queue with a saved filter")
    screenshot(page, "desk-queue-saved-filter-1280")

    page.goto("/desk/?queue=mine")
    expect(saved).not_to_have_attribute("aria-current", "page")
    saved.click()
    page.wait_for_load_state()
    assert "sort=priority" in page.url and "queue=open" in page.url
    expect(page.locator("table.queue tbody tr").first.locator("td.ref")).to_have_text(urgent)
    expect(page.locator("select#sort")).to_have_value("priority")

    sign_in(phone_page, world.agent.email)
    phone_page.goto("/desk/?queue=open&sort=priority")
    assert has_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page, "desk queue by priority on a phone")
    screenshot(phone_page, "desk-queue-by-priority-phone-zh")
