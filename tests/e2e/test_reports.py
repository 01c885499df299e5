"""The supervisors' dashboard and the service reports in a real browser: a supervisor follows
"Reports" from the navigation, narrows the dashboard to a shop (a wrong shop is refused in words),
generates this quarter's report and downloads its PDF, which carries the Chinese figures; on a
phone, in Chinese, the dashboard does not scroll sideways and is readable (axe)."""

from __future__ import annotations

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from complaints.extensions import db
from complaints.services import dashboard
from complaints.workflow import Action
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.steps import file_for, has_no_horizontal_scroll, sign_in, staff_does, unique


def test_a_supervisor_reads_the_dashboard_and_downloads_a_quarterly_report(page, phone_page, live_app, world):
    answered = file_for(live_app, world, title=unique("耳机左耳没有声音"))
    file_for(live_app, world, title=unique("快递延误一周仍未送达"), merchant_id=world.merchant_ids[1])
    staff_does(live_app, world, answered, Action.CLAIM)
    staff_does(live_app, world, answered, Action.REPLY, body="您好，我们正在核实。")
    with live_app.app_context():
        dashboard.forget_computed()
        db.session.remove()

    sign_in(page, world.supervisor.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    volume = page.get_by_role("region", name="Volume")
    expect(volume).to_contain_text("Complaints filed")
    expect(page.locator("figure.chart svg[role=img]")).to_have_count(3)
    agents = page.get_by_role("region", name="Agents' workload and results")
    expect(agents.get_by_role("rowheader", name="Agent", exact=True)).to_be_visible()
    assert page.locator("script").count() == 0
    assert_accessible(page, "supervisors' dashboard")
    screenshot(page, "reports-dashboard-1280")

    page.get_by_role("textbox", name="Shop").fill("no such shop")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("We could not find that shop. Check its name or shop code.")).to_be_visible()
    page.get_by_role("textbox", name="Shop").fill("Green Valley Foods")
    page.get_by_role("button", name="Show").click()
    shops = page.get_by_role("region", name="Shops with the most complaints")
    expect(shops.get_by_role("listitem")).to_have_count(1)
    expect(shops).to_contain_text("Green Valley Foods")

    page.get_by_role("link", name="Quarterly and half-yearly reports").click()
    expect(page.get_by_text("No report has been generated yet.")).to_be_visible()
    page.get_by_role("button", name="Generate").click()  # the first period offered: this quarter
    expect(page.get_by_role("heading", level=1)).to_contain_text("Service report")
    expect(page.get_by_text("its figures are to date")).to_be_visible()
    pledge = page.get_by_role("region", name="What we pledged, and what we kept")
    expect(pledge.get_by_role("rowheader", name="First responses in time")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF (Chinese)").click()
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(download.value.path().read_bytes())).pages
    )
    assert "服务报告" in text and "按时首次响应" in text
    assert len(PdfReader(io.BytesIO(download.value.path().read_bytes())).pages) == 1
    screenshot(page, "reports-service-report-1280")

    sign_in(phone_page, world.supervisor.email)
    phone_page.goto("/reports/")
    expect(phone_page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("数据看板")
    assert has_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page, "supervisors' dashboard on a phone, in Chinese")
    screenshot(phone_page, "reports-dashboard-phone-zh")
