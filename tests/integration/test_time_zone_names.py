"""Time zones are shown by their city in the viewer's language, with their offset; what is chosen
and stored stays the IANA name."""

from __future__ import annotations

from flask_babel import refresh

from complaints.extensions import db
from complaints.models import User, WorkCalendar
from complaints.services.lifecycle import apply_action
from complaints.workflow import Action
from tests.support import csrf_token_from, mediation_accepted

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def get(client, url: str, headers: dict) -> str:
    """A page in the language `headers` ask for (the world fixture's app context outlives each
    request, and Babel keeps the language it found in it)."""
    refresh()
    return client.get(url, headers=headers).text


def speaks(app, world, key: str, locale: str | None) -> None:
    """Set the language `world`'s `key` saved (None: follow Accept-Language)."""
    with app.app_context():
        db.session.get(User, world.people[key].id).locale = locale
        db.session.commit()


def test_the_account_page_offers_zones_by_city_in_english(app, client, auth, world):
    speaks(app, world, "consumer", "en")
    auth.login(world.consumer.email)
    page = get(client, "/account", EN)
    assert '<option value="Asia/Shanghai">Shanghai (UTC+8)</option>' in page
    assert '<option value="Asia/Tokyo">Tokyo (UTC+9)</option>' in page
    assert ">Asia/Tokyo<" not in page


def test_the_account_page_offers_zones_by_city_in_chinese(app, client, auth, world):
    speaks(app, world, "consumer", "zh_CN")
    auth.login(world.consumer.email)
    page = get(client, "/account", ZH)
    assert '<option value="Asia/Shanghai">上海（UTC+8）</option>' in page
    assert '<option value="Europe/London">伦敦（UTC+0）</option>' in page  # March: winter time


def test_choosing_a_zone_by_its_city_stores_its_iana_name(app, client, auth, world):
    auth.login(world.consumer.email)
    page = get(client, "/account", ZH)
    response = client.post(
        "/account",
        data={
            "csrf_token": csrf_token_from(page),
            "name": "Consumer",
            "locale": "zh_CN",
            "timezone": "Asia/Tokyo",
        },
    )
    assert response.status_code in (200, 302)
    with app.app_context():
        assert db.session.get(User, world.consumer.id).timezone == "Asia/Tokyo"


def test_the_mediators_session_time_names_their_zone_in_their_language(client, auth, world, app):
    speaks(app, world, "mediator", None)
    auth.login(world.mediator.email)
    with app.app_context():
        reference = world.file()
        agent = world.user("agent")
        apply_action(world.complaint(reference), agent, Action.VERIFY)
        apply_action(world.complaint(reference), agent, Action.ESCALATE, mediation_org_id=world.org_id)
        db.session.commit()
        mediation_accepted(world.complaint(reference))
    assert "The time where you are, in Shanghai (UTC+8)." in get(client, f"/mediation/cases/{reference}", EN)
    assert "按您所在地的时间填写，时区为上海（UTC+8）。" in get(client, f"/mediation/cases/{reference}", ZH)


def test_the_calendar_form_shows_its_zone_by_city_and_suggests_others(app, client, auth, world):
    speaks(app, world, "admin", None)
    auth.login(world.people["admin"].email)
    with app.app_context():
        calendar = db.session.scalars(db.select(WorkCalendar)).first()
    english = get(client, f"/admin/calendars/{calendar.id}", EN)
    assert "Current time zone: Shanghai (UTC+8)." in english
    assert '<option value="Asia/Tokyo">Tokyo (UTC+9)</option>' in english
    assert 'list="time-zones"' in english
    chinese = get(client, f"/admin/calendars/{calendar.id}", ZH)
    assert "上海（UTC+8）" in chinese
    assert '<option value="Asia/Tokyo">东京（UTC+9）</option>' in chinese
