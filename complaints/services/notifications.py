"""Notifications: an outbox of messages for people, shown in the app and mailed when SMTP is set up."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from flask import current_app, render_template
from flask_babel import force_locale, get_locale
from sqlalchemy import Row, func, select, update

from complaints import participants
from complaints.extensions import db
from complaints.models import EmailFrequency, Notification, NotificationKind, User
from complaints.services.mailer import send, smtp_configured
from complaints.timekeeping import now

log = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 10
DIGEST_HOUR = 18  # the daily summary goes out at this hour of the recipient's day


def notify(user_ids: Iterable[int], kind: NotificationKind, complaint_id: int | None, detail: dict) -> int:
    """Queue one notification per user; returns how many.

    user_ids: who is told (duplicates are told once; inactive accounts not at all).
    kind: what happened.
    complaint_id: the complaint it is about, if any.
    detail: facts to show (reference, clock kind, due instant...).
    """
    return notify_many([(user_ids, kind, complaint_id, detail)])


def notify_many(batch: list[tuple[Iterable[int], NotificationKind, int | None, dict]]) -> int:
    """Queue several notifications in two statements; each item as for `notify`.

    Each is shown in the app; whether and when it is e-mailed follows its recipient's
    preferences: "pending" (sent by the next delivery), "digest" (in their next daily summary) or
    "skipped" (no SMTP configured, e-mail turned off, or that kind muted).
    """
    batch = [
        (list(dict.fromkeys(user_ids)), kind, complaint_id, detail)
        for user_ids, kind, complaint_id, detail in batch
    ]
    recipients = _recipients([user_id for user_ids, _, _, _ in batch for user_id in user_ids])
    at = now()
    mailing = smtp_configured()
    rows = []
    for user_ids, kind, complaint_id, detail in batch:
        for user_id in user_ids:
            if user_id not in recipients:
                continue
            status, next_attempt = _email_plan(recipients[user_id], kind, at, mailing)
            rows.append(
                {
                    "user_id": user_id,
                    "complaint_id": complaint_id,
                    "kind": kind.value,  # Core inserts skip the ORM's enum processing
                    "detail": detail,
                    "created_at": at,
                    "email_status": status,
                    "email_attempts": 0,
                    "email_next_attempt_at": next_attempt,
                }
            )
    if rows:
        db.session.execute(Notification.__table__.insert(), rows)
    return len(rows)


def _recipients(user_ids: Iterable[int]) -> dict[int, Row]:
    """The given users that still have an active account (a deleted consumer is told nothing),
    with their e-mail preferences and time zone."""
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return {}
    rows = db.session.execute(
        select(User.id, User.email_frequency, User.email_muted, User.timezone).where(
            User.id.in_(wanted), User.active.is_(True)
        )
    )
    return {row.id: row for row in rows}


def _email_plan(recipient: Row, kind: NotificationKind, at: datetime, mailing: bool):
    """(email_status, email_next_attempt_at) of a new notification of `kind` for `recipient`."""
    if not mailing or recipient.email_frequency is EmailFrequency.NEVER:
        return "skipped", None
    if kind.value in (recipient.email_muted or ()):
        return "skipped", None
    if recipient.email_frequency is EmailFrequency.DAILY:
        return "digest", next_digest_at(recipient.timezone, at)
    return "pending", at


def next_digest_at(timezone: str | None, at: datetime) -> datetime:
    """The next daily summary after `at`: DIGEST_HOUR o'clock in the recipient's zone, in UTC."""
    zone = zone_of(timezone)
    local = at.astimezone(zone)
    digest = datetime.combine(local.date(), time(DIGEST_HOUR), tzinfo=zone)
    if digest <= local:
        digest = datetime.combine(local.date() + timedelta(days=1), time(DIGEST_HOUR), tzinfo=zone)
    return digest.astimezone(UTC)


def zone_of(timezone: str | None) -> ZoneInfo:
    """A person's time zone, or the platform's."""
    for name in (timezone, current_app.config["BABEL_DEFAULT_TIMEZONE"]):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("Asia/Shanghai")


def unread_count_of(user_id):
    """The number of unread notifications of the user `user_id` (a value or a column), as a
    scalar subquery: the sign-in loader reads it with the user, in the same statement."""
    return (
        select(func.count())
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


_UNREAD = "_unread_notifications"  # the count read with the user for this request


def remember_unread(user: User, count: int) -> None:
    setattr(user, _UNREAD, count)


def unread_count(user: User) -> int:
    """How many of `user`'s notifications are unread (read with the user when they signed in
    this request, else now)."""
    known = vars(user).get(_UNREAD)
    if known is not None:
        return known
    return db.session.scalar(select(unread_count_of(user.id)))


def recent(user: User, limit: int = 50) -> list[Notification]:
    """The newest notifications of `user`."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user: User) -> int:
    """Mark every unread notification of `user` as read; returns how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now())
    )
    vars(user).pop(_UNREAD, None)
    return result.rowcount


def mark_read(user: User, notification_id: int) -> Notification | None:
    """Mark one of `user`'s notifications read (it was opened); None if it is not theirs."""
    notification = db.session.scalars(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    ).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = now()
        vars(user).pop(_UNREAD, None)
    return notification


def set_email_preferences(
    user: User, frequency: EmailFrequency, emailed: Iterable[str], offered: Iterable[NotificationKind]
) -> None:
    """Save when `user` is e-mailed and which kinds are not.

    frequency: immediately, in a daily summary, or never.
    emailed: the kinds (values) they want by e-mail, of `offered` (the kinds they can receive);
      the others offered are muted. Notifications already queued follow the new choice.
    """
    chosen = set(emailed)
    user.email_frequency = frequency
    user.email_muted = [kind.value for kind in offered if kind.value not in chosen]
    queued = (Notification.user_id == user.id, Notification.email_status.in_(("pending", "digest")))
    at = now()
    db.session.execute(
        update(Notification)
        .where(*queued, Notification.kind.in_([NotificationKind(k) for k in user.email_muted]))
        .values(email_status="skipped", email_next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    if frequency is EmailFrequency.NEVER:
        plan = {"email_status": "skipped", "email_next_attempt_at": None}
    elif frequency is EmailFrequency.DAILY:
        plan = {"email_status": "digest", "email_next_attempt_at": next_digest_at(user.timezone, at)}
    else:
        plan = {"email_status": "pending", "email_next_attempt_at": at}
    db.session.execute(
        update(Notification)
        .where(*queued, Notification.email_attempts == 0)
        .values(**plan)
        .execution_options(synchronize_session=False)
    )


# --- E-mail -------------------------------------------------------------------------------


def instant(value) -> datetime | None:
    """An instant kept in a notification's detail (ISO 8601) as a datetime."""
    if not value:
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def public_url(endpoint: str, **values) -> str:
    """An absolute URL of `endpoint` under PUBLIC_BASE_URL (e-mails are read outside the site)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def link_for(user: User, notification: Notification) -> str:
    """Where a notification takes `user`: the complaint in their own area, else their list."""
    endpoint = participants.of(user).complaint_endpoint
    detail = notification.detail or {}
    # A complaint closed as a duplicate continues in the one it repeats, which its parties can open.
    reference = detail.get("duplicate_of") or detail.get("reference")
    if endpoint and reference:
        return public_url(endpoint, reference=reference)
    return public_url("auth.notifications")


def language_of(user: User) -> str:
    """The language `user` reads e-mail in: their choice, else the platform's."""
    config = current_app.config
    return user.locale if user.locale in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]


def _formatter(user: User):
    zone = zone_of(user.timezone)

    def at(value) -> str:
        moment = instant(value)
        if moment is None:
            return ""
        return format_datetime(moment, "medium", tzinfo=zone, locale=get_locale())

    return at


def _message(user: User, template: str, **context) -> EmailMessage:
    """An e-mail to `user` from templates/email/<template>_subject.txt and _body.txt, in their
    language, with instants in their time zone."""
    with force_locale(language_of(user)):
        context.update(user=user, at=_formatter(user), settings_url=public_url("auth.account"))
        subject = render_template(f"email/{template}_subject.txt", **context)
        body = render_template(f"email/{template}_body.txt", **context)
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = user.email
    message["Subject"] = " ".join(subject.split())
    message.set_content(body)
    return message


def render_email(notification: Notification, user: User) -> EmailMessage:
    """The e-mail of one notification to `user`."""
    return _message(user, "notification", n=notification, link=link_for(user, notification))


def render_digest(notifications: list[Notification], user: User) -> EmailMessage:
    """One e-mail to `user` with every notification of `notifications`, oldest first."""
    items = [(n, link_for(user, n)) for n in notifications]
    return _message(user, "digest", items=items, count=len(items))


def _failed(notifications: list[Notification], at: datetime, exc: Exception) -> None:
    """A send failed: each stays queued for a later attempt, with backoff, until it gives up."""
    for notification in notifications:
        notification.email_attempts += 1
        notification.email_error = str(exc)[:500]
        backoff = timedelta(minutes=min(2**notification.email_attempts, 240))
        notification.email_next_attempt_at = at + backoff
        if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
            # Kept, not lost: it stays visible in the app and an admin can see why.
            notification.email_status = "failed"


def _sent(notifications: list[Notification]) -> None:
    for notification in notifications:
        notification.email_status = "sent"
        notification.email_error = None


def deliver_pending_email(batch_size: int = 100) -> tuple[int, int]:
    """Send queued emails; a failed send stays queued and is tried again later, with backoff.

    Returns (sent, failed) for this run.
    """
    if not smtp_configured():
        return 0, 0
    at = now()
    due = db.session.scalars(
        select(Notification)
        .where(Notification.email_status == "pending", Notification.email_next_attempt_at <= at)
        .order_by(Notification.email_next_attempt_at)
        .limit(batch_size)
    ).all()
    sent = failed = 0
    for notification in due:
        user = db.session.get(User, notification.user_id)
        try:
            send(render_email(notification, user))
        except (OSError, smtplib.SMTPException) as exc:
            failed += 1
            _failed([notification], at, exc)
            log.warning("email to %s failed (attempt %d): %s", user.email, notification.email_attempts, exc)
        else:
            sent += 1
            _sent([notification])
        db.session.commit()
    return sent, failed


def deliver_digests(max_people: int = 100) -> tuple[int, int]:
    """Send each person whose daily summary is due one e-mail with all their notifications
    waiting for it, then mark those sent; a failed summary is tried again later, with backoff.

    Returns (summaries sent, failed) for this run.
    """
    if not smtp_configured():
        return 0, 0
    at = now()
    waiting = (Notification.email_status == "digest", Notification.email_next_attempt_at <= at)
    people = db.session.scalars(
        select(Notification.user_id).where(*waiting).group_by(Notification.user_id).limit(max_people)
    ).all()
    sent = failed = 0
    for user_id in people:
        user = db.session.get(User, user_id)
        items = list(
            db.session.scalars(
                select(Notification)
                .where(*waiting, Notification.user_id == user_id)
                .order_by(Notification.id)
            )
        )
        try:
            send(render_digest(items, user))
        except (OSError, smtplib.SMTPException) as exc:
            failed += 1
            _failed(items, at, exc)
            log.warning("daily summary to %s failed: %s", user.email, exc)
        else:
            sent += 1
            _sent(items)
        db.session.commit()
    return sent, failed
