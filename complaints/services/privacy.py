"""Personal data: who sees a consumer's contact details, the consumer's own copy, erasure.

Who sees what of a consumer's contact details is the participant policy's `contact` rule
(complaints/participants.py); `contact_for` applies it.

A deleted account shows as "Deleted user" with no contact details, to everyone.

Deleting an account anonymises it instead of removing rows: the complaints it filed are the
platform's record of a dispute (merchant, amounts, outcome, messages) and stay, with their
timelines untouched; only what identifies the person goes.
"""

from __future__ import annotations

import logging
import re
import secrets
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import delete

from complaints import participants
from complaints.extensions import db
from complaints.models import (
    Notification,
    User,
)
from complaints.participants import Contact, contact_level
from complaints.services.accounts import authenticate, set_password
from complaints.workflow import N_, Refusal

log = logging.getLogger(__name__)

DELETED_NAME = N_("Deleted user")
_DELETED_EMAIL = re.compile(r"^deleted-\d+@invalid$")


# --- Masking ---------------------------------------------------------------------------------


def mask_email(email: str | None) -> str:
    """`lilei@example.com` -> `l***@example.com`: the first letter and the domain stay.

    A one-letter name is hidden entirely; text without an "@" keeps only its first letter.
    """
    email = (email or "").strip()
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at:
        return email[0] + "***"
    shown = local[0] if len(local) > 1 else ""
    return f"{shown}***@{domain}"


def mask_phone(phone: str | None) -> str:
    """`13812345678` -> `138****5678`, as Chinese services show mobile numbers.

    Separators are dropped and a leading "+" is kept. Numbers of 11 digits or more keep their
    prefix (country code and carrier) and last four digits; shorter ones keep at most the last
    four, and very short ones nothing, so that a mask never reveals most of a number.
    """
    phone = (phone or "").strip()
    if not phone:
        return ""
    plus = "+" if phone.startswith("+") else ""
    digits = re.sub(r"\D", "", phone)
    n = len(digits)
    if n >= 11:
        return f"{plus}{digits[: n - 8]}****{digits[-4:]}"
    if n >= 8:
        return f"{plus}****{digits[-4:]}"
    if n >= 5:
        return f"{plus}****{digits[-2:]}"
    return "****"


def is_deleted_account(user: User | None) -> bool:
    """Whether `user` is an account its owner deleted (anonymised, never to sign in again)."""
    return user is not None and not user.active and bool(_DELETED_EMAIL.match(user.email or ""))


def contact_for(viewer, consumer: User | None) -> dict:
    """The name, email and phone of `consumer` in the form `viewer` may see (participants.contact_level).

    viewer: the signed-in user (or an anonymous user / None: everything masked).
    Returns name, email, phone (each possibly masked, "" when unknown), email_masked,
    phone_masked, and deleted (the template then shows "Deleted user" in the reader's language).
    """
    if consumer is None or is_deleted_account(consumer):
        return _no_contact(name=consumer.name if consumer else "", deleted=consumer is not None)
    # No viewer here means nobody signed in (not the system): everything masked.
    level = Contact.MASKED if viewer is None else contact_level(viewer, consumer)
    full_email = level in (Contact.FULL, Contact.EMAIL)
    full_phone = level is Contact.FULL
    return _no_contact(name=consumer.name) | {
        "email": consumer.email if full_email else mask_email(consumer.email),
        "phone": (consumer.phone or "") if full_phone else mask_phone(consumer.phone),
        "email_masked": not full_email,
        "phone_masked": not full_phone and bool(consumer.phone),
    }


def _no_contact(name: str, deleted: bool = False) -> dict:
    return {
        "name": name,
        "email": "",
        "phone": "",
        "email_masked": False,
        "phone_masked": False,
        "deleted": deleted,
    }


# --- The account page ------------------------------------------------------------------------

_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{3,30}$")


def update_profile(user: User, *, name: str, phone: str | None, locale: str, timezone: str | None) -> None:
    """Change what `user` says about themself.

    name: required, at most 120 characters.
    phone: optional; digits with spaces, dashes, brackets and a leading "+".
    locale: one of the app's LANGUAGES.
    timezone: an IANA zone name (checked with zoneinfo), or empty for the platform's default.
    Raises Refusal naming the problem. The caller commits.
    """
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise Refusal(N_("Give your name (at most 120 characters)."))
    phone = (phone or "").strip() or None
    if phone is not None and not (_PHONE.match(phone) and len(re.sub(r"\D", "", phone)) >= 5):
        raise Refusal(N_("Give a phone number of digits, optionally starting with +."))
    if locale not in current_app.config["LANGUAGES"]:
        raise Refusal(N_("Choose a language."))
    timezone = (timezone or "").strip() or None
    if timezone is not None and not is_time_zone(timezone):
        raise Refusal(N_("Choose a time zone from the list."))
    user.name, user.phone, user.locale, user.timezone = name, phone, locale, timezone


def is_time_zone(name: str) -> bool:
    """Whether `name` is a time zone this system knows (IANA name, e.g. Asia/Shanghai)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class WrongPassword(Refusal):
    """The password given to confirm a change is not the account's."""

    def __init__(self):
        super().__init__(N_("That is not your current password."))


def confirm_password(user: User, password: str) -> None:
    """Raise WrongPassword unless `password` is `user`'s.

    Goes through sign-in's check, so a wrong password counts towards the lockout like a failed
    sign-in (AccountLocked when too many); the caller commits after WrongPassword so it counts.
    """
    found = authenticate(user.email, password)
    if found is None or found.id != user.id:
        raise WrongPassword()


def change_password(user: User, *, current: str, new: str) -> None:
    """Replace `user`'s password after checking the current one (see confirm_password) and the
    rules for a new one (accounts.check_password_rules). Raises Refusal. The caller commits."""
    confirm_password(user, current)
    set_password(user, new)


# --- Erasure ---------------------------------------------------------------------------------


def delete_consumer_account(user: User) -> None:
    """Anonymise the consumer `user` at their request; they can never sign in again.

    user: a consumer whose password the caller has confirmed (confirm_password).
    The account keeps its id (complaints point to it) but loses everything that identifies the
    person: name "Deleted user", email deleted-<id>@invalid (unique, and not an address anyone
    can register), no phone, an unusable password hash, no language or time zone; it is made
    inactive and its notifications are removed. Their complaints stay as they are, with their
    messages (the dispute record) now shown by "Deleted user"; no event is added to any
    timeline. Logged for the audit trail. The caller commits and ends the session.
    """
    if not participants.of(user).data_subject:
        raise Refusal(N_("Only a consumer's own account can be deleted here."))
    user.name = DELETED_NAME
    user.email = f"deleted-{user.id}@invalid"
    user.phone = None
    # "!" never parses as an Argon2 hash, so no password can ever match it.
    user.password_hash = "!" + secrets.token_hex(32)
    user.active = False
    user.locale = None
    user.timezone = None
    user.failed_logins = 0
    user.locked_until = None
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.flush()
    log.info("account_deleted: consumer %s anonymised at their request", user.id)
