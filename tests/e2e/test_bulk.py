"""Bulk assignment from the queue in a real browser: a supervisor ticks complaints, hands them to
an agent, and reads a result per complaint; one someone already handles is not handed over
without a reason, and says so, while the others are."""

from __future__ import annotations

from playwright.sync_api import expect

from complaints.workflow import Action
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.steps import file_for, has_no_horizontal_scroll, sign_in, staff_does, unique


def _assignee_of(live_app, world, reference: str) -> int | None:
    from complaints.extensions import db

    with live_app.app_context():
        assignee = world.complaint(reference).assignee_id
        db.session.remove()
    return assignee


def test_a_supervisor_assigns_ticked_complaints_and_reads_each_result(page, phone_page, live_app, world):
    free = [file_for(live_app, world, title=unique("洗衣机漏水")) for _ in range(2)]
    held = file_for(live_app, world, title=unique("退款迟迟未到账"))
    staff_does(live_app, world, held, Action.CLAIM, who="agent")

    sign_in(page, world.supervisor.email)
    page.goto("/desk/?queue=open&sort=newest")
    for reference in (*free, held):
        page.get_by_label(f"Select {reference}").check()
    page.get_by_label("With the selected complaints").select_option(label="Assign them to")
    page.get_by_label("Assign to").select_option(
        label="Agent2"
    )  # tests/support.py names people after their key
    page.get_by_role("button", name="Apply to the ticked complaints").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bulk action")
    expect(page.locator("p.lead")).to_contain_text("2 complaints done.")
    for reference in free:
        row = page.locator("tbody tr", has=page.get_by_role("link", name=reference))
        expect(row).to_contain_text("Done")
    refused = page.locator("tbody tr", has=page.get_by_role("link", name=held))
    expect(refused).to_contain_text("Not done")
    assert_accessible(page, "bulk results")
    screenshot(page, "desk-bulk-results-1280")

    assert all(_assignee_of(live_app, world, r) == world.agent2.id for r in free)
    assert _assignee_of(live_app, world, held) == world.agent.id, "handed over without a reason"

    sign_in(phone_page, world.supervisor.email)
    phone_page.goto("/desk/?queue=open&sort=newest")
    assert has_no_horizontal_scroll(phone_page)
    expect(phone_page.locator(f"input[name=ref][value='{held}']")).to_be_visible()
