"""Administration of the pledge: policies published as versions, and the calendars they count in.

The shipped default pledge (migration 0002): "Service pledge" (id 1) for every complaint and
"Service pledge: major complaints" (id 2); response 24 hours around the clock; resolution 15
working days (major: 7) on calendar CN (id 1, Mon-Fri 09:00-18:00 Asia/Shanghai with China's
official holidays). The clock is frozen at Monday 2026-03-02 10:00 in Shanghai; working days do not
count the day of receipt and end at 18:00 of the last one.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import ClockKind, SlaPolicy, SlaPolicyVersion, WorkCalendar
from complaints.sla import calendar as wt
from complaints.sla import clocks, policy

SHANGHAI = ZoneInfo("Asia/Shanghai")
GENERAL, MAJOR = 1, 2
CN, AROUND_THE_CLOCK = 1, 2
MAJOR_CLAIM = Decimal("6000.00")


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def as_admin(auth, world):
    auth.login(world.admin.email)


def version_count(policy_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(SlaPolicyVersion).where(SlaPolicyVersion.policy_id == policy_id)
    )


def current_version(policy_id: int) -> SlaPolicyVersion:
    db.session.expire_all()
    return policy.current_version(db.session.get(SlaPolicy, policy_id))


def targets_form(policy_id: int, note: str = "", **changes: str) -> dict:
    """The edit form of a policy as the page prefills it, with `changes` ("resolution-amount": "10")."""
    data: dict = {"note": note}
    for target in current_version(policy_id).targets:
        kind = target.kind.value
        data[f"{kind}-amount"] = str(policy.describe_window(target)[0])
        data[f"{kind}-unit"] = target.unit.value
        data[f"{kind}-calendar_id"] = str(target.calendar_id)
        data[f"{kind}-warn_percent"] = str(target.warn_percent)
        data[f"{kind}-pause_on"] = list(target.pause_on)
        data[f"{kind}-breach_actions"] = list(target.breach_actions)
    data.update(changes)
    return data


def due_of(world, reference: str, kind: ClockKind) -> datetime:
    return next(c.due_at for c in clocks.all_clocks(world.complaint(reference)) if c.kind is kind)


def section(html: str, element_id: str) -> str:
    """The <section> of the page labelled by `element_id`."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def promise(html: str, clock: str) -> str:
    """The window of `clock` in a policy's table, e.g. "15 working days"."""
    match = re.search(rf"<strong>{clock}</strong></td>\s*<td data-label=\"Window\">([^<]+)</td>", html)
    assert match, f"no {clock} row"
    return match.group(1)


# --- Policies -------------------------------------------------------------------------------


def test_admin_sees_the_shipped_default_pledge(client, as_admin):
    page = client.get("/admin/policies")
    assert page.status_code == 200
    general, major = section(page.text, f"policy-{GENERAL}"), section(page.text, f"policy-{MAJOR}")
    assert "Service pledge" in general and "Any category · Any size" in general
    assert promise(general, "First response") == "24 hours"
    assert promise(general, "Resolution") == "15 working days"
    assert "waiting on the consumer" in general and "notify the supervisors, raise the priority" in general
    assert "Service pledge: major complaints" in major and "Major complaints only" in major
    assert promise(major, "Resolution") == "7 working days"
    assert "Version 1" in general


def test_the_edit_page_is_prefilled_from_the_current_version(client, as_admin):
    page = client.get(f"/admin/policies/{GENERAL}")
    assert page.status_code == 200
    assert re.search(r'id="resolution-amount" name="resolution-amount" [^>]*value="15"', page.text)
    assert "Version history" in page.text and "published pledge" in page.text
    assert "Shipped with PledgeDesk" in page.text


def test_editing_a_policy_publishes_a_version_and_filed_complaints_keep_theirs(client, world, as_admin):
    before = world.file()
    assert due_of(world, before, ClockKind.RESOLUTION) == shanghai(2026, 3, 23, 18, 0)

    response = client.post(
        f"/admin/policies/{GENERAL}",
        data=targets_form(GENERAL, note="Resolution within 10 working days", **{"resolution-amount": "10"}),
    )
    assert response.status_code == 302
    assert version_count(GENERAL) == 2
    assert "Version 2 of “Service pledge” is published." in client.get("/admin/policies").text

    after = world.file()
    assert due_of(world, after, ClockKind.RESOLUTION) == shanghai(2026, 3, 16, 18, 0)
    assert due_of(world, before, ClockKind.RESOLUTION) == shanghai(2026, 3, 23, 18, 0)
    assert world.complaint(before).policy_version_id != world.complaint(after).policy_version_id

    history = client.get(f"/admin/policies/{GENERAL}").text
    assert "Resolution within 10 working days" in history and "Admin" in history
    assert promise(section(client.get("/admin/policies").text, "policy-1"), "Resolution") == "10 working days"


def test_invalid_targets_are_refused_beside_their_fields(client, as_admin):
    response = client.post(
        f"/admin/policies/{GENERAL}",
        data=targets_form(
            GENERAL, note="typo", **{"resolution-amount": "0", "verification-warn_percent": "150"}
        ),
    )
    assert response.status_code == 400
    assert 'id="resolution-amount-error"' in response.text
    assert "A target must be more than zero." in response.text
    assert 'id="verification-warn_percent-error"' in response.text
    assert "The warning point is a percentage between 1 and 99." in response.text
    assert version_count(GENERAL) == 1


def test_a_new_version_needs_a_note(client, as_admin):
    response = client.post(f"/admin/policies/{GENERAL}", data=targets_form(GENERAL, note=""))
    assert response.status_code == 400
    assert 'id="note-error"' in response.text
    assert version_count(GENERAL) == 1


def test_a_clock_left_empty_promises_nothing(client, world, as_admin):
    response = client.post(
        f"/admin/policies/{GENERAL}",
        data=targets_form(GENERAL, note="No merchant deadline", **{"merchant_reply-amount": ""}),
    )
    assert response.status_code == 302
    kinds = {t.kind for t in current_version(GENERAL).targets}
    assert ClockKind.MERCHANT_REPLY not in kinds and ClockKind.RESOLUTION in kinds


def new_policy_form(world, **changes) -> dict:
    data = {
        "name": "配送服务承诺",
        "name_en": "Delivery pledge",
        "category_id": str(world.category_ids[1]),
        "major": "any",
        "note": "",
        "response-amount": "12",
        "response-unit": "hours",
        "response-calendar_id": str(AROUND_THE_CLOCK),
        "response-warn_percent": "50",
        "resolution-amount": "5",
        "resolution-unit": "working_days",
        "resolution-calendar_id": str(CN),
        "resolution-warn_percent": "75",
        "resolution-pause_on": ["consumer"],
        "resolution-breach_actions": ["notify_supervisors", "offer_consumer_escalation"],
    }
    data.update(changes)
    return data


def test_admin_creates_a_policy_for_a_category(client, world, as_admin):
    form = client.get("/admin/policies/new")
    assert form.status_code == 200
    assert all(f'id="clock-{kind.value}"' in form.text for kind in ClockKind)

    response = client.post("/admin/policies/new", data=new_policy_form(world))
    assert response.status_code == 302
    page = client.get("/admin/policies").text
    assert "Delivery pledge" in page and "let the consumer take it to mediation" in page

    delivery = world.file(category_id=world.category_ids[1])
    assert due_of(world, delivery, ClockKind.RESOLUTION) == shanghai(2026, 3, 9, 18, 0)
    assert {c.kind for c in clocks.all_clocks(world.complaint(delivery))} == {
        ClockKind.RESPONSE,
        ClockKind.RESOLUTION,
    }
    quality = world.file()
    assert due_of(world, quality, ClockKind.RESOLUTION) == shanghai(2026, 3, 23, 18, 0)


def test_a_second_active_policy_for_the_same_complaints_is_refused(client, world, as_admin):
    assert client.post("/admin/policies/new", data=new_policy_form(world)).status_code == 302
    again = client.post("/admin/policies/new", data=new_policy_form(world, name="另一个", name_en="Another"))
    assert again.status_code == 400
    assert 'id="category_id-error"' in again.text
    assert "already covers the same complaints" in again.text


def test_a_policy_must_promise_something(client, world, as_admin):
    data = new_policy_form(world, **{"response-amount": "", "resolution-amount": ""})
    response = client.post("/admin/policies/new", data=data)
    assert response.status_code == 400
    assert "Promise at least one window" in response.text
    assert db.session.scalar(select(func.count()).select_from(SlaPolicy)) == 2


def test_deactivating_the_major_pledge_gives_major_complaints_the_general_one(client, world, as_admin):
    major_before = world.file(claimed_amount=MAJOR_CLAIM)
    assert due_of(world, major_before, ClockKind.RESOLUTION) == shanghai(2026, 3, 11, 18, 0)

    response = client.post(f"/admin/policies/{MAJOR}/active", data={"active": "0"})
    assert response.status_code == 302
    assert "Inactive" in section(client.get("/admin/policies").text, f"policy-{MAJOR}")

    major_after = world.file(claimed_amount=MAJOR_CLAIM)
    assert world.complaint(major_after).policy_version_id == current_version(GENERAL).id
    assert due_of(world, major_after, ClockKind.RESOLUTION) == shanghai(2026, 3, 23, 18, 0)

    assert client.post(f"/admin/policies/{MAJOR}/active", data={"active": "1"}).status_code == 302
    again = world.file(claimed_amount=MAJOR_CLAIM)
    assert world.complaint(again).policy_version_id == current_version(MAJOR).id


def test_the_only_general_pledge_cannot_be_deactivated(client, as_admin):
    response = client.post(f"/admin/policies/{GENERAL}/active", data={"active": "0"})
    assert response.status_code == 409
    assert "This is the pledge for every complaint." in response.text
    db.session.expire_all()
    assert db.session.get(SlaPolicy, GENERAL).active is True


# --- Calendars ------------------------------------------------------------------------------


def calendar_form(**changes) -> dict:
    data = {"timezone": "Asia/Shanghai", "count_receipt_day": ""}
    data.update({f"hours_{d}": "09:00-18:00" for d in range(5)})
    data.update({"hours_5": "", "hours_6": ""})
    data.update(changes)
    if not data["count_receipt_day"]:
        del data["count_receipt_day"]
    return data


def test_admin_sees_each_calendar_with_its_hours(client, as_admin):
    page = client.get("/admin/calendars")
    assert page.status_code == 200
    cn, around = section(page.text, f"calendar-{CN}"), section(page.text, f"calendar-{AROUND_THE_CLOCK}")
    assert "<dd>Shanghai (UTC+8)</dd>" in cn and "China's official holidays" in cn
    assert '<td data-label="Working hours">09:00-18:00</td>' in cn
    assert "Not counted: counting starts with the next working day" in cn
    assert '<td data-label="Working hours">00:00-24:00</td>' in around


def test_admin_changes_a_calendars_hours(client, clock, as_admin):
    data = calendar_form(hours_0="09:00-12:00, 13:00-18:00", hours_5="10:00-16:00", count_receipt_day="y")
    response = client.post(f"/admin/calendars/{CN}", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(WorkCalendar, CN)
    assert row.hours["0"] == [["09:00", "12:00"], ["13:00", "18:00"]]
    assert row.hours["5"] == [["10:00", "16:00"]] and "6" not in row.hours
    assert row.count_receipt_day is True
    assert row.updated_at == clock.now()


def test_invalid_calendar_settings_are_refused_beside_their_fields(client, as_admin):
    response = client.post(
        f"/admin/calendars/{CN}", data=calendar_form(timezone="Mars/Olympus", hours_2="25:00-26:00")
    )
    assert response.status_code == 400
    assert 'id="timezone-error"' in response.text and "Mars/Olympus is not a known time zone" in response.text
    assert 'id="hours_2-error"' in response.text and "25:00-26:00 is not a time of day" in response.text
    db.session.expire_all()
    row = db.session.get(WorkCalendar, CN)
    assert row.timezone == "Asia/Shanghai" and row.hours["2"] == [["09:00", "18:00"]]


def test_a_saturday_declared_working_ends_windows_earlier(client, world, as_admin):
    start = shanghai(2026, 3, 2, 10, 0)
    cal = policy.working_calendar(db.session.get(WorkCalendar, CN))
    assert wt.add_working_days(cal, start, 5) == shanghai(2026, 3, 9, 18, 0)

    response = client.post(
        f"/admin/calendars/{CN}/days", data={"day": "2026-03-07", "kind": "working", "note": "Makeup day"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    cal = policy.working_calendar(db.session.get(WorkCalendar, CN))
    assert wt.add_working_days(cal, start, 5) == shanghai(2026, 3, 7, 18, 0)
    ref = world.file()
    assert due_of(world, ref, ClockKind.RESOLUTION) == shanghai(2026, 3, 20, 18, 0)
    assert "Makeup day" in client.get(f"/admin/calendars/{CN}").text


def test_a_date_is_declared_once(client, as_admin):
    day = {"day": "2026-03-07", "kind": "working", "note": ""}
    assert client.post(f"/admin/calendars/{CN}/days", data=day).status_code == 302
    again = client.post(f"/admin/calendars/{CN}/days", data=dict(day, kind="holiday"))
    assert again.status_code == 400
    assert 'id="day-error"' in again.text and "2026-03-07 is already listed" in again.text
    db.session.expire_all()
    assert len(db.session.get(WorkCalendar, CN).days) == 1


def test_a_declared_holiday_can_be_removed(client, world, as_admin):
    client.post(f"/admin/calendars/{CN}/days", data={"day": "2026-03-03", "kind": "holiday", "note": "Flood"})
    db.session.expire_all()
    entry = db.session.get(WorkCalendar, CN).days[0]
    assert entry.is_working is False

    response = client.post(f"/admin/calendars/{CN}/days/{entry.id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(WorkCalendar, CN).days == []
    assert client.post(f"/admin/calendars/{AROUND_THE_CLOCK}/days/{entry.id}/delete").status_code == 404


def test_years_without_makeup_workdays_are_flagged_until_one_is_entered(client, as_admin):
    page = client.get("/admin/calendars").text
    flags = section(page, "makeup-missing")
    assert "the makeup workdays of 2027 are not known yet" in flags
    assert "the makeup workdays of 2028 are not known yet" in flags
    assert "of 2026 are not known" not in flags
    assert "State Council" in flags

    client.post(f"/admin/calendars/{CN}/days", data={"day": "2027-02-20", "kind": "working", "note": ""})
    flags = section(client.get("/admin/calendars").text, "makeup-missing")
    assert "of 2027 are not known" not in flags
    assert "the makeup workdays of 2028 are not known yet" in flags


# --- Access ---------------------------------------------------------------------------------

PAGES = [
    ("get", "/admin/policies"),
    ("get", "/admin/policies/new"),
    ("post", "/admin/policies/new"),
    ("get", f"/admin/policies/{GENERAL}"),
    ("post", f"/admin/policies/{GENERAL}"),
    ("post", f"/admin/policies/{MAJOR}/active"),
    ("get", "/admin/calendars"),
    ("get", f"/admin/calendars/{CN}"),
    ("post", f"/admin/calendars/{CN}"),
    ("post", f"/admin/calendars/{CN}/days"),
    ("post", f"/admin/calendars/{CN}/days/1/delete"),
]


@pytest.mark.parametrize("who", ["consumer", "agent", "supervisor", "mediator"])
def test_only_admins_reach_the_pledge_pages(client, auth, world, who):
    auth.login(getattr(world, who).email)
    for method, path in PAGES:
        assert getattr(client, method)(path).status_code == 403, path
    assert version_count(MAJOR) == 1 and db.session.get(SlaPolicy, MAJOR).active


def test_admins_find_the_pledge_pages_in_the_menu(client, as_admin):
    page = client.get("/admin/users").text
    assert 'href="/admin/policies"' in page and 'href="/admin/calendars"' in page
