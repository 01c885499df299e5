"""Canned replies: supervisors write them in Chinese and English with placeholders; an agent
inserts one into the reply box (no script needed) in the consumer's language, filled from the
complaint, after what they had typed; the reply sent is the one the consumer reads."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import CannedReply, Message
from complaints.services import canned_replies as canned
from complaints.services.administration import InvalidField
from tests.support import PASSWORD, csrf_token_from, statements_during, version_from

BODY_ZH = "{consumer_name}您好，关于投诉 {reference}（{shop}），我们会在 {next_pledge_date} 前答复您。客服 {agent_name}"
BODY_EN = (
    "Dear {consumer_name}, about {reference} ({shop}): we answer you by {next_pledge_date}. {agent_name}"
)


def signed_in(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def plant(world, **overrides) -> int:
    values = dict(title_zh="答复时限", title_en="When we answer", body_zh=BODY_ZH, body_en=BODY_EN)
    values.update(overrides)
    reply = canned.create_canned_reply(world.user("supervisor"), **values)
    db.session.commit()
    return reply.id


def set_locale(world, key: str, locale: str | None, timezone: str | None = None) -> None:
    user = world.user(key)
    user.locale, user.timezone = locale, timezone
    db.session.commit()


def textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    assert match, f"no {name} box"
    from html import unescape

    return unescape(match.group(1))


# --- the service ----------------------------------------------------------------------------


def test_unknown_placeholders_are_refused_at_save_time_beside_their_field(app, world):
    with pytest.raises(InvalidField) as refused:
        canned.create_canned_reply(
            world.user("supervisor"),
            title_zh="订单",
            title_en="Order",
            body_zh="订单 {order_number}",
            body_en="Order {reference}",
        )
    assert refused.value.field == "body_zh"
    assert "{order_number}" in refused.value.message and "{reference}" in refused.value.message
    with pytest.raises(InvalidField) as refused:
        canned.create_canned_reply(
            world.user("supervisor"), title_zh="x", title_en="", body_zh="好", body_en="ok"
        )
    assert refused.value.field == "title_en"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CannedReply)) == 0


def test_a_chinese_consumer_gets_the_chinese_text_filled_from_the_complaint(app, world):
    set_locale(world, "consumer", "zh_CN", "Asia/Shanghai")
    reference = world.file()
    reply = db.session.get(CannedReply, plant(world))
    text = canned.reply_text(reply, world.complaint(reference), world.user("agent"))
    # The first response is pledged within 24 hours of filing (Monday 10:00 in Shanghai).
    assert text == (
        f"Consumer您好，关于投诉 {reference}（优品数码旗舰店），我们会在 2026年3月3日 10:00:00 前答复您。客服 Agent"
    )


def test_an_english_consumer_gets_the_english_text_with_the_date_in_their_zone(app, world):
    set_locale(world, "consumer", "en", "Europe/London")
    reference = world.file()
    reply = db.session.get(CannedReply, plant(world))
    text = canned.reply_text(reply, world.complaint(reference), world.user("agent"))
    # London is 8 hours behind Shanghai in March (babel puts a narrow space before AM).
    expected = (
        f"Dear Consumer, about {reference} (优品数码旗舰店): we answer you by Mar 3, 2026, 2:00:00 AM. Agent"
    )
    assert text.replace("\u202f", " ") == expected


def test_without_a_running_pledge_the_date_says_so_in_the_consumers_language(app, world):
    set_locale(world, "consumer", "en")
    reference = world.file()
    from complaints.models import SlaClock

    for clock in db.session.scalars(select(SlaClock)):
        clock.paused_at = clock.started_at  # nothing counts down
    db.session.commit()
    values = canned.placeholder_values(world.complaint(reference), world.user("agent"), "en")
    assert values["next_pledge_date"] == "no pledged date is pending"


def test_a_deactivated_reply_is_kept_but_no_longer_offered(app, world):
    reply_id = plant(world)
    reply = db.session.get(CannedReply, reply_id)
    canned.set_active(reply, world.user("supervisor"), False)
    db.session.commit()
    assert canned.canned_replies(active_only=True) == []
    assert [r.id for r in canned.canned_replies(active_only=False)] == [reply_id]
    assert canned.find_canned_reply(reply_id, active_only=True) is None


def test_the_picker_offers_the_active_replies_by_title_in_the_readers_language(app, world):
    first = plant(world)
    retired = plant(world, title_zh="旧的", title_en="Old one")
    last = plant(world, title_zh="退款已安排", title_en="Refund arranged")
    canned.set_active(db.session.get(CannedReply, retired), world.user("supervisor"), False)
    db.session.commit()

    chinese, statements = statements_during(lambda: canned.offered_titles("zh_CN"))

    assert chinese == [(first, "答复时限"), (last, "退款已安排")]
    assert canned.offered_titles("en") == [(first, "When we answer"), (last, "Refund arranged")]
    read = [s for s in statements if "canned_replies" in s]
    assert len(read) == 1 and "body_zh" not in read[0] and "body_en" not in read[0]  # titles alone


# --- the composer -----------------------------------------------------------------------------


def test_an_agent_inserts_a_canned_reply_after_what_they_typed_then_sends_it(app, world):
    set_locale(world, "consumer", "zh_CN")
    reference = world.file()
    reply_id = plant(world)
    agent = signed_in(app, "agent@example.com")
    page = agent.get(f"/desk/complaints/{reference}").get_data(as_text=True)
    assert "When we answer" in page  # offered by its title in the agent's language
    token = csrf_token_from(page)
    inserted = agent.post(
        f"/desk/complaints/{reference}/canned-reply",
        data={"csrf_token": token, "canned_reply_id": str(reply_id), "reply_body": "您好，"},
    )
    assert inserted.status_code == 200
    body = textarea(inserted.get_data(as_text=True), "reply_body")
    assert body.startswith("您好，\n\nConsumer您好，关于投诉 " + reference)
    assert "{" not in body
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0  # nothing sent yet
    sent = agent.post(
        f"/desk/complaints/{reference}/reply",
        data={"csrf_token": token, "version": version_from(page), "reply_body": body},
    )
    assert sent.status_code == 302
    assert db.session.scalars(select(Message.body)).one() == body


def test_the_script_gets_the_text_alone_as_json(app, world):
    reference = world.file()
    reply_id = plant(world)
    agent = signed_in(app, "agent@example.com")
    token = csrf_token_from(agent.get(f"/desk/complaints/{reference}").get_data(as_text=True))
    answer = agent.post(
        f"/desk/complaints/{reference}/canned-reply",
        data={"csrf_token": token, "canned_reply_id": str(reply_id)},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200
    assert reference in answer.get_json()["text"]
    refused = agent.post(
        f"/desk/complaints/{reference}/canned-reply",
        data={"csrf_token": token, "canned_reply_id": ""},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 400 and refused.get_json()["error"]


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ("", "Choose a canned reply to insert."),
        ("999999", "Not a valid choice"),
        ("abc", "Not a valid choice"),
    ],
)
def test_a_bad_choice_keeps_what_was_typed_and_says_why(app, world, chosen, message):
    reference = world.file()
    plant(world)
    agent = signed_in(app, "agent@example.com")
    token = csrf_token_from(agent.get(f"/desk/complaints/{reference}").get_data(as_text=True))
    response = agent.post(
        f"/desk/complaints/{reference}/canned-reply",
        data={"csrf_token": token, "canned_reply_id": chosen, "reply_body": "已经写好的内容"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'id="problem"' in html
    assert textarea(html, "reply_body") == "已经写好的内容"


def test_a_retired_reply_or_a_closed_complaint_is_refused_clearly(app, world):
    reference = world.file()
    reply_id = plant(world)
    agent = signed_in(app, "agent@example.com")
    token = csrf_token_from(agent.get(f"/desk/complaints/{reference}").get_data(as_text=True))
    canned.set_active(db.session.get(CannedReply, reply_id), world.user("supervisor"), False)
    db.session.commit()
    response = agent.post(
        f"/desk/complaints/{reference}/canned-reply",
        data={"csrf_token": token, "canned_reply_id": str(reply_id)},
    )
    assert response.status_code == 400  # no longer among the choices
    from complaints.workflow import Action
    from tests.support import act_as

    act_as(world, reference, "consumer", Action.WITHDRAW)
    response = agent.post(
        f"/desk/complaints/{reference}/canned-reply", data={"csrf_token": token, "canned_reply_id": "1"}
    )
    assert response.status_code == 409
    assert "No reply can be written on this complaint now." in response.get_data(as_text=True)
    assert (
        agent.post("/desk/complaints/C-2026-999999/canned-reply", data={"csrf_token": token}).status_code
        == 404
    )


# --- managing them ------------------------------------------------------------------------------


def test_a_supervisor_writes_changes_and_retires_a_canned_reply(app, world):
    supervisor = signed_in(app, "supervisor@example.com")
    page = supervisor.get("/desk/canned-replies")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in canned.PLACEHOLDERS:
        assert "{" + name + "}" in html  # documented where they are managed
    form = supervisor.get("/desk/canned-replies/new").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(form),
        "title_zh": "已转店铺",
        "title_en": "Passed to the shop",
        "body_zh": "您的投诉 {reference} 已转给{shop}。",
        "body_en": "Your complaint {reference} went to {shop}.",
    }
    assert supervisor.post("/desk/canned-replies/new", data=data).status_code == 302
    reply = db.session.scalars(select(CannedReply)).one()
    assert (reply.created_by_id, reply.active) == (world.people["supervisor"].id, True)
    data["body_en"] = "Your complaint {reference} went to {shop} today."
    assert supervisor.post(f"/desk/canned-replies/{reply.id}", data=data).status_code == 302
    db.session.expire_all()
    assert reply.body_en.endswith("today.")
    token = data["csrf_token"]
    assert (
        supervisor.post(
            f"/desk/canned-replies/{reply.id}/active", data={"csrf_token": token, "active": "0"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert reply.active is False
    assert (
        supervisor.post(
            f"/desk/canned-replies/{reply.id}/active", data={"csrf_token": token, "active": "x"}
        ).status_code
        == 400
    )
    assert supervisor.get("/desk/canned-replies/999999").status_code == 404


def test_an_unknown_placeholder_is_shown_beside_its_field_with_the_text_kept(app, world):
    supervisor = signed_in(app, "supervisor@example.com")
    token = csrf_token_from(supervisor.get("/desk/canned-replies/new").get_data(as_text=True))
    response = supervisor.post(
        "/desk/canned-replies/new",
        data={
            "csrf_token": token,
            "title_zh": "订单",
            "title_en": "Order",
            "body_zh": "您的订单 {order}",
            "body_en": "Your order",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Unknown placeholder: {order}." in html
    assert 'href="#body_zh"' in html  # the summary links to the field
    assert "您的订单 {order}" in html
    assert db.session.scalar(select(func.count()).select_from(CannedReply)) == 0


def test_agents_may_insert_but_not_manage(app, world):
    agent = signed_in(app, "agent@example.com")
    assert agent.get("/desk/canned-replies").status_code == 403
    assert agent.get("/desk/canned-replies/new").status_code == 403
