"""Names an admin enters in Chinese and in English (pledge policies, working calendars and their
declared days, mediation organisations, a policy version's note) are read in the viewer's
language: Chinese pages show the Chinese form, English pages the English one.

The shipped pledge (migration 0002): "Service pledge" (policy 1) and "Service pledge: major
complaints" (policy 2); calendars CN (1) and 24x7 (2).
"""

from __future__ import annotations

import pytest
from flask_babel import refresh
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import (
    AdminAction,
    AdminAuditEntry,
    MediationOrganisation,
    SlaPolicy,
    SlaPolicyVersion,
    User,
    WorkCalendar,
)
from complaints.participants import get_visible_complaint
from complaints.seed import texts
from complaints.seed.pledge_names import SHIPPED_CALENDARS, SHIPPED_POLICIES, name_the_shipped_pledge
from complaints.services.data_export import export_consumer_data
from complaints.services.lifecycle import apply_action
from complaints.workflow import Action
from tests.support import act, mediation_accepted

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}
GENERAL, CN = 1, 1
SHANGHAI = ("上海消费纠纷调解中心", "Shanghai Consumer Dispute Mediation Centre")
HANGZHOU = ("杭州互联网纠纷调解中心", "Hangzhou Online Dispute Mediation Centre")


def page(client, url: str, headers: dict) -> str:
    """A page in the language `headers` ask for (the world fixture's app context outlives each
    request, and Babel keeps the language it found in it)."""
    refresh()
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.text


def only_in(text: str, wanted: str, unwanted: str) -> bool:
    return wanted in text and unwanted not in text


@pytest.fixture
def named(app, world):
    """The world's two organisations with a name in each language."""
    with app.app_context():
        for org_id, (chinese, english) in ((world.org_id, SHANGHAI), (world.other_org_id, HANGZHOU)):
            organisation = db.session.get(MediationOrganisation, org_id)
            organisation.name, organisation.name_en = chinese, english
        db.session.commit()
    return world


def resolved(app, world) -> str:
    with app.app_context():
        reference = world.file()
        for action, params in ((Action.VERIFY, {}), (Action.RESOLVE, {"outcome": "upheld"})):
            agent = world.user("agent")
            apply_action(get_visible_complaint(agent, reference), agent, action, **params)
            db.session.commit()
    return reference


def speaks(app, world, key: str, locale: str | None) -> None:
    with app.app_context():
        db.session.get(User, world.people[key].id).locale = locale
        db.session.commit()


# --- The consumer's pages ---------------------------------------------------------------------


def test_the_dispute_drop_down_names_the_organisations_in_the_consumers_language(app, client, auth, named):
    reference = resolved(app, named)
    auth.login(named.consumer.email)
    chinese = page(client, f"/portal/complaints/{reference}", ZH)
    english = page(client, f"/portal/complaints/{reference}", EN)
    for zh, en in (SHANGHAI, HANGZHOU):
        assert only_in(chinese, f">{zh}</option>", en)
        assert only_in(english, f">{en}</option>", zh)


def test_the_complaint_page_names_the_mediation_organisation_in_the_viewers_language(
    app, client, auth, named
):
    reference = resolved(app, named)
    auth.login(named.consumer.email)
    disputed = act(
        client, "portal", reference, "dispute", dispute_reason="退款没有到账。", mediation_org_id=named.org_id
    )
    assert disputed.status_code == 302
    chinese = page(client, f"/portal/complaints/{reference}", ZH)
    english = page(client, f"/portal/complaints/{reference}", EN)
    # The facts' mediation line and the timeline's referral (which keeps the names of that day).
    assert f"<dd>{SHANGHAI[0]}</dd>" in chinese and chinese.count(SHANGHAI[0]) >= 2
    assert f"<dd>{SHANGHAI[1]}</dd>" in english and english.count(SHANGHAI[1]) >= 2
    assert SHANGHAI[1] not in chinese and SHANGHAI[0] not in english


def test_the_referral_notification_names_the_organisation_in_the_readers_language(app, client, auth, named):
    reference = resolved(app, named)
    auth.login(named.consumer.email)
    act(client, "portal", reference, "dispute", dispute_reason="不同意。", mediation_org_id=named.org_id)
    with app.app_context():  # the organisation hears of it once both parties consented
        mediation_accepted(named.complaint(reference))
    auth.logout()
    auth.login(named.mediator.email)
    assert only_in(page(client, "/notifications", ZH), SHANGHAI[0], SHANGHAI[1])
    assert only_in(page(client, "/notifications", EN), SHANGHAI[1], SHANGHAI[0])


def test_the_mediators_case_list_names_their_organisation_in_their_language(app, client, auth, named):
    auth.login(named.mediator.email)
    assert only_in(page(client, "/mediation/", ZH), SHANGHAI[0], SHANGHAI[1])
    assert only_in(page(client, "/mediation/", EN), SHANGHAI[1], SHANGHAI[0])


def test_a_personal_data_export_carries_both_names_of_the_organisation(app, client, auth, named):
    reference = resolved(app, named)
    auth.login(named.consumer.email)
    act(client, "portal", reference, "dispute", dispute_reason="不同意。", mediation_org_id=named.org_id)
    with app.app_context():
        mediation_accepted(named.complaint(reference))
        exported = export_consumer_data(named.user("consumer"))
    [complaint] = exported["complaints"]
    assert (complaint["mediation_organisation"], complaint["mediation_organisation_en"]) == SHANGHAI
    referral = next(e for e in complaint["timeline"] if e["detail"].get("organisation"))
    assert (referral["detail"]["organisation"], referral["detail"]["organisation_en"]) == SHANGHAI


# --- The admin's pages ------------------------------------------------------------------------


@pytest.fixture
def as_admin(auth, world):
    auth.login(world.admin.email)


def test_admin_lists_name_organisations_policies_and_calendars_in_the_admins_language(
    app, client, named, as_admin
):
    with app.app_context():
        name_the_shipped_pledge()
        db.session.commit()
    chinese = page(client, "/admin/organisations", ZH) + page(client, "/admin/users", ZH)
    english = page(client, "/admin/organisations", EN) + page(client, "/admin/users", EN)
    assert only_in(chinese, SHANGHAI[0], SHANGHAI[1]) and only_in(english, SHANGHAI[1], SHANGHAI[0])

    chinese, english = page(client, "/admin/policies", ZH), page(client, "/admin/policies", EN)
    for zh, en in SHIPPED_POLICIES.values():
        assert f"{zh} <span" in chinese and f"{en} <span" in english
    assert "Service pledge" not in chinese and "服务承诺" not in english
    cn_zh, cn_en = SHIPPED_CALENDARS["CN"][1:]
    assert cn_zh in chinese and cn_en not in chinese  # each promise's calendar
    assert cn_en in english and cn_zh not in english

    chinese, english = page(client, "/admin/calendars", ZH), page(client, "/admin/calendars", EN)
    assert only_in(chinese, cn_zh, cn_en) and only_in(english, cn_en, cn_zh)
    history_zh = page(client, f"/admin/policies/{GENERAL}", ZH)
    history_en = page(client, f"/admin/policies/{GENERAL}", EN)
    assert only_in(history_zh, "首次公布的服务承诺", "published pledge")
    assert only_in(history_en, "published pledge", "首次公布的服务承诺")


def test_a_new_policy_and_its_first_note_are_named_in_both_languages(app, client, world, as_admin):
    from tests.integration.test_admin_pledges import new_policy_form

    data = new_policy_form(world, note="配送时效", note_en="Delivery times")
    assert client.post("/admin/policies/new", data=data).status_code == 302
    with app.app_context():
        policy = db.session.scalar(select(SlaPolicy).where(SlaPolicy.name_en == "Delivery pledge"))
        assert policy.name == "配送服务承诺"
        version = db.session.scalar(select(SlaPolicyVersion).where(SlaPolicyVersion.policy_id == policy.id))
        assert (version.note, version.note_en) == ("配送时效", "Delivery times")
    assert "配送服务承诺" in page(client, "/admin/policies", ZH)


def test_renaming_a_policy_publishes_no_version_and_is_in_the_audit_log(app, client, world, as_admin):
    names = {"name": "通用服务承诺", "name_en": "General service pledge"}
    response = client.post(f"/admin/policies/{GENERAL}/names", data=names)
    assert response.status_code == 302
    with app.app_context():
        policy = db.session.get(SlaPolicy, GENERAL)
        assert (policy.name, policy.name_en) == ("通用服务承诺", "General service pledge")
        assert (
            db.session.scalar(select(SlaPolicyVersion.number).where(SlaPolicyVersion.policy_id == GENERAL))
            == 1
        )
        entry = db.session.scalar(
            select(AdminAuditEntry).where(AdminAuditEntry.action == AdminAction.POLICY_RENAMED)
        )
        assert entry.detail["changes"] == {
            "name": ["Service pledge", "通用服务承诺"],
            "name_en": ["Service pledge", "General service pledge"],
        }
    audit = page(client, "/admin/audit", EN)
    assert "Pledge policy renamed" in audit and "Name in Chinese: Service pledge → 通用服务承诺" in audit


@pytest.mark.parametrize(
    "names, field",
    [
        ({"name": "", "name_en": "General"}, "name"),
        ({"name": "通用", "name_en": ""}, "name_en"),
        ({"name": "长" * 121, "name_en": "General"}, "name"),
        ({"name": "通用", "name_en": "x" * 121}, "name_en"),
    ],
)
def test_a_policy_needs_both_names_within_their_length(app, client, world, as_admin, names, field):
    response = client.post(f"/admin/policies/{GENERAL}/names", data=names)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text
    with app.app_context():
        assert db.session.get(SlaPolicy, GENERAL).name == "Service pledge"


def test_a_version_note_in_english_alone_is_refused_beside_the_chinese_field(client, world, as_admin):
    from tests.integration.test_admin_pledges import targets_form

    data = targets_form(GENERAL, note="", note_en="Faster answers")
    response = client.post(f"/admin/policies/{GENERAL}", data=data)
    assert response.status_code == 400
    assert 'id="note-error"' in response.text


def test_a_calendar_and_its_declared_days_are_named_in_both_languages(app, client, world, as_admin):
    from tests.integration.test_admin_pledges import calendar_form

    names = {"name": "上海办公日历", "name_en": "Shanghai office calendar"}
    assert client.post(f"/admin/calendars/{CN}", data=calendar_form(**names)).status_code == 302
    day = {"day": "2026-09-25", "kind": "holiday", "note": "中秋节", "note_en": "Mid-Autumn Festival"}
    assert client.post(f"/admin/calendars/{CN}/days", data=day).status_code == 302
    # English first: the page after the change carries its message, written in the language it was made in.
    english, chinese = page(client, "/admin/calendars", EN), page(client, "/admin/calendars", ZH)
    assert only_in(chinese, "上海办公日历", "Shanghai office calendar")
    assert only_in(chinese, "中秋节", "Mid-Autumn Festival")
    assert only_in(english, "Shanghai office calendar", "上海办公日历")
    assert only_in(english, "Mid-Autumn Festival", "中秋节")
    # The calendar's own page: its title and the day's note in the admin's language, both names in the form.
    chinese, english = page(client, f"/admin/calendars/{CN}", ZH), page(client, f"/admin/calendars/{CN}", EN)
    assert "上海办公日历”</h1>" in chinese and ">中秋节</td>" in chinese
    assert "Shanghai office calendar”</h1>" in english and ">Mid-Autumn Festival</td>" in english
    assert 'value="上海办公日历"' in english and 'value="Shanghai office calendar"' in chinese
    with app.app_context():
        calendar = db.session.get(WorkCalendar, CN)
        assert (calendar.name, calendar.name_en) == ("上海办公日历", "Shanghai office calendar")
        renamed = db.session.scalar(
            select(AdminAuditEntry).where(AdminAuditEntry.action == AdminAction.CALENDAR_UPDATED)
        )
        assert set(renamed.detail["changes"]) == {"name", "name_en"}


@pytest.mark.parametrize(
    "day, field",
    [
        ({"note": "", "note_en": "National Day"}, "note"),
        ({"note": "节" * 201, "note_en": ""}, "note"),
        ({"note": "国庆节", "note_en": "x" * 201}, "note_en"),
    ],
)
def test_a_declared_days_note_is_checked_beside_its_field(client, world, as_admin, day, field):
    response = client.post(
        f"/admin/calendars/{CN}/days", data={"day": "2026-10-01", "kind": "holiday", **day}
    )
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text


# --- The seeds --------------------------------------------------------------------------------


def test_the_seeds_organisations_are_pairs_of_a_chinese_and_an_english_name():
    for chinese, english in texts.MEDIATION_ORGANISATIONS:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese)
        assert english.isascii()


def test_naming_the_shipped_pledge_keeps_a_name_an_admin_gave(app, world):
    with app.app_context():
        db.session.get(SlaPolicy, GENERAL).name = "我们的承诺"
        db.session.commit()
        name_the_shipped_pledge()
        db.session.commit()
        general, major = db.session.get(SlaPolicy, GENERAL), db.session.get(SlaPolicy, 2)
        assert general.name == "我们的承诺"
        assert (major.name, major.name_en) == ("服务承诺：重大投诉", "Service pledge: major complaints")
