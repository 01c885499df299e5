"""Accounts: registration, staff creation, sign-in."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Role, User
from complaints.timekeeping import now
from complaints.workflow import N_, Refusal


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _hasher() -> PasswordHasher:
    """Argon2id with the app's cost settings (tests use cheap ones; production the defaults)."""
    config = current_app.config
    return _hasher_for(config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_KIB"], config["ARGON2_PARALLELISM"])


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    # Verifying against this when the email is unknown keeps the timing of both answers alike.
    return hasher.hash("not-a-real-password")


MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_rules(password: str) -> None:
    """Raise Refusal if `password` is too weak to use."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise Refusal(N_("Use at least %(n)s characters."), n=MIN_PASSWORD_LENGTH)
    if password.isdigit() or password.isalpha():
        raise Refusal(N_("Mix letters with digits or symbols."))


def email_taken(email: str) -> bool:
    return db.session.scalar(select(func.count()).where(User.email == normalise_email(email))) > 0


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    phone: str | None = None,
    locale: str | None = None,
    merchant_id: int | None = None,
    mediation_org_id: int | None = None,
) -> User:
    """Create an account.

    email: unique, compared case-insensitively.
    role: the account's role; mediators need a mediation organisation.
    Raises Refusal with a message for the person filling the form. The caller commits.
    """
    email = normalise_email(email)
    if email_taken(email):
        raise Refusal(N_("An account with this email already exists."))
    check_password_rules(password)
    if role is Role.MEDIATOR and mediation_org_id is None:
        raise Refusal(N_("A mediator belongs to a mediation organisation."))
    if role is Role.MERCHANT and merchant_id is None:
        raise Refusal(N_("Merchant staff belong to a shop."))
    user = User(
        email=email,
        name=name.strip(),
        phone=(phone or "").strip() or None,
        password_hash=_hasher().hash(password),
        role=role,
        locale=locale,
        merchant_id=merchant_id,
        mediation_org_id=mediation_org_id,
        created_at=now(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def register_consumer(*, email: str, name: str, password: str, locale: str | None = None) -> User:
    """A consumer signs up on their own."""
    return create_user(email=email, name=name, password=password, role=Role.CONSUMER, locale=locale)


class AccountLocked(Refusal):
    """Too many wrong passwords: the account refuses sign-in until `until`."""

    def __init__(self, until):
        super().__init__(N_("Too many failed sign-in attempts. Try again after %(until)s."), until=until)
        self.until = until


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Rehashes outdated hashes.

    Every wrong password for a known account counts; LOGIN_MAX_FAILURES in a row lock it for
    LOGIN_LOCK_MINUTES (raises AccountLocked, also while locked, even with the right password).
    The caller commits, so that failures are counted.
    """
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    hasher = _hasher()
    at = now()
    if user is not None and user.locked_until is not None and user.locked_until > at:
        raise AccountLocked(user.locked_until)
    candidate_hash = user.password_hash if user else _dummy_hash(hasher)
    try:
        hasher.verify(candidate_hash, password or "")
    except (VerificationError, InvalidHashError):
        if user is not None:
            _count_failure(user, at)
        return None
    if user is None or not user.active:
        return None
    user.failed_logins = 0
    user.locked_until = None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def _count_failure(user: User, at) -> None:
    config = current_app.config
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= config["LOGIN_MAX_FAILURES"]:
        user.failed_logins = 0
        user.locked_until = at + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
        raise AccountLocked(user.locked_until)


def set_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = _hasher().hash(password)
    user.end_sessions()  # everyone signed in with the old password is signed out
