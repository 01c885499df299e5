"""Notifications: an outbox of messages for people, shown in the app and mailed when SMTP is set up."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import func, select, update

from complaints.extensions import db
from complaints.models import Notification, NotificationKind, User
from complaints.services.mailer import send, smtp_configured
from complaints.timekeeping import now

log = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 10


def notify(user_ids: Iterable[int], kind: NotificationKind, complaint_id: int | None, detail: dict) -> int:
    """Queue one notification per user; returns how many.

    user_ids: who is told (duplicates are told once; inactive accounts not at all).
    kind: what happened.
    complaint_id: the complaint it is about, if any.
    detail: facts to show (reference, clock kind, due instant...).
    """
    return notify_many([(user_ids, kind, complaint_id, detail)])


def notify_many(batch: list[tuple[Iterable[int], NotificationKind, int | None, dict]]) -> int:
    """Queue several notifications in two statements; each item as for `notify`."""
    batch = [
        (list(dict.fromkeys(user_ids)), kind, complaint_id, detail)
        for user_ids, kind, complaint_id, detail in batch
    ]
    active = set(_active([user_id for user_ids, _, _, _ in batch for user_id in user_ids]))
    at = now()
    email_status = "pending" if smtp_configured() else "skipped"
    rows = [
        {
            "user_id": user_id,
            "complaint_id": complaint_id,
            "kind": kind.value,  # Core inserts skip the ORM's enum processing
            "detail": detail,
            "created_at": at,
            "email_status": email_status,
            "email_attempts": 0,
            "email_next_attempt_at": at if email_status == "pending" else None,
        }
        for user_ids, kind, complaint_id, detail in batch
        for user_id in user_ids
        if user_id in active
    ]
    if rows:
        db.session.execute(Notification.__table__.insert(), rows)
    return len(rows)


def _active(user_ids: Iterable[int]) -> list[int]:
    """The given users that still have an active account (a deleted consumer is told nothing)."""
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return []
    active = set(db.session.scalars(select(User.id).where(User.id.in_(wanted), User.active.is_(True))))
    return [user_id for user_id in wanted if user_id in active]


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


def _render_email(notification: Notification, user: User) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = user.email
    reference = notification.detail.get("reference", "")
    clock = notification.detail.get("clock", "")
    if notification.kind is NotificationKind.SLA_BREACH:
        message["Subject"] = f"[PledgeDesk] {reference}: {clock} window breached"
    else:
        message["Subject"] = f"[PledgeDesk] {reference}: {clock} window about to run out"
    message.set_content(
        f"Complaint {reference}\nClock: {clock}\nDue: {notification.detail.get('due_at', '')}\n"
    )
    return message


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
            send(_render_email(notification, user))
        except (OSError, smtplib.SMTPException) as exc:
            failed += 1
            notification.email_attempts += 1
            notification.email_error = str(exc)[:500]
            backoff = timedelta(minutes=min(2**notification.email_attempts, 240))
            notification.email_next_attempt_at = at + backoff
            if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
                # Kept, not lost: it stays visible in the app and an admin can see why.
                notification.email_status = "failed"
            log.warning("email to %s failed (attempt %d): %s", user.email, notification.email_attempts, exc)
        else:
            sent += 1
            notification.email_status = "sent"
            notification.email_error = None
        db.session.commit()
    return sent, failed
