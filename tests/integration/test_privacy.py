"""Personal data: masked contact details, a consumer's own export, account deletion, account edit."""

from __future__ import annotations

import json
import logging

import pytest
from flask import render_template_string
from flask_login import AnonymousUserMixin, login_user
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Event, Message, Notification, NotificationKind, Role, SettlementOffer, User
from complaints.services.accounts import create_user
from complaints.services.attachments import Upload
from complaints.services.notifications import notify
from complaints.services.privacy import contact_for, mask_email, mask_phone, update_profile
from complaints.workflow import Action, Refusal
from tests.support import PASSWORD
from tests.support import act_as as act

PNG = (  # a valid 1x1 transparent PNG
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\x0bIDATx\x9cc`\x00\x02\x00\x00\x05\x00\x01z^\xab?\x00\x00\x00\x00IEND\xaeB`\x82"
)
INTERNAL_NOTE = "Staff only: the shop owner is a friend of the area manager."
AGENT_REPLY = "We have asked the shop to test the headphones."
CONSUMER_REPLY = "Thank you, I still have the box and the receipt."
PHONE = "13812345678"


@pytest.fixture
def worked_complaint(world):
    """The consumer's complaint with evidence, a public exchange and an internal note; plus a
    complaint of another consumer. Returns (reference, other consumer's reference)."""
    ref = world.file(files=[Upload("receipt.png", PNG)])
    other = world.file("other_consumer", title="Another person's broken kettle")
    act(world, ref, "agent", Action.CLAIM)
    act(world, ref, "agent", Action.REPLY, body=AGENT_REPLY)
    act(world, ref, "agent", Action.NOTE, body=INTERNAL_NOTE)
    act(world, ref, "consumer", Action.REPLY, body=CONSUMER_REPLY)
    notify([world.consumer.id], NotificationKind.SLA_BREACH, world.complaint(ref).id, {"reference": ref})
    world.user("consumer").phone = PHONE
    db.session.commit()
    return ref, other


# --- Masking ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("lilei@example.com", "l***@example.com"),
        ("  LiLei@Example.com ", "L***@Example.com"),
        ("a@example.com", "***@example.com"),  # a one-letter name would be shown whole
        ("@example.com", "***@example.com"),
        ("odd@name@example.com", "o***@example.com"),
        ("not-an-email", "n***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_email_keeps_only_the_first_letter_and_the_domain(email, masked):
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+86 138-1234-5678", "+86138****5678"),
        ("010-12345678", "010****5678"),
        ("12345678", "****5678"),  # short numbers never keep their first digits
        ("12345", "****45"),
        ("123", "****"),
        ("n/a", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone_hides_the_middle_digits(phone, masked):
    assert mask_phone(phone) == masked


def _merchant_staff(world) -> User:
    user = create_user(
        email="shop@example.com",
        name="Shop",
        password=PASSWORD,
        role=Role.MERCHANT,
        merchant_id=world.merchant_ids[0],
    )
    db.session.commit()
    return user


@pytest.mark.parametrize(
    ("viewer", "sees_email", "sees_phone"),
    [
        ("consumer", True, True),
        ("agent", True, True),
        ("supervisor", True, True),
        ("admin", True, False),
        ("mediator", False, False),
        ("other_consumer", False, False),
        ("merchant", False, False),
        ("anonymous", False, False),
    ],
)
def test_only_people_who_contact_the_consumer_see_their_full_contact_details(
    world, viewer, sees_email, sees_phone
):
    consumer = world.user("consumer")
    consumer.phone = PHONE
    if viewer == "merchant":
        who = _merchant_staff(world)
    elif viewer == "anonymous":
        who = AnonymousUserMixin()
    else:
        who = world.user(viewer)
    contact = contact_for(who, consumer)
    assert contact["name"] == "Consumer"
    assert contact["email"] == ("consumer@example.com" if sees_email else "c***@example.com")
    assert contact["phone"] == (PHONE if sees_phone else "138****5678")
    assert contact["email_masked"] is not sees_email
    assert contact["phone_masked"] is not sees_phone


CONTACT_TEMPLATE = (
    '{% from "_contact.html" import consumer_contact %}<dl>{{ consumer_contact(contact) }}</dl>'
)


def _render_contact(app, world, viewer: str) -> str:
    with app.test_request_context("/"):
        login_user(world.user(viewer))
        contact = contact_for(world.user(viewer), world.user("consumer"))
        return render_template_string(CONTACT_TEMPLATE, contact=contact)


def test_contact_macro_gives_agents_links_to_write_and_call(app, world):
    world.user("consumer").phone = PHONE
    db.session.commit()
    html = _render_contact(app, world, "agent")
    assert 'href="mailto:consumer@example.com"' in html
    assert 'href="tel:13812345678"' in html


def test_contact_macro_shows_mediators_masked_details_only(app, world):
    world.user("consumer").phone = PHONE
    db.session.commit()
    html = _render_contact(app, world, "mediator")
    assert "Consumer" in html
    assert "c***@example.com" in html and "138****5678" in html
    assert "consumer@example.com" not in html and PHONE not in html
    assert "mailto:" not in html and "tel:" not in html


# --- Export ----------------------------------------------------------------------------------


def _export(client, auth, world):
    auth.login(world.consumer.email)
    return client.get("/account/export")


def test_consumer_downloads_their_data_as_a_json_attachment(client, auth, world, worked_complaint):
    response = _export(client, auth, world)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="pledgedesk-export-2026-03-02.json"'
    )
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "consumer@example.com"
    assert data["account"]["phone"] == PHONE
    assert data["exported_at"] == "2026-03-02T02:00:00Z"


def test_a_consumer_without_complaints_gets_an_export_of_their_account(client, auth, world):
    auth.login(world.other_consumer.email)
    data = client.get("/account/export").get_json()
    assert data["account"]["email"] == "other_consumer@example.com"
    assert data["complaints"] == [] and data["notifications"] == []


def test_export_holds_the_consumers_complaint_with_public_messages_timeline_evidence_and_clocks(
    client, auth, world, worked_complaint
):
    ref, _ = worked_complaint
    data = json.loads(_export(client, auth, world).get_data(as_text=True))
    [complaint] = data["complaints"]
    assert complaint["reference"] == ref
    assert complaint["claimed_amount"] == "299.00"
    assert [(m["author"], m["body"]) for m in complaint["messages"]] == [
        ("platform_staff", AGENT_REPLY),
        ("you", CONSUMER_REPLY),
    ]
    actions = [e["action"] for e in complaint["timeline"]]
    assert actions[0] == "filed" and "claim" in actions and "reply" in actions
    assert all(e["at"].endswith("Z") for e in complaint["timeline"])
    [evidence] = complaint["attachments"]
    assert evidence["name"] == "receipt.png" and evidence["content_type"] == "image/png"
    assert evidence["size"] == len(PNG) and len(evidence["sha256"]) == 64
    assert {c["kind"] for c in complaint["clocks"]} == {"response", "verification", "resolution"}
    assert all(c["started_at"] == "2026-03-02T02:00:00Z" for c in complaint["clocks"])
    assert {n["complaint"] for n in data["notifications"]} == {ref}


def test_export_leaves_out_internal_notes_staff_details_and_other_consumers(
    client, auth, world, worked_complaint
):
    _, other = worked_complaint
    text = _export(client, auth, world).get_data(as_text=True)
    assert INTERNAL_NOTE not in text
    assert "note" not in [e["action"] for c in json.loads(text)["complaints"] for e in c["timeline"]]
    assert other not in text and "kettle" not in text
    assert "$argon2" not in text and "password" not in text
    assert "assignee" not in text  # which agent claimed it stays with the platform
    assert "agent@example.com" not in text


@pytest.mark.parametrize("who", ["agent", "supervisor", "mediator", "admin"])
def test_only_consumers_can_download_or_delete_an_account(client, auth, world, who):
    auth.login(getattr(world, who).email)
    assert client.get("/account/export").status_code == 403
    assert client.get("/account/delete").status_code == 403
    assert client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"}).status_code == 403
    assert world.user(who).active


def test_signed_out_visitors_are_sent_to_sign_in_for_the_export(client):
    response = client.get("/account/export")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- Deletion --------------------------------------------------------------------------------


def _counts(complaint_id: int) -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).where(Message.complaint_id == complaint_id)),
        db.session.scalar(select(func.count()).where(Event.complaint_id == complaint_id)),
    )


def test_deletion_with_a_wrong_password_is_refused_and_changes_nothing(client, auth, world, worked_complaint):
    auth.login(world.consumer.email)
    response = client.post("/account/delete", data={"password": "not-my-password-1", "confirm": "y"})
    assert response.status_code == 400
    assert "That is not your current password." in response.get_data(as_text=True)
    db.session.expire_all()
    consumer = world.user("consumer")
    assert (consumer.name, consumer.email, consumer.phone, consumer.active) == (
        "Consumer",
        "consumer@example.com",
        PHONE,
        True,
    )
    assert client.get("/account").status_code == 200  # still signed in


def test_deletion_needs_the_confirmation_box(client, auth, world):
    auth.login(world.consumer.email)
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 400
    assert "Tick the box to confirm." in response.get_data(as_text=True)
    db.session.expire_all()
    assert world.user("consumer").active


def test_deleting_the_account_anonymises_it_and_ends_the_session(
    client, auth, world, worked_complaint, caplog, monkeypatch
):
    ref, _ = worked_complaint
    # Alembic's fileConfig (run by the app fixture's upgrade) disables loggers that exist already.
    monkeypatch.setattr(logging.getLogger("complaints.services.privacy"), "disabled", False)
    complaint_id = world.complaint(ref).id
    before = _counts(complaint_id)
    auth.login(world.consumer.email)
    assert client.get("/account/delete").status_code == 200
    with caplog.at_level(logging.INFO, logger="complaints.services.privacy"):
        response = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "account_deleted" in caplog.text and "consumer@example.com" not in caplog.text

    db.session.expire_all()
    user = db.session.get(User, world.consumer.id)
    assert user.name == "Deleted user"
    assert user.email == f"deleted-{user.id}@invalid"
    assert (user.phone, user.locale, user.timezone, user.active) == (None, None, None, False)
    assert not user.password_hash.startswith("$argon2")
    assert db.session.scalar(select(func.count()).where(Notification.user_id == user.id)) == 0

    assert client.get("/account").status_code == 302  # the session is over
    complaint = world.complaint(ref)
    assert complaint.consumer_id == user.id and complaint.claimed_amount is not None
    assert _counts(complaint_id) == before  # messages kept, no event added to the timeline


def test_a_deleted_account_cannot_sign_in(client, auth, world):
    auth.login(world.consumer.email)
    client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    response = auth.login(world.consumer.email)
    assert response.status_code == 400
    assert "Email or password is wrong." in response.get_data(as_text=True)
    # Nor under the placeholder address, which is not even a valid email.
    assert auth.login(f"deleted-{world.consumer.id}@invalid").status_code == 400
    assert client.get("/portal/complaints").status_code == 302


def test_agents_still_see_the_complaint_of_a_deleted_account_as_deleted_user(
    client, auth, world, worked_complaint
):
    ref, _ = worked_complaint
    auth.login(world.consumer.email)
    client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    auth.login(world.agent.email)
    page = client.get(f"/desk/complaints/{ref}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Deleted user" in html
    assert CONSUMER_REPLY in html  # the consumer's own words stay part of the dispute record
    assert "consumer@example.com" not in html
    db.session.expire_all()
    assert contact_for(world.user("agent"), world.user("consumer"))["deleted"] is True


def test_contact_macro_shows_a_deleted_account_without_contact_details(app, client, auth, world):
    auth.login(world.consumer.email)
    client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    db.session.expire_all()
    html = _render_contact(app, world, "agent")
    assert "Deleted user" in html
    assert "@invalid" not in html and "mailto:" not in html


# --- Editing the account ---------------------------------------------------------------------


def _profile(**overrides) -> dict:
    data = {"name": "Li Lei", "phone": "+86 138 1234 5678", "locale": "en", "timezone": "Europe/London"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["consumer", "agent", "supervisor", "mediator", "admin"])
def test_everyone_sees_their_own_account_page(client, auth, world, who):
    auth.login(getattr(world, who).email)
    page = client.get("/account")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"{who}@example.com" in html
    assert ("/account/export" in html) is (who == "consumer")


def test_the_language_being_read_is_preselected(client, auth, world):
    auth.login(world.consumer.email)
    assert '<option selected value="en">English</option>' in client.get("/account").get_data(as_text=True)


def test_account_details_are_saved(client, auth, world):
    auth.login(world.consumer.email)
    response = client.post("/account", data=_profile())
    assert response.status_code == 302
    db.session.expire_all()
    user = world.user("consumer")
    assert (user.name, user.phone, user.locale, user.timezone) == (
        "Li Lei",
        "+86 138 1234 5678",
        "en",
        "Europe/London",
    )
    assert "Your details were saved." in client.get("/account").get_data(as_text=True)


def test_the_platform_default_time_zone_can_be_chosen_again(client, auth, world):
    auth.login(world.consumer.email)
    client.post("/account", data=_profile(timezone="Asia/Shanghai"))
    assert client.post("/account", data=_profile(timezone="")).status_code == 302
    db.session.expire_all()
    assert world.user("consumer").timezone is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "Choose a time zone from the list."),
        ({"phone": "call me maybe"}, "Give a phone number of digits, optionally starting with +."),
        ({"name": ""}, "This field is required."),
        ({"locale": "fr"}, "Not a valid choice."),
    ],
)
def test_invalid_account_details_are_refused(client, auth, world, overrides, message):
    auth.login(world.consumer.email)
    response = client.post("/account", data=_profile(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert (world.user("consumer").name, world.user("consumer").timezone) == ("Consumer", None)


def test_the_service_checks_time_zones_with_zoneinfo(world):
    with pytest.raises(Refusal):
        update_profile(world.user("consumer"), name="Li Lei", phone=None, locale="en", timezone="Not/A_Zone")


def _password_change(client, current=PASSWORD, new="a-new-secret-42", repeat=None):
    return client.post(
        "/account/password",
        data={"pw-current": current, "pw-new": new, "pw-repeat": repeat if repeat is not None else new},
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"current": "not-my-password-1"}, "That is not your current password."),
        ({"new": "onlyletters"}, "Mix letters with digits or symbols."),
        ({"new": "short-1"}, "Use at least 10 characters."),
        ({"repeat": "something-else-1"}, "The two passwords differ."),
    ],
)
def test_a_password_change_is_refused_when_it_breaks_a_rule(client, auth, world, kwargs, message):
    auth.login(world.agent.email)
    response = _password_change(client, **kwargs)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    auth.logout()
    assert auth.login(world.agent.email).status_code == 302  # the old password still works


def test_a_changed_password_replaces_the_old_one(client, auth, world):
    auth.login(world.agent.email)
    assert _password_change(client).status_code == 302
    auth.logout()
    assert auth.login(world.agent.email).status_code == 400
    assert auth.login(world.agent.email, "a-new-secret-42").status_code == 302


def test_export_holds_the_shops_offers_and_the_consumers_answer(client, auth, world, worked_complaint, clock):
    from datetime import timedelta

    ref, _ = worked_complaint
    perform_by = clock.now() + timedelta(days=2)
    act(
        world,
        ref,
        "merchant",
        Action.PROPOSE_SETTLEMENT,
        kind="repair",
        terms="免费维修",
        perform_by=perform_by,
    )
    offer_id = db.session.scalar(select(SettlementOffer.id))
    act(world, ref, "consumer", Action.DECLINE_SETTLEMENT, offer_id=offer_id, reason="我要退款")
    [complaint] = json.loads(_export(client, auth, world).get_data(as_text=True))["complaints"]
    [offer] = complaint["settlement_offers"]
    assert (offer["kind"], offer["amount"], offer["terms"]) == ("repair", None, "免费维修")
    assert (offer["status"], offer["decline_reason"]) == ("declined", "我要退款")
    assert offer["perform_by"] == "2026-03-04T02:00:00Z"
