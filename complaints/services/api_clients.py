"""API clients: created by an admin, authenticated by a secret token of which only a hash is kept,
and the idempotent filing of complaints they send."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from complaints import participants
from complaints.bounds import find, parse_id
from complaints.extensions import db
from complaints.models import AdminAction, ApiClient, ApiToken, Complaint, IdempotencyKey, User
from complaints.services import admin_audit, filing
from complaints.services.administration import InvalidField
from complaints.timekeeping import now
from complaints.workflow import N_, Refusal

SECRET_PREFIX = "pdk_"
SCOPE_RE = re.compile(r"^(complaints:read|complaints:write|consumers:act|merchant:[1-9][0-9]{0,9})$")
MAX_KEY = 255


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(text: str) -> list[str]:
    """Scopes from whitespace- or comma-separated text; InvalidField naming the first bad one."""
    scopes = [s for s in re.split(r"[\s,]+", text or "") if s]
    for scope in scopes:
        if not SCOPE_RE.match(scope):
            raise InvalidField("scopes", N_("Unknown scope: %(scope)s"), scope=scope)
    return sorted(set(scopes))


def create_client(name: str, owner: str, scopes: list[str], actor: User | None = None) -> ApiClient:
    """A new client, in the admin audit log (the caller commits). InvalidField if the name is taken."""
    name, owner = name.strip(), owner.strip()
    if db.session.scalar(select(ApiClient.id).where(ApiClient.name == name)) is not None:
        raise InvalidField("name", N_("An API client with this name exists already."))
    client = ApiClient(name=name, owner=owner, scopes=scopes, active=True, created_at=now())
    db.session.add(client)
    db.session.flush()
    admin_audit.record(
        actor, AdminAction.API_CLIENT_CREATED, "api_client", client.id, name=name, owner=owner, scopes=scopes
    )
    return client


def issue_token(client: ApiClient, actor: User | None = None) -> str:
    """A new secret for `client`; returned once, only its hash is stored (the caller commits)."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(client=client, prefix=secret[:10], secret_hash=_hash(secret), created_at=now()))
    db.session.flush()
    admin_audit.record(actor, AdminAction.API_TOKEN_ISSUED, "api_client", client.id, token=secret[:10])
    return secret


def revoke_token(client: ApiClient, token_id: int, actor: User | None = None) -> bool:
    """Revoke one of `client`'s tokens; False if it has no such live token (the caller commits)."""
    token = find(ApiToken, token_id)
    if token is None or token.client_id != client.id or token.revoked_at is not None:
        return False
    token.revoked_at = now()
    admin_audit.record(actor, AdminAction.API_TOKEN_REVOKED, "api_client", client.id, token=token.prefix)
    return True


def authenticate(secret: str | None) -> ApiClient | None:
    """The active client whose live token is `secret`, or None."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.secret_hash == _hash(secret)))
    if token is None or token.revoked_at is not None or not token.client.active:
        return None
    return token.client


@dataclass
class ActingFor:
    user: User | None
    problem: str | None = None  # why not: "missing", "malformed", "forbidden"


def acting_for(client: ApiClient, header: str | None) -> ActingFor:
    """Whom the client acts for, from `PledgeDesk-Acting-For: consumer:<user id>` or
    `merchant:<user id>` (a shop's staff member), as the participant policy allows."""
    if not header:
        return ActingFor(None, "missing")
    kind, _, raw = header.strip().partition(":")
    user_id = parse_id(raw)
    if kind not in ("consumer", "merchant") or user_id is None:
        return ActingFor(None, "malformed")
    user = find(User, user_id)
    if user is None or user.role.value != kind or not participants.api_client_acts_for(client.scopes, user):
        return ActingFor(None, "forbidden")
    return ActingFor(user)


class IdempotencyMismatch(Refusal):
    """The key was used before with a different request."""

    def __init__(self):
        super().__init__(N_("This Idempotency-Key was used for a different request."))


def file_once(client: ApiClient, consumer: User, key: str, fingerprint: str, draft) -> tuple[Complaint, bool]:
    """File `draft` for `consumer` once per (client, key): (complaint, True) when filed now,
    (the first complaint, False) when the key was seen. A concurrent retry loses the insert of the
    key (unique constraint), rolls back its own filing and answers with the winner's complaint."""
    known = _known(client, key, fingerprint)
    if known is not None:
        return known, False
    complaint = filing.file_complaint(consumer, draft)
    db.session.add(
        IdempotencyKey(
            client_id=client.id,
            key=key,
            request_hash=fingerprint,
            complaint_id=complaint.id,
            created_at=now(),
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        known = _known(client, key, fingerprint)
        if known is None:
            raise
        return known, False
    return complaint, True


def _known(client: ApiClient, key: str, fingerprint: str) -> Complaint | None:
    row = db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.client_id == client.id, IdempotencyKey.key == key)
    )
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyMismatch()
    return db.session.get(Complaint, row.complaint_id)
