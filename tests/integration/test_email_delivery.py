"""E-mail delivered to a real SMTP server (aiosmtpd) on 127.0.0.1: what arrives, for whom, in which
language and time zone, with which link; a retry after the server was down; the daily summary;
what a person chose not to receive."""

from __future__ import annotations

import email
import socket
from datetime import timedelta
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import EmailFrequency, Notification, NotificationKind
from complaints.services.notifications import deliver_digests, deliver_pending_email, set_email_preferences
from complaints.workflow import Action
from tests.support import act_as, shanghai

BASE = "https://pledgedesk.test"


class Mailbox:
    """What the SMTP server received: one parsed message per delivery, with its envelope."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for recipients, message in self.messages if address in recipients]


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that can be stopped and started again on the same port."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.mailbox = Mailbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    server = SmtpServer()
    server.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, PUBLIC_BASE_URL=BASE)
    yield server
    server.stop()


@pytest.fixture
def ref(world, clock, smtp):
    """A complaint filed on Monday 2 March 2026, 10:00 in Shanghai, claimed by the agent; the
    consumer reads Chinese, the shop's staff English."""
    world.user("consumer").locale = "zh_CN"
    world.user("merchant").locale = "en"
    db.session.commit()
    clock.set(shanghai(2026, 3, 2, 10))
    ref = world.file()
    act_as(world, ref, "agent", Action.CLAIM)
    return ref


def body_of(message) -> str:
    return message.get_content()


def status_of(world, key: str) -> list[tuple[NotificationKind, str]]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == world.people[key].id).order_by(Notification.id)
    )
    return [(row.kind, row.email_status) for row in rows]


def test_each_party_gets_the_decision_in_their_own_language_with_a_link_to_their_own_page(world, ref, smtp):
    act_as(world, ref, "agent", Action.VERIFY)

    assert deliver_pending_email() == (2, 0)
    [for_consumer] = smtp.mailbox.to("consumer@example.com")
    [for_shop] = smtp.mailbox.to("merchant@example.com")
    assert smtp.mailbox.to("agent@example.com") == []  # who acted is not told

    assert ref in for_consumer["Subject"] and "投诉已核实" in for_consumer["Subject"]
    text = body_of(for_consumer)
    assert f"{BASE}/portal/complaints/{ref}" in text
    # The next pledged date, resolution in 15 working days, in Chinese and in Shanghai time.
    assert "2026年3月23日 18:00:00" in text

    assert for_shop["Subject"] == f"[PledgeDesk] {ref} · Complaint verified"
    text = body_of(for_shop)
    assert f"{ref} was verified" in text
    assert f"{BASE}/merchant/complaints/{ref}" in text
    assert "Agent" not in text  # a shop never reads a member of staff's name
    assert for_shop["From"] == "pledgedesk@localhost"


def test_dates_are_in_the_recipients_time_zone(world, ref, smtp):
    consumer = world.user("consumer")
    consumer.locale, consumer.timezone = "en", "Europe/London"
    db.session.commit()

    act_as(world, ref, "agent", Action.REPLY, body="We are looking into it.")
    deliver_pending_email()

    [message] = smtp.mailbox.to("consumer@example.com")
    assert message["Subject"] == f"[PledgeDesk] {ref} · Message"
    text = body_of(message)
    assert f"Agent wrote on {ref}." in text
    # Verification is due on 11 March at 18:00 in Shanghai: 10:00 in London.
    assert "Next pledged date: Verification, by Mar 11, 2026, 10:00:00\u202fAM." in text


def test_the_shops_offer_reaches_the_consumer_with_its_amount(world, ref, smtp, clock):
    act_as(
        world,
        ref,
        "merchant",
        Action.PROPOSE_SETTLEMENT,
        kind="refund",
        amount="299.00",
        terms="全额退款",
        perform_by=shanghai(2026, 3, 5, 18),
    )
    deliver_pending_email()

    [message] = smtp.mailbox.to("consumer@example.com")
    text = body_of(message)
    assert ref in message["Subject"]
    assert "¥299.00" in text and ref in text
    assert "2026年3月5日 18:00:00" in text  # by when the shop will do it
    [for_agent] = smtp.mailbox.to("agent@example.com")
    assert f"The shop offered a refund of CN¥299.00 on {ref}, to be done by Mar 5, 2026" in body_of(for_agent)
    assert f"{BASE}/desk/complaints/{ref}" in body_of(for_agent)


def test_a_message_the_server_could_not_take_is_delivered_once_it_is_back(world, ref, smtp, clock):
    smtp.stop()
    act_as(world, ref, "agent", Action.REPLY, body="您好。")

    assert deliver_pending_email() == (0, 1)
    [row] = db.session.scalars(select(Notification)).all()
    assert (row.email_status, row.email_attempts) == ("pending", 1)
    assert row.email_error
    assert smtp.mailbox.messages == []

    smtp.start()
    assert deliver_pending_email() == (0, 0)  # not before its backoff
    clock.set(row.email_next_attempt_at + timedelta(seconds=1))
    assert deliver_pending_email() == (1, 0)
    [message] = smtp.mailbox.to("consumer@example.com")
    assert ref in message["Subject"]
    assert status_of(world, "consumer") == [(NotificationKind.REPLY, "sent")]
    assert deliver_pending_email() == (0, 0)  # sent once
    assert len(smtp.mailbox.messages) == 1


def test_the_daily_summary_carries_the_days_notifications_in_one_email(world, ref, smtp, clock):
    consumer = world.user("consumer")
    set_email_preferences(consumer, EmailFrequency.DAILY, emailed=["reply", "decision"], offered=[])
    db.session.commit()

    act_as(world, ref, "agent", Action.REPLY, body="您好。")
    clock.set(shanghai(2026, 3, 2, 15))
    act_as(world, ref, "agent", Action.VERIFY)
    assert deliver_pending_email() == (1, 0)  # the shop's immediate one only
    assert smtp.mailbox.to("consumer@example.com") == []
    assert status_of(world, "consumer") == [
        (NotificationKind.REPLY, "digest"),
        (NotificationKind.DECISION, "digest"),
    ]

    clock.set(shanghai(2026, 3, 2, 17, 59))
    assert deliver_digests() == (0, 0)  # the summary goes out at 18:00 of the consumer's day
    clock.set(shanghai(2026, 3, 2, 18, 5))
    assert deliver_digests() == (1, 0)

    [summary] = smtp.mailbox.to("consumer@example.com")
    assert summary["Subject"].startswith("[PledgeDesk]") and "2" in summary["Subject"]
    text = body_of(summary)
    assert text.count(ref) >= 2 and f"{BASE}/portal/complaints/{ref}" in text
    assert status_of(world, "consumer") == [
        (NotificationKind.REPLY, "sent"),
        (NotificationKind.DECISION, "sent"),
    ]
    clock.set(shanghai(2026, 3, 3, 18, 5))
    assert deliver_digests() == (0, 0)  # nothing new: no empty summary
    assert len(smtp.mailbox.to("consumer@example.com")) == 1


def test_a_daily_summary_the_server_refused_is_sent_later(world, ref, smtp, clock):
    set_email_preferences(world.user("consumer"), EmailFrequency.DAILY, emailed=["reply"], offered=[])
    db.session.commit()
    act_as(world, ref, "agent", Action.REPLY, body="您好。")
    smtp.stop()
    clock.set(shanghai(2026, 3, 2, 18, 5))
    assert deliver_digests() == (0, 1)
    assert status_of(world, "consumer") == [(NotificationKind.REPLY, "digest")]

    smtp.start()
    clock.advance(hours=1)
    assert deliver_digests() == (1, 0)
    assert len(smtp.mailbox.to("consumer@example.com")) == 1


def test_a_muted_kind_is_shown_in_the_app_but_not_mailed(world, ref, smtp):
    consumer = world.user("consumer")
    offered = [NotificationKind.REPLY, NotificationKind.DECISION]
    set_email_preferences(consumer, EmailFrequency.IMMEDIATE, emailed=["reply"], offered=offered)
    db.session.commit()
    assert world.user("consumer").email_muted == ["decision"]

    act_as(world, ref, "agent", Action.VERIFY)
    act_as(world, ref, "agent", Action.REPLY, body="您好。")
    deliver_pending_email()

    [message] = smtp.mailbox.to("consumer@example.com")
    assert "留言" in message["Subject"]  # the reply ("Message"), not the decision
    assert status_of(world, "consumer") == [
        (NotificationKind.DECISION, "skipped"),
        (NotificationKind.REPLY, "sent"),
    ]


def test_never_keeps_everything_in_the_app(world, ref, smtp):
    set_email_preferences(world.user("consumer"), EmailFrequency.NEVER, emailed=["reply"], offered=[])
    db.session.commit()
    act_as(world, ref, "agent", Action.REPLY, body="您好。")
    deliver_pending_email()
    assert smtp.mailbox.to("consumer@example.com") == []
    assert status_of(world, "consumer") == [(NotificationKind.REPLY, "skipped")]


def test_a_change_of_mind_applies_to_what_is_still_queued(world, ref, smtp, clock):
    set_email_preferences(world.user("consumer"), EmailFrequency.DAILY, emailed=["reply"], offered=[])
    db.session.commit()
    act_as(world, ref, "agent", Action.REPLY, body="您好。")
    set_email_preferences(world.user("consumer"), EmailFrequency.IMMEDIATE, emailed=["reply"], offered=[])
    db.session.commit()

    assert deliver_pending_email() == (1, 0)
    assert len(smtp.mailbox.to("consumer@example.com")) == 1
