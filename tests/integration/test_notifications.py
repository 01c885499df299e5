"""Notifications: shown in the app, mailed when SMTP is configured, retried with backoff, never lost."""

from __future__ import annotations

import re
import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import Notification, NotificationKind
from complaints.services import notifications
from complaints.services.notifications import MAX_EMAIL_ATTEMPTS, deliver_pending_email, notify
from tests.support import csrf_token_from

DETAIL = {"reference": "C-2026-000001", "clock": "resolution", "due_at": "2026-03-23T10:00:00+00:00"}


def rows_of(user_id: int) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        )
    )


class FakeSMTP:
    """Stands in for smtplib.SMTP: fails while `failures` lasts, then records what it sends."""

    failures = 0
    connections = 0
    sent: list = []

    def __init__(self, host, port, timeout=None):
        type(self).connections += 1
        self.host, self.port = host, port
        if type(self).failures:
            type(self).failures -= 1
            raise OSError("Connection refused")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        """The fake server needs no encryption."""

    def login(self, user, password):
        """The fake server accepts anyone."""

    def send_message(self, message):
        type(self).sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    """SMTP configured, with a fake server; set `smtp.failures` to make it refuse connections."""
    app.config["SMTP_HOST"] = "smtp.example.test"
    fake = type("Server", (FakeSMTP,), {"failures": 0, "connections": 0, "sent": []})
    monkeypatch.setattr(smtplib, "SMTP", fake)
    return fake


def test_notify_queues_one_notification_per_person(world):
    complaint = world.complaint(world.file())
    told = notify(
        [world.agent.id, world.agent.id, world.supervisor.id],
        NotificationKind.SLA_BREACH,
        complaint.id,
        DETAIL,
    )
    db.session.commit()

    assert told == 2  # the agent named twice is told once
    [for_agent] = rows_of(world.agent.id)
    assert for_agent.kind is NotificationKind.SLA_BREACH
    assert for_agent.complaint_id == complaint.id
    assert for_agent.detail == DETAIL
    assert for_agent.read_at is None
    assert len(rows_of(world.supervisor.id)) == 1
    assert notify([], NotificationKind.SLA_WARNING, complaint.id, DETAIL) == 0


def test_unread_count_falls_to_zero_when_everything_is_marked_read(world, clock):
    agent, supervisor = world.user("agent"), world.user("supervisor")
    notify([agent.id], NotificationKind.SLA_WARNING, None, DETAIL)
    notify([agent.id, supervisor.id], NotificationKind.SLA_BREACH, None, DETAIL)
    db.session.commit()
    assert notifications.unread_count(agent) == 2

    clock.advance(minutes=5)
    assert notifications.mark_all_read(agent) == 2
    db.session.commit()
    assert notifications.unread_count(agent) == 0
    assert all(n.read_at == clock.now() for n in rows_of(agent.id))
    assert notifications.unread_count(supervisor) == 1  # nobody else's are touched
    assert notifications.mark_all_read(agent) == 0
    # Read notifications stay in the list.
    assert [n.kind for n in notifications.recent(agent)] == [
        NotificationKind.SLA_BREACH,
        NotificationKind.SLA_WARNING,
    ]


def test_without_smtp_emails_are_skipped_and_nothing_is_sent(app, world, monkeypatch):
    assert not app.config["SMTP_HOST"]
    monkeypatch.setattr(smtplib, "SMTP", None)  # any attempt to connect would fail loudly
    notify([world.agent.id], NotificationKind.SLA_WARNING, None, DETAIL)
    db.session.commit()

    assert deliver_pending_email() == (0, 0)
    [row] = rows_of(world.agent.id)
    assert row.email_status == "skipped"
    assert row.email_next_attempt_at is None


def test_failed_email_is_retried_after_its_backoff_and_then_sent(world, clock, smtp):
    smtp.failures = 1
    notify([world.agent.id], NotificationKind.SLA_BREACH, None, DETAIL)
    db.session.commit()
    [row] = rows_of(world.agent.id)
    assert (row.email_status, row.email_next_attempt_at) == ("pending", clock.now())

    assert deliver_pending_email() == (0, 1)
    [row] = rows_of(world.agent.id)
    assert row.email_status == "pending"
    assert row.email_attempts == 1
    assert "Connection refused" in row.email_error
    assert row.email_next_attempt_at > clock.now()

    assert deliver_pending_email() == (0, 0)  # not before its next attempt
    assert smtp.connections == 1

    clock.set(row.email_next_attempt_at + timedelta(seconds=1))
    assert deliver_pending_email() == (1, 0)
    [row] = rows_of(world.agent.id)
    assert row.email_status == "sent"
    assert row.email_error is None
    [message] = smtp.sent
    assert message["To"] == world.agent.email
    assert message["Subject"] == "[PledgeDesk] C-2026-000001 · Pledged time ran out"
    assert "C-2026-000001: the pledged Resolution time ran out." in message.get_content()

    clock.advance(hours=1)
    assert deliver_pending_email() == (0, 0)  # sent once
    assert len(smtp.sent) == 1


def test_email_that_keeps_failing_is_marked_failed_and_kept(world, clock, smtp):
    smtp.failures = MAX_EMAIL_ATTEMPTS + 5
    notify([world.agent.id], NotificationKind.SLA_WARNING, None, DETAIL)
    db.session.commit()

    previous_wait = timedelta(0)
    for attempt in range(1, MAX_EMAIL_ATTEMPTS + 1):
        assert deliver_pending_email() == (0, 1)
        [row] = rows_of(world.agent.id)
        assert row.email_attempts == attempt
        wait = row.email_next_attempt_at - clock.now()
        assert wait >= previous_wait  # the backoff never shrinks
        previous_wait = wait
        expected = "failed" if attempt == MAX_EMAIL_ATTEMPTS else "pending"
        assert row.email_status == expected
        clock.set(row.email_next_attempt_at)

    clock.advance(days=1)
    assert deliver_pending_email() == (0, 0)  # given up: no more attempts
    assert smtp.connections == MAX_EMAIL_ATTEMPTS
    [row] = rows_of(world.agent.id)
    assert row.email_status == "failed"
    assert "Connection refused" in row.email_error
    assert notifications.unread_count(world.user("agent")) == 1  # still shown in the app


def test_the_bell_counts_unread_notifications_on_every_page_and_clears_when_read(client, auth, world):
    agent = world.user("agent")
    for _ in range(3):
        notify([agent.id], NotificationKind.SLA_WARNING, None, DETAIL)
    db.session.commit()
    auth.login(agent.email)

    page = client.get("/desk/").get_data(as_text=True)
    assert re.search(r'class="bell">[^<]*<span class="badge warn">3<', page)
    form = client.get("/notifications").get_data(as_text=True)
    client.post("/notifications/read", data={"csrf_token": csrf_token_from(form)})
    page = client.get("/desk/").get_data(as_text=True)
    assert 'class="bell">' in page and not re.search(r'class="bell">[^<]*<span class="badge', page)


# --- The notifications page and the e-mail preferences ------------------------------------


def test_the_page_reads_each_notification_as_a_sentence_and_opening_one_marks_it_read(client, auth, world):
    from complaints.workflow import Action
    from tests.support import act_as

    ref = world.file()
    act_as(world, ref, "agent", Action.VERIFY)
    act_as(world, ref, "agent", Action.REPLY, body="We are on it.")
    consumer = world.user("consumer")
    auth.login(consumer.email)

    page = client.get("/notifications").get_data(as_text=True)
    assert f"{ref} was verified: it is being looked into." in page
    assert f"Agent wrote on {ref}." in page
    assert "Next pledged date: Resolution, by" in page
    assert page.count('badge warn">New<') == 2
    assert '<span class="visually-hidden">Read</span>' not in page
    [reply, verified] = rows_of(consumer.id)[::-1]
    assert client.get(f"/notifications/{reply.id}").status_code == 405  # reading a page changes nothing
    response = client.post(f"/notifications/{reply.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/portal/complaints/{ref}"
    assert rows_of(consumer.id)[1].read_at is not None  # the reply, opened
    assert rows_of(consumer.id)[0].read_at is None  # the decision, still unread
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count('badge warn">New<') == 1
    assert page.count('<span class="visually-hidden">Read</span>') == 1

    # Someone else's notification is not found, and stays unread.
    other = rows_of(world.merchant.id)[0]
    assert client.post(f"/notifications/{other.id}").status_code == 404
    assert rows_of(world.merchant.id)[0].read_at is None


def test_the_shop_reads_platform_support_not_the_agents_name(client, auth, world):
    from complaints.workflow import Action
    from tests.support import act_as

    ref = world.file()
    act_as(world, ref, "agent", Action.REQUEST_INFO, party="merchant", body="Please explain.")
    auth.login(world.merchant.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert f"The platform asked your shop a question about {ref}." in page
    assert "Next pledged date: Merchant&#39;s reply, by" in page
    assert "Agent" not in page.split("<main", 1)[-1]


def test_a_person_chooses_which_notifications_are_mailed_and_when(client, auth, world):
    from complaints.models import EmailFrequency

    consumer = world.user("consumer")
    auth.login(consumer.email)
    page = client.get("/account").get_data(as_text=True)
    assert (
        '<input checked id="notify-frequency-0" name="notify-frequency" required type="radio" value="immediate">'
        in page
    )
    assert '<input checked id="notify-emailed-1" name="notify-emailed" type="checkbox" value="reply">' in page
    assert 'value="settlement_offer"' in page and 'value="assigned"' not in page  # only what they can get

    response = client.post(
        "/account/notifications",
        data={
            "csrf_token": csrf_token_from(page),
            "notify-frequency": "daily",
            "notify-emailed": ["reply", "settlement_offer"],
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    consumer = world.user("consumer")
    assert consumer.email_frequency is EmailFrequency.DAILY
    assert set(consumer.email_muted) == {
        "sla_breach",
        "question",
        "decision",
        "pledge_date",
        "deposit_consent",
        "deposit_paid",
        "deposit_closed",
        "agreement_accepted",
        "agreement_paid",
        "agreement_unpaid",
        "agreement_declined",
        "referral_consent",
        "referral_ended",
        "referral_accepted",
        "session_scheduled",
    }

    response = client.post(
        "/account/notifications",
        data={"csrf_token": csrf_token_from(page), "notify-frequency": "hourly", "notify-emailed": ["reply"]},
    )
    assert response.status_code == 400  # not a choice: nothing changes
    db.session.expire_all()
    assert world.user("consumer").email_frequency is EmailFrequency.DAILY


def test_names_in_a_notification_are_escaped_on_the_page(client, auth, world):
    from complaints.workflow import Action
    from tests.support import act_as

    world.user("agent").name = "<i>Li</i>"
    db.session.commit()
    ref = world.file()
    act_as(world, ref, "agent", Action.REPLY, body="Hello.")
    auth.login(world.consumer.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert f"&lt;i&gt;Li&lt;/i&gt; wrote on {ref}." in page
    assert "<i>Li</i>" not in page
