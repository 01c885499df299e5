"""The admin audit log: every change to accounts, the pledge and calendars leaves a trace nobody edits.

The shipped pledge (migration 0002): "Service pledge" (policy 1, any complaint) and "Service pledge:
major complaints" (policy 2); calendar CN (id 1). The clock is frozen at Monday 2026-03-02 10:00 in
Shanghai (02:00 UTC).
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import delete, select, update

from complaints.extensions import db
from complaints.models import AdminAction, AdminAuditEntry, SlaPolicy, WorkCalendar
from complaints.services import admin_audit
from tests.integration.test_admin_pledges import calendar_form, new_policy_form, targets_form

GENERAL, MAJOR = 1, 2
CN = 1


@pytest.fixture
def as_admin(auth, world):
    auth.login(world.admin.email)


def entries(**where) -> list[AdminAuditEntry]:
    """The log's entries (oldest first), optionally only those with these column values."""
    db.session.expire_all()
    query = select(AdminAuditEntry).filter_by(**where).order_by(AdminAuditEntry.id)
    return list(db.session.scalars(query))


def only_entry(**where) -> AdminAuditEntry:
    found = entries(**where)
    assert len(found) == 1, found
    return found[0]


def rows(html: str) -> list[str]:
    """The text of each row of the log's table, newest first."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in body.split("</tr>")[:-1]]


def record_at(clock, at_hours: float, action: AdminAction, actor=None, subject=("merchant", 1), **detail):
    """An entry made through the service `at_hours` after the test's frozen start."""
    start = clock.now()
    clock.advance(hours=at_hours)
    entry = admin_audit.record(actor, action, subject[0], subject[1], **detail)
    db.session.commit()
    clock.set(start)
    return entry


# --- Changes leave a trace ------------------------------------------------------------------


def test_deactivating_a_policy_records_who_and_when(client, clock, world, as_admin):
    response = client.post(f"/admin/policies/{MAJOR}/active", data={"active": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SlaPolicy, MAJOR).active is False

    entry = only_entry(action=AdminAction.POLICY_DEACTIVATED)
    assert entry.actor_id == world.admin.id
    assert entry.created_at == clock.now()
    assert (entry.subject_type, entry.subject_id) == ("policy", MAJOR)
    # Migration 0013 copied the shipped (English) name into the English form.
    assert entry.detail == {
        "name": "Service pledge: major complaints",
        "name_en": "Service pledge: major complaints",
        "version": 1,
    }

    page = client.get("/admin/audit")
    assert page.status_code == 200
    [row] = rows(page.text)
    assert "Pledge policy deactivated" in row and "Admin" in row and world.admin.email in row
    assert "Service pledge: major complaints" in row and "Version 1" in row
    assert "Mar 2, 2026, 10:00:00 AM" in row  # 02:00 UTC, shown in the viewer's zone (Shanghai)
    assert f'href="/admin/policies/{MAJOR}"' in page.text


def test_activating_a_policy_again_is_recorded_too_and_a_repeat_is_not(client, world, as_admin):
    client.post(f"/admin/policies/{MAJOR}/active", data={"active": "0"})
    client.post(f"/admin/policies/{MAJOR}/active", data={"active": "1"})
    client.post(f"/admin/policies/{MAJOR}/active", data={"active": "1"})
    assert [e.action for e in entries(subject_type="policy")] == [
        AdminAction.POLICY_DEACTIVATED,
        AdminAction.POLICY_ACTIVATED,
    ]


def test_deactivating_and_activating_a_user_records_each_change(client, world, as_admin):
    agent = world.agent
    client.post(f"/admin/users/{agent.id}/active", data={"active": "0"})
    client.post(f"/admin/users/{agent.id}/active", data={"active": "0"})  # nothing changes
    client.post(f"/admin/users/{agent.id}/active", data={"active": "1"})

    deactivated, activated = entries(subject_type="user")
    assert deactivated.action is AdminAction.USER_DEACTIVATED
    assert activated.action is AdminAction.USER_ACTIVATED
    for entry in (deactivated, activated):
        assert entry.subject_id == agent.id and entry.actor_id == world.admin.id
        assert entry.detail == {"name": "Agent", "email": agent.email, "role": "agent"}

    newest, older = rows(client.get("/admin/audit").text)
    assert "Account activated" in newest and "Account deactivated" in older
    assert "Role: Agent" in newest and agent.email in newest


def test_a_refused_deactivation_records_nothing(client, world, as_admin):
    response = client.post(f"/admin/users/{world.admin.id}/active", data={"active": "0"})
    assert response.status_code == 409
    assert entries() == []


def test_creating_a_staff_account_records_it_with_its_role(client, world, as_admin):
    response = client.post(
        "/admin/users/new",
        data={
            "name": "李调解",
            "email": "li.mediator@example.com",
            "role": "mediator",
            "mediation_org_id": str(world.org_id),
            "password": "desk-shift-2026",
        },
    )
    assert response.status_code == 302
    entry = only_entry(action=AdminAction.STAFF_CREATED)
    assert entry.actor_id == world.admin.id and entry.subject_type == "user"
    assert entry.detail["role"] == "mediator"
    assert entry.detail["email"] == "li.mediator@example.com"
    assert entry.detail["organisation"] == "上海消费纠纷调解中心"
    assert "password" not in str(entry.detail) and "desk-shift" not in str(entry.detail)

    [row] = rows(client.get("/admin/audit").text)
    assert "Staff account created" in row and "Role: Mediator" in row and "李调解" in row


def test_an_account_that_could_not_be_created_leaves_no_trace(client, world, as_admin):
    response = client.post(
        "/admin/users/new",
        data={"name": "X", "email": world.agent.email, "role": "agent", "password": "desk-shift-2026"},
    )
    assert response.status_code == 400
    assert entries() == []


def test_publishing_a_policy_version_records_its_number_and_what_it_changes(client, world, as_admin):
    response = client.post(
        f"/admin/policies/{GENERAL}",
        data=targets_form(GENERAL, note="Resolution within 10 working days", **{"resolution-amount": "10"}),
    )
    assert response.status_code == 302

    entry = only_entry(action=AdminAction.POLICY_VERSION_PUBLISHED)
    assert entry.actor_id == world.admin.id and entry.subject_id == GENERAL
    assert entry.detail["name"] == "Service pledge" and entry.detail["version"] == 2
    assert entry.detail["note"] == "Resolution within 10 working days"
    assert list(entry.detail["changes"]) == ["resolution"]
    before, after = entry.detail["changes"]["resolution"]
    assert (before["amount"], after["amount"]) == ("15", "10")
    assert after["unit"] == "working_days"

    [row] = rows(client.get("/admin/audit").text)
    assert "Pledge policy version published" in row and "Version 2" in row
    assert "Resolution: 15 working days, warning at 75% → 10 working days, warning at 75%" in row


def test_creating_a_policy_records_its_promises(client, world, as_admin):
    assert client.post("/admin/policies/new", data=new_policy_form(world)).status_code == 302
    entry = only_entry(action=AdminAction.POLICY_CREATED)
    assert (entry.detail["name"], entry.detail["name_en"]) == ("配送服务承诺", "Delivery pledge")
    assert entry.detail["version"] == 1
    assert entry.detail["category"] == "delivery"
    assert entry.detail["promises"]["resolution"]["amount"] == "5"
    assert "resolution" in entry.detail["promises"] and "response" in entry.detail["promises"]


def test_listing_and_unlisting_a_calendar_day_records_the_date(client, world, as_admin):
    client.post(
        f"/admin/calendars/{CN}/days", data={"day": "2026-03-07", "kind": "working", "note": "调休上班"}
    )
    listed = only_entry(action=AdminAction.CALENDAR_DAY_ADDED)
    calendar = db.session.get(WorkCalendar, CN)
    assert listed.detail == {
        "name": calendar.name,
        "name_en": calendar.name_en,
        "day": "2026-03-07",
        "is_working": True,
        "note": "调休上班",
        "note_en": "",
    }
    assert (listed.subject_type, listed.subject_id, listed.actor_id) == ("calendar", CN, world.admin.id)

    response = client.post(f"/admin/calendars/{CN}/days/{calendar.days[0].id}/delete")
    assert response.status_code == 302
    removed = only_entry(action=AdminAction.CALENDAR_DAY_REMOVED)
    assert removed.detail["day"] == "2026-03-07" and removed.detail["is_working"] is True

    newest, older = rows(client.get("/admin/audit").text)
    assert "Calendar date no longer listed" in newest and "2026-03-07, working day" in newest
    assert "Calendar date listed" in older and "Note: 调休上班" in older
    assert f'href="/admin/calendars/{CN}"' in client.get("/admin/audit").text


def test_changing_a_calendars_hours_records_before_and_after(client, world, as_admin):
    response = client.post(f"/admin/calendars/{CN}", data=calendar_form(hours_5="10:00-16:00"))
    assert response.status_code == 302
    entry = only_entry(action=AdminAction.CALENDAR_UPDATED)
    assert entry.detail["changes"] == {"hours_5": ["", "10:00-16:00"]}
    [row] = rows(client.get("/admin/audit").text)
    assert "Calendar changed" in row and "Saturday: — → 10:00-16:00" in row

    client.post(f"/admin/calendars/{CN}", data=calendar_form(hours_5="10:00-16:00"))  # saved unchanged
    assert len(entries(action=AdminAction.CALENDAR_UPDATED)) == 1


def test_shops_categories_and_organisations_record_additions_and_changes(client, world, as_admin):
    client.post("/admin/merchants/new", data={"shop_code": "SHOP-C", "name": "Tea House", "active": "y"})
    shop = only_entry(action=AdminAction.MERCHANT_CREATED)
    assert shop.detail["shop_code"] == "SHOP-C" and shop.detail["name"] == "Tea House"
    client.post(f"/admin/merchants/{shop.subject_id}", data={"shop_code": "SHOP-C", "name": "Tea House 2"})
    changed = only_entry(action=AdminAction.MERCHANT_UPDATED)
    assert changed.detail["changes"] == {"name": ["Tea House", "Tea House 2"], "active": [True, False]}

    client.post("/admin/categories/new", data={"code": "fraud", "name_zh": "欺诈", "name_en": "Fraud"})
    assert only_entry(action=AdminAction.CATEGORY_CREATED).detail["code"] == "fraud"
    beijing = {"name": "北京调解中心", "name_en": "Beijing Mediation Centre"}
    client.post("/admin/organisations/new", data={**beijing, "active": "y"})
    added = only_entry(action=AdminAction.ORGANISATION_CREATED)
    assert added.detail == {**beijing, "active": True, "capacity": 20, "categories": []}
    client.post(f"/admin/organisations/{added.subject_id}", data={**beijing, "name_en": "Beijing Centre"})
    renamed = only_entry(action=AdminAction.ORGANISATION_UPDATED)
    assert renamed.detail["changes"] == {
        "name_en": ["Beijing Mediation Centre", "Beijing Centre"],
        "active": [True, False],
    }

    page = client.get("/admin/audit").text
    assert "Shop changed" in page and "Name: Tea House → Tea House 2" in page
    assert "Active: yes → no" in page
    assert "Name in English: Beijing Mediation Centre → Beijing Centre" in page


def test_a_change_made_without_an_admin_is_the_systems(client, clock, world, as_admin):
    record_at(clock, 0, AdminAction.MERCHANT_CREATED, name="Seeded shop")
    [row] = rows(client.get("/admin/audit").text)
    assert "The system" in row and "Seeded shop" in row


def test_each_entry_is_also_written_to_the_application_log(client, world, as_admin, caplog):
    caplog.set_level("INFO", logger="complaints.services.admin_audit")
    client.post(f"/admin/policies/{MAJOR}/active", data={"active": "0"})
    assert f"policy_deactivated on policy {MAJOR} by user {world.admin.id}" in caplog.text


# --- The log cannot be rewritten ------------------------------------------------------------


def test_an_entry_cannot_be_changed(app, clock, world):
    entry = record_at(clock, 0, AdminAction.POLICY_DEACTIVATED, subject=("policy", MAJOR), name="x")
    entry.detail = {"name": "nothing happened"}
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert only_entry().detail == {"name": "x"}


def test_an_entry_cannot_be_deleted(app, clock, world):
    entry = record_at(clock, 0, AdminAction.POLICY_DEACTIVATED, subject=("policy", MAJOR), name="x")
    db.session.delete(entry)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert len(entries()) == 1


def test_the_log_cannot_be_rewritten_in_bulk_either(app, clock, world):
    record_at(clock, 0, AdminAction.POLICY_DEACTIVATED, subject=("policy", MAJOR), name="x")
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.execute(update(AdminAuditEntry).values(actor_id=None))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.execute(delete(AdminAuditEntry))
    db.session.rollback()
    assert len(entries()) == 1


# --- Reading the log ------------------------------------------------------------------------


@pytest.fixture
def history(clock, world):
    """Four entries over three days: the admin's and the system's, about a policy, a user, a shop."""
    admin = world.user("admin")
    record_at(clock, 0, AdminAction.POLICY_DEACTIVATED, admin, ("policy", MAJOR), name="Major pledge")
    record_at(clock, 24, AdminAction.USER_DEACTIVATED, admin, ("user", world.agent.id), name="Agent")
    record_at(clock, 48, AdminAction.MERCHANT_CREATED, None, ("merchant", 1), name="Seeded shop")
    record_at(clock, 48.5, AdminAction.POLICY_ACTIVATED, admin, ("policy", MAJOR), name="Major pledge")


SHORT = {
    "Pledge policy deactivated": "policy off",
    "Pledge policy activated": "policy on",
    "Account deactivated": "user off",
    "Shop added": "shop",
}


def whats(client, query: str = "") -> list[str]:
    """What each listed entry did, in short, newest first."""
    page = client.get(f"/admin/audit{query}")
    assert page.status_code == 200, page.status_code
    return [next(short for text, short in SHORT.items() if text in row) for row in rows(page.text)]


def test_the_log_lists_the_newest_first(client, history, as_admin):
    assert whats(client) == ["policy on", "shop", "user off", "policy off"]


def test_the_log_is_filtered_by_action(client, history, as_admin):
    assert whats(client, "?action=policy_deactivated") == ["policy off"]


def test_the_log_is_filtered_by_who(client, world, history, as_admin):
    assert whats(client, f"?actor={world.admin.id}") == ["policy on", "user off", "policy off"]
    assert whats(client, "?actor=system") == ["shop"]


def test_the_log_is_filtered_by_what_it_concerns(client, history, as_admin):
    assert whats(client, "?subject_type=policy") == ["policy on", "policy off"]
    assert whats(client, f"?subject_type=policy&subject_id={MAJOR}") == ["policy on", "policy off"]
    assert whats(client, f"?subject_type=policy&subject_id={GENERAL}") == []


def test_the_log_is_filtered_by_dates_in_the_viewers_zone(client, history, as_admin):
    # Entries at 10:00 on 2 March, 3 March, 4 March and 10:30 on 4 March, Shanghai time.
    assert whats(client, "?since=2026-03-03") == ["policy on", "shop", "user off"]
    assert whats(client, "?until=2026-03-03") == ["user off", "policy off"]
    assert whats(client, "?since=2026-03-03&until=2026-03-03") == ["user off"]


def test_the_log_pages_newest_first_without_losing_an_entry(app, client, clock, world, as_admin):
    app.config["QUEUE_PAGE_SIZE"] = 2
    for number in range(5):  # the same instant: the id breaks the tie
        record_at(clock, 0, AdminAction.MERCHANT_UPDATED, subject=("merchant", 1), name=f"shop {number}")
    seen, url = [], "/admin/audit?actor=system"
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen += [re.search(r"shop \d", row).group(0) for row in rows(page.text)]
        match = re.search(r'href="([^"]+)" rel="next"', page.text)
        url = unescape(match.group(1)) if match else None
        assert url is None or "actor=system" in url
    assert seen == ["shop 4", "shop 3", "shop 2", "shop 1", "shop 0"]


def test_a_subject_links_to_its_own_history(client, history, as_admin):
    page = client.get("/admin/audit").text
    assert f'href="/admin/audit?subject_type=policy&amp;subject_id={MAJOR}"' in page


# --- Who may read it ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["consumer", "agent", "supervisor", "mediator", "merchant"])
def test_only_admins_may_read_the_log(client, auth, world, who):
    auth.login(getattr(world, who).email)
    assert client.get("/admin/audit").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get("/admin/audit")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- Bad input is answered, never a 500 -----------------------------------------------------

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "query",
    [
        "?action=rewrite_history",
        f"?action={HUGE}",
        f"?actor={HUGE}",
        "?actor=-1",
        "?actor=abc",
        "?subject_type=complaint",
        f"?subject_id={HUGE}",
        "?after=garbage",
        f"?after=2026-03-02T02:00:00+00:00_{HUGE}",
        "?after=9999-12-31T23:59:59+00:00_1",
        "?after=",
        "?actor=%ff&subject_type=%E2%80%AE",
    ],
)
def test_an_unknown_filter_value_shows_the_unfiltered_first_page(client, history, as_admin, query):
    page = client.get(f"/admin/audit{query}")
    assert page.status_code == 200
    assert len(rows(page.text)) == 4


@pytest.mark.parametrize("subject_id", [HUGE, "-3", "0", "1.5", "abc"])
def test_a_wrong_subject_id_is_dropped_and_its_type_still_filters(client, history, as_admin, subject_id):
    assert whats(client, f"?subject_type=policy&subject_id={subject_id}") == ["policy on", "policy off"]


def test_a_nul_in_the_address_is_refused_not_a_500(client, history, as_admin):
    assert client.get("/admin/audit?action=%00").status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "?since=yesterday",
        "?until=2026-13-45",
        "?since=99999-01-01",
        "?since=1900-01-01",
        f"?until={HUGE}",
        "?since=2026-03-04&until=2026-03-02",
    ],
)
def test_a_wrong_date_is_shown_beside_its_field(client, history, as_admin, query):
    page = client.get(f"/admin/audit{query}")
    assert page.status_code == 400
    assert 'class="error"' in page.text
    assert len(rows(page.text)) == 4  # the log itself, unfiltered by the wrong date


def test_an_account_made_from_the_command_line_is_logged_as_the_systems(runner, world):
    result = runner.invoke(
        args=[
            "users", "create", "--email", "cli-agent@example.com", "--name", "CLI Agent", "--role", "agent",
            "--password", "correct-horse-9",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    entry = only_entry(action=AdminAction.STAFF_CREATED)
    assert entry.actor_id is None
    assert (entry.detail["email"], entry.detail["role"], entry.detail["via"]) == (
        "cli-agent@example.com",
        "agent",
        "cli",
    )
