"""A shop's staff: accounts an admin opens for a shop, and invitations by e-mail with a one-time link.

An invitation keeps only the SHA-256 of its token; the link (…/invitations/<token>) is shown to the
admin once and, when SMTP is configured, mailed to the invitee. It can be used once, until it
expires (MERCHANT_INVITATION_DAYS) or an admin revokes it. Using it opens a merchant staff account
of the invitation's shop. Every change is in the admin audit log; the caller commits.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import secrets
import smtplib
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from complaints.extensions import db
from complaints.models import AdminAction, Merchant, MerchantInvitation, Role, User
from complaints.services import accounts, admin_audit, mailer
from complaints.services.administration import InvalidField, create_staff_account
from complaints.timekeeping import now
from complaints.workflow import N_, Refusal

# A token is secrets.token_urlsafe(32): 43 characters. Anything much longer is not one of ours.
_MAX_TOKEN_LENGTH = 128


class InvitationStatus(enum.StrEnum):
    PENDING = "pending"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ACCEPTED = "accepted"


class InvitationUnusable(Refusal):
    """The link cannot open an account: unknown (`status` None, a 404) or no longer usable (410)."""

    def __init__(self, status: InvitationStatus | None):
        super().__init__(_UNUSABLE[status])
        self.status = status


_UNUSABLE = {
    None: N_("This invitation link is not valid. Check that you copied all of it, or ask for a new one."),
    InvitationStatus.EXPIRED: N_("This invitation has expired. Ask the platform for a new one."),
    InvitationStatus.REVOKED: N_("This invitation was withdrawn. Ask the platform for a new one."),
    InvitationStatus.ACCEPTED: N_(
        "This invitation has already been used. Sign in with the account it opened."
    ),
}


def status_of(invitation: MerchantInvitation) -> InvitationStatus:
    """Whether `invitation` can still be used, and if not, why (used and revoked before expired)."""
    if invitation.accepted_at is not None:
        return InvitationStatus.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationStatus.REVOKED
    if invitation.expires_at <= now():
        return InvitationStatus.EXPIRED
    return InvitationStatus.PENDING


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# --- What the admin sees ----------------------------------------------------------------------


def staff_of_shops(merchant_ids: Iterable[int]) -> dict[int, list[User]]:
    """The staff accounts of each shop in `merchant_ids`, by name, in one statement."""
    ids = list(merchant_ids)
    staff: dict[int, list[User]] = defaultdict(list)
    if ids:
        query = select(User).where(User.merchant_id.in_(ids)).order_by(User.name, User.id)
        for user in db.session.scalars(query):
            staff[user.merchant_id].append(user)
    return staff


def open_invitations_of_shops(merchant_ids: Iterable[int]) -> dict[int, list[MerchantInvitation]]:
    """The invitations of each shop that were neither used nor revoked (expired ones too, so the
    admin sees that a link ran out), newest first, in one statement."""
    ids = list(merchant_ids)
    invitations: dict[int, list[MerchantInvitation]] = defaultdict(list)
    if ids:
        query = (
            select(MerchantInvitation)
            .where(
                MerchantInvitation.merchant_id.in_(ids),
                MerchantInvitation.accepted_at.is_(None),
                MerchantInvitation.revoked_at.is_(None),
            )
            .order_by(MerchantInvitation.created_at.desc(), MerchantInvitation.id.desc())
        )
        for invitation in db.session.scalars(query):
            invitations[invitation.merchant_id].append(invitation)
    return invitations


# --- Accounts and invitations -------------------------------------------------------------------


def create_shop_staff(merchant: Merchant, *, name: str, email: str, password: str, actor: User) -> User:
    """Open a merchant staff account of `merchant` (as administration.create_staff_account).

    name, email, password: the account's; the password passes the password rules.
    actor: the admin, for the audit log. Raises InvalidField naming the field at fault.
    """
    return create_staff_account(
        email=email,
        name=name,
        password=password,
        role=Role.MERCHANT,
        shop_code=merchant.shop_code,
        actor=actor,
    )


def invite_shop_staff(
    merchant: Merchant, *, name: str, email: str, actor: User
) -> tuple[MerchantInvitation, str]:
    """Invite someone to open a merchant staff account of `merchant`; return the invitation and its
    token (the only time the token exists: only its hash is stored).

    name: the invitee's name as the admin knows it; they may correct it when they accept.
    email: where the link goes; refused if an account has it or a usable invitation already goes there.
    actor: the admin, for the audit log. Raises InvalidField naming the field at fault.
    """
    name = _name(name)
    email = _email(email)
    at = now()
    pending = select(MerchantInvitation.id).where(
        MerchantInvitation.email == email,
        MerchantInvitation.accepted_at.is_(None),
        MerchantInvitation.revoked_at.is_(None),
        MerchantInvitation.expires_at > at,
    )
    if db.session.scalar(pending.limit(1)) is not None:
        raise InvalidField(
            "email", N_("An invitation to this email is still open. Revoke it first to send a new one.")
        )
    token = secrets.token_urlsafe(32)
    invitation = MerchantInvitation(
        merchant_id=merchant.id,
        email=email,
        name=name,
        token_hash=_hash(token),
        invited_by_id=actor.id if actor is not None else None,
        created_at=at,
        expires_at=at + timedelta(days=current_app.config["MERCHANT_INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    admin_audit.record(
        actor,
        AdminAction.MERCHANT_INVITED,
        "merchant",
        merchant.id,
        name=merchant.name,
        shop_code=merchant.shop_code,
        email=email,
        invitation_id=invitation.id,
        expires_at=invitation.expires_at,
    )
    return invitation, token


def _name(name: str | None) -> str:
    text = (name or "").strip()
    if not text:
        raise InvalidField("name", N_("Fill in this field."))
    if len(text) > 120:
        raise InvalidField("name", N_("At most %(max)s characters."), max=120)
    return text


def _email(email: str | None) -> str:
    address = accounts.normalise_email(email)
    local, at_sign, domain = address.partition("@")
    if not (local and at_sign and "." in domain) or len(address) > 254 or any(c.isspace() for c in address):
        raise InvalidField("email", N_("Enter a valid email address."))
    if accounts.email_taken(address):
        raise InvalidField("email", N_("An account with this email already exists."))
    return address


def revoke_invitation(invitation: MerchantInvitation, *, actor: User) -> bool:
    """Make `invitation`'s link unusable; return whether it changed (revoking twice is harmless).

    actor: the admin, for the audit log. Refuses an invitation that was already used: the account
    it opened is deactivated on the users page instead.
    """
    if invitation.accepted_at is not None:
        raise Refusal(N_("This invitation was already used. Deactivate the account it opened instead."))
    if invitation.revoked_at is not None:
        return False
    invitation.revoked_at = now()
    db.session.flush()
    merchant = db.session.get(Merchant, invitation.merchant_id)
    admin_audit.record(
        actor,
        AdminAction.MERCHANT_INVITATION_REVOKED,
        "merchant",
        merchant.id,
        name=merchant.name,
        shop_code=merchant.shop_code,
        email=invitation.email,
        invitation_id=invitation.id,
    )
    return True


def find_invitation(token: str) -> MerchantInvitation:
    """The usable invitation whose link carries `token`; raises InvitationUnusable (with its
    status: None when no invitation has this token) otherwise."""
    invitation = None
    if token and len(token) <= _MAX_TOKEN_LENGTH:
        invitation = db.session.scalar(
            select(MerchantInvitation).where(MerchantInvitation.token_hash == _hash(token))
        )
    if invitation is None:
        raise InvitationUnusable(None)
    status = status_of(invitation)
    if status is not InvitationStatus.PENDING:
        raise InvitationUnusable(status)
    return invitation


def email_already_registered(invitation: MerchantInvitation) -> bool:
    """Whether an account already has the invitation's email (it cannot open a second one)."""
    return accounts.email_taken(invitation.email)


def accept_invitation(token: str, *, name: str, password: str, locale: str | None = None) -> User:
    """Use the link: open the merchant staff account of the invitation's shop; return it.

    token: from the link. name: the person's name. password: passes the password rules.
    locale: the language they chose on the site, if any.
    Raises InvitationUnusable, Refusal (the email already has an account), or InvalidField.
    """
    invitation = find_invitation(token)
    name = _name(name)
    try:
        accounts.check_password_rules(password)
    except Refusal as refusal:
        raise InvalidField("password", refusal.template, **refusal.params) from refusal
    if email_already_registered(invitation):
        raise Refusal(N_("An account with this email already exists. Sign in with it instead."))
    at = now()
    # Claim the invitation first: of two requests using one link at once, only one gets it.
    claimed = db.session.execute(
        update(MerchantInvitation)
        .where(
            MerchantInvitation.id == invitation.id,
            MerchantInvitation.accepted_at.is_(None),
            MerchantInvitation.revoked_at.is_(None),
        )
        .values(accepted_at=at)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise InvitationUnusable(InvitationStatus.ACCEPTED)
    try:
        user = accounts.create_user(
            email=invitation.email,
            name=name,
            password=password,
            role=Role.MERCHANT,
            locale=locale,
            merchant_id=invitation.merchant_id,
        )
    except IntegrityError as exc:  # the same email registered a moment ago
        raise Refusal(N_("An account with this email already exists. Sign in with it instead.")) from exc
    invitation.accepted_at, invitation.user_id = at, user.id
    db.session.flush()
    merchant = db.session.get(Merchant, invitation.merchant_id)
    admin_audit.record(
        user,
        AdminAction.MERCHANT_INVITATION_ACCEPTED,
        "user",
        user.id,
        name=user.name,
        email=user.email,
        role=user.role,
        shop_code=merchant.shop_code,
        invitation_id=invitation.id,
    )
    return user


# --- The e-mail -------------------------------------------------------------------------------------


def send_invitation_email(invitation: MerchantInvitation, link: str) -> bool:
    """E-mail the link to the invitee, in the platform's default language (they have chosen none
    yet); return whether it was sent. Without SMTP, or when the server refuses, it is not, and the
    admin hands the link over themselves. Call after the invitation is committed."""
    if not mailer.smtp_configured():
        return False
    merchant = db.session.get(Merchant, invitation.merchant_id)
    message = EmailMessage()
    message["To"] = invitation.email
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        message["Subject"] = _("Your invitation to answer complaints for %(shop)s", shop=merchant.name)
        message.set_content(
            _(
                "Hello %(name)s,\n\n"
                "you are invited to answer the complaints about %(shop)s on PledgeDesk.\n"
                "Open this link to choose your password and sign in:\n\n%(link)s\n\n"
                "The link works once, until %(until)s. If you did not expect it, ignore this e-mail.",
                name=invitation.name,
                shop=merchant.name,
                link=link,
                until=format_datetime(invitation.expires_at, "short"),
            )
        )
    try:
        mailer.send(message)
    except (OSError, smtplib.SMTPException) as exc:
        logging.getLogger(__name__).warning("invitation %s not e-mailed: %s", invitation.id, exc)
        return False
    return True
