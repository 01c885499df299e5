"""A shop's staff: the admin opens accounts for a shop or invites by e-mail, the link opens a
merchant account of that shop once, and every change is in the admin audit log."""

from __future__ import annotations

import email
import re
import socket
from datetime import timedelta
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import AdminAction, AdminAuditEntry, MerchantInvitation, Message, Role, User

STRONG = "shop-shift-2026"
INVITEE = "xiaoli@shop.example"


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def audit(action: AdminAction) -> list[AdminAuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AdminAuditEntry).where(AdminAuditEntry.action == action)))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def as_admin(auth, world):
    auth.login(world.admin.email)


def invite(client, world, email: str = INVITEE, name: str = "李小") -> str:
    """Invite `email` to shop A as the signed-in admin; return the link the merchants page shows once."""
    response = client.post(
        f"/admin/merchants/{world.merchant_ids[0]}/invitations/new", data={"name": name, "email": email}
    )
    assert response.status_code == 302, response.text
    page = client.get("/admin/merchants").text
    match = re.search(r'<code class="invitation-link">([^<]+)</code>', page)
    assert match, "the new invitation's link is not shown"
    return match.group(1).removeprefix("http://localhost")


def accept(client, link: str, name: str = "李小", password: str = STRONG, confirm: str | None = None):
    return client.post(link, data={"name": name, "password": password, "confirm": confirm or password})


# --- Accounts the admin opens --------------------------------------------------------------------


def test_admin_creates_a_merchant_account_of_a_shop_who_then_signs_in(app, client, auth, world, as_admin):
    response = client.post(
        f"/admin/merchants/{world.merchant_ids[0]}/staff/new",
        data={"name": "王店长", "email": "Manager@Shop.example", "password": STRONG},
    )
    assert response.status_code == 302
    created = user_by_email("manager@shop.example")
    assert created.role is Role.MERCHANT and created.merchant_id == world.merchant_ids[0]
    page = client.get("/admin/merchants").text
    assert "王店长" in page and "manager@shop.example" in page
    [entry] = audit(AdminAction.STAFF_CREATED)
    assert entry.subject_id == created.id and entry.detail["shop_code"] == "SHOP-A"

    auth.logout()
    assert auth.login("manager@shop.example", STRONG).status_code == 302


def test_a_shop_can_have_several_staff_and_the_merchants_page_lists_each_shops_own(client, world, as_admin):
    for n in (1, 2):
        data = {"name": f"店员{n}", "email": f"clerk{n}@shop.example", "password": STRONG}
        assert (
            client.post(f"/admin/merchants/{world.merchant_ids[0]}/staff/new", data=data).status_code == 302
        )
    rows = client.get("/admin/merchants").text.split("<tr>")
    shop_a = next(row for row in rows if "SHOP-A" in row)
    shop_b = next(row for row in rows if "SHOP-B" in row)
    assert "clerk1@shop.example" in shop_a and "clerk2@shop.example" in shop_a
    assert world.merchant.email in shop_a  # the staff the world already had
    assert "clerk1@shop.example" not in shop_b


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "email": "a@shop.example", "password": STRONG}, "name", "This field is required."),
        ({"name": "   ", "email": "a@shop.example", "password": STRONG}, "name", "This field is required."),
        ({"name": "A", "email": "not-an-address", "password": STRONG}, "email", "Invalid email address."),
        ({"name": "A", "email": "a@shop.example", "password": "short1"}, "password", "Use at least 10"),
        ({"name": "A", "email": "a@shop.example", "password": "onlyletters"}, "password", "Mix letters"),
        ({"name": "A", "email": "merchant@example.com", "password": STRONG}, "email", "already exists"),
    ],
)
def test_bad_input_for_a_new_staff_account_is_shown_beside_its_field_and_nothing_is_written(
    client, world, as_admin, data, field, message
):
    users, entries = count(User), count(AdminAuditEntry)
    response = client.post(f"/admin/merchants/{world.merchant_ids[0]}/staff/new", data=data)
    assert response.status_code == 400
    assert message in response.text and f'id="{field}-error"' in response.text
    assert (count(User), count(AdminAuditEntry)) == (users, entries)


def test_staff_of_a_shop_that_does_not_exist_is_a_404(client, as_admin):
    data = {"name": "A", "email": "a@shop.example", "password": STRONG}
    assert client.post("/admin/merchants/999999/staff/new", data=data).status_code == 404
    assert client.post("/admin/merchants/999999/invitations/new", data=data).status_code == 404


# --- Invitations ---------------------------------------------------------------------------------


def test_an_invitation_link_opens_a_merchant_account_of_that_shop_and_signs_in(app, client, world, as_admin):
    link = invite(client, world)
    assert re.fullmatch(r"/invitations/[A-Za-z0-9_-]{43}", link)
    [invitation] = db.session.scalars(select(MerchantInvitation))
    token = link.rsplit("/", 1)[1]
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert "李小" in client.get("/admin/merchants").text  # pending, listed with its shop
    assert "invitation-link" not in client.get("/admin/merchants").text  # the link is shown once
    client.post("/logout")

    page = client.get(link)
    assert page.status_code == 200
    assert "优品数码旗舰店" in page.text and INVITEE in page.text
    response = accept(client, link, name="李小梅")
    assert response.status_code == 302
    user = user_by_email(INVITEE)
    assert user.role is Role.MERCHANT and user.merchant_id == world.merchant_ids[0] and user.name == "李小梅"
    # signed in as that account
    assert client.get("/account").status_code == 200
    assert "李小梅" in client.get("/account").text
    db.session.expire_all()
    used = db.session.get(MerchantInvitation, invitation.id)
    assert used.accepted_at is not None and used.user_id == user.id
    [entry] = audit(AdminAction.MERCHANT_INVITATION_ACCEPTED)
    assert entry.actor_id == user.id and entry.detail["shop_code"] == "SHOP-A"


def test_a_used_link_is_gone_and_opens_no_second_account(app, client, world, as_admin):
    link = invite(client, world)
    client.post("/logout")
    assert accept(client, link).status_code == 302
    client.post("/logout")
    users = count(User)
    assert client.get(link).status_code == 410
    response = accept(client, link, password="another-pass-99")
    assert response.status_code == 410
    assert "already been used" in response.text
    assert count(User) == users


def test_an_expired_link_is_gone(app, client, clock, world, as_admin):
    link = invite(client, world)
    client.post("/logout")
    clock.advance(days=7, seconds=1)
    page = client.get(link)
    assert page.status_code == 410 and "expired" in page.text
    assert accept(client, link).status_code == 410
    assert user_by_email(INVITEE) is None


def test_the_invitation_lifetime_is_configurable(app, client, world, as_admin):
    app.config["MERCHANT_INVITATION_DAYS"] = 2
    invite(client, world)
    [invitation] = db.session.scalars(select(MerchantInvitation))
    assert invitation.expires_at - invitation.created_at == timedelta(days=2)


def test_a_revoked_link_is_gone_and_the_revocation_is_audited(app, client, world, as_admin):
    link = invite(client, world)
    [invitation] = db.session.scalars(select(MerchantInvitation))
    response = client.post(f"/admin/merchants/invitations/{invitation.id}/revoke")
    assert response.status_code == 302
    assert "李小" not in client.get("/admin/merchants").text
    [entry] = audit(AdminAction.MERCHANT_INVITATION_REVOKED)
    assert entry.detail["email"] == INVITEE and entry.subject_type == "merchant"
    # revoking again changes nothing
    assert client.post(f"/admin/merchants/invitations/{invitation.id}/revoke").status_code == 302
    assert len(audit(AdminAction.MERCHANT_INVITATION_REVOKED)) == 1
    client.post("/logout")
    page = client.get(link)
    assert page.status_code == 410 and "withdrawn" in page.text
    assert accept(client, link).status_code == 410
    assert user_by_email(INVITEE) is None


@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 5000, "%F0%9D%95%8F", "..%2F..%2Fetc"])
def test_an_unknown_link_is_a_404(client, world, token):
    assert client.get(f"/invitations/{token}").status_code == 404
    response = client.post(f"/invitations/{token}", data={"name": "A", "password": STRONG, "confirm": STRONG})
    assert response.status_code == 404
    assert count(User) == len(world.people)


def test_an_invitation_is_audited_with_its_shop_and_email(client, world, as_admin):
    invite(client, world)
    [entry] = audit(AdminAction.MERCHANT_INVITED)
    assert entry.actor_id == world.admin.id
    assert (entry.subject_type, entry.subject_id) == ("merchant", world.merchant_ids[0])
    assert entry.detail["email"] == INVITEE
    assert client.get("/admin/audit").status_code == 200
    assert "Shop staff invited" in client.get("/admin/audit").text


def test_inviting_an_email_that_has_an_account_or_an_open_invitation_is_refused(client, world, as_admin):
    url = f"/admin/merchants/{world.merchant_ids[0]}/invitations/new"
    taken = client.post(url, data={"name": "A", "email": world.agent.email})
    assert taken.status_code == 400 and "already exists" in taken.text
    invite(client, world)
    again = client.post(url, data={"name": "A", "email": INVITEE.upper()})
    assert again.status_code == 400 and "still open" in again.text
    assert count(MerchantInvitation) == 1


def test_a_link_whose_email_registered_meanwhile_is_refused_clearly(app, client, world, as_admin):
    link = invite(client, world)
    client.post(
        f"/admin/merchants/{world.merchant_ids[1]}/staff/new",
        data={"name": "Other", "email": INVITEE, "password": STRONG},
    )
    client.post("/logout")
    page = client.get(link)
    assert "An account with this email already exists" in page.text
    response = accept(client, link)
    assert response.status_code == 409
    assert user_by_email(INVITEE).merchant_id == world.merchant_ids[1]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "password": STRONG, "confirm": STRONG}, "name", "This field is required."),
        ({"name": " ", "password": STRONG, "confirm": STRONG}, "name", "This field is required."),
        ({"name": "A", "password": "short1", "confirm": "short1"}, "password", "Use at least 10"),
        ({"name": "A", "password": "1234567890", "confirm": "1234567890"}, "password", "Mix letters"),
        ({"name": "A", "password": STRONG, "confirm": "different-9"}, "confirm", "differ"),
    ],
)
def test_bad_input_on_the_invitation_page_is_shown_and_the_link_still_works(
    client, world, as_admin, data, field, message
):
    link = invite(client, world)
    client.post("/logout")
    users = count(User)
    response = client.post(link, data=data)
    assert response.status_code == 400
    assert message in response.text and f'id="{field}-error"' in response.text
    assert count(User) == users
    [invitation] = db.session.scalars(select(MerchantInvitation))
    assert invitation.accepted_at is None
    assert accept(client, link).status_code == 302


def test_a_signed_in_person_cannot_use_a_link_for_a_second_account(client, auth, world, as_admin):
    link = invite(client, world)
    auth.logout()
    auth.login(world.consumer.email)
    page = client.get(link)
    assert page.status_code == 200 and "Sign out first" in page.text
    assert accept(client, link).status_code == 409
    assert user_by_email(INVITEE) is None


# --- The invitation e-mail ---------------------------------------------------------------------------


class _Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(
            (envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=default_policy))
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_with_smtp_the_link_is_emailed_to_the_invitee_and_shown_once(app, client, world, as_admin, free_port):
    mailbox = _Mailbox()
    server = Controller(mailbox, hostname="127.0.0.1", port=free_port)
    server.start()
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port)
        link = invite(client, world)
    finally:
        server.stop()
    [(recipients, message)] = mailbox.messages
    assert recipients == [INVITEE]
    assert "优品数码旗舰店" in message["Subject"]
    assert f"http://localhost{link}" in message.get_content()


def test_when_the_smtp_server_is_down_the_link_is_still_shown(app, client, world, as_admin, free_port):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port)  # nobody listens there
    response = client.post(
        f"/admin/merchants/{world.merchant_ids[0]}/invitations/new", data={"name": "李小", "email": INVITEE}
    )
    assert response.status_code == 302
    page = client.get("/admin/merchants").text
    assert "It was not e-mailed" in page and 'class="invitation-link"' in page
    assert count(MerchantInvitation) == 1


# --- Who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["consumer", "agent", "supervisor", "mediator", "merchant"])
def test_only_an_admin_creates_invites_or_revokes(client, auth, world, who):
    auth.login(world.admin.email)
    invite(client, world)
    [invitation] = db.session.scalars(select(MerchantInvitation))
    auth.logout()
    auth.login(getattr(world, who).email)
    shop = world.merchant_ids[0]
    attempts = [
        (f"/admin/merchants/{shop}/staff/new", {"name": "M", "email": "m@evil.example", "password": STRONG}),
        (f"/admin/merchants/{shop}/invitations/new", {"name": "M", "email": "m@evil.example"}),
        (f"/admin/merchants/invitations/{invitation.id}/revoke", {}),
    ]
    users, entries = count(User), count(AdminAuditEntry)
    for url, data in attempts:
        assert client.get(url).status_code in (403, 405)
        assert client.post(url, data=data).status_code == 403
    assert (count(User), count(AdminAuditEntry), count(MerchantInvitation)) == (users, entries, 1)
    db.session.expire_all()
    assert db.session.get(MerchantInvitation, invitation.id).revoked_at is None


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.post(
        f"/admin/merchants/{world.merchant_ids[0]}/invitations/new",
        data={"name": "M", "email": "m@x.example"},
    )
    assert response.status_code == 302 and "/login" in response.location
    assert count(MerchantInvitation) == 0


# --- The demo shop -----------------------------------------------------------------------------------


def test_seed_demo_has_a_shop_account_whose_offer_the_demo_consumer_can_answer(app, runner):
    from complaints.models import Complaint, OfferStatus, SettlementOffer
    from complaints.seed.demo import DEFAULT_PASSWORD

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert any(
        "shop@pledgedesk.example" in line and DEFAULT_PASSWORD in line for line in result.output.splitlines()
    )
    with app.app_context():
        shop_staff = user_by_email("shop@pledgedesk.example")
        assert shop_staff.role is Role.MERCHANT
        # The shop answers the platform itself, and made an offer the demo consumer has to answer.
        consumer = user_by_email("consumer@pledgedesk.example")
        offer = db.session.scalars(
            select(SettlementOffer).where(SettlementOffer.status == OfferStatus.OPEN)
        ).one()
        complaint = db.session.get(Complaint, offer.complaint_id)
        assert (complaint.consumer_id, complaint.merchant_id) == (consumer.id, shop_staff.merchant_id)
        assert offer.proposed_by_id == shop_staff.id
        answers = select(func.count()).select_from(Message).where(Message.author_id == shop_staff.id)
        assert db.session.scalar(answers) > 0
    signed_in = app.test_client().post(
        "/login", data={"email": "shop@pledgedesk.example", "password": DEFAULT_PASSWORD}
    )
    assert signed_in.status_code == 302
