"""The marketplace's systems as clients of the JSON API: who they are, what they may do (scopes),
their secret tokens (only a hash is kept), and the idempotency keys of the complaints they filed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.extensions import db
from complaints.models.types import UTCDateTime


class ApiClient(db.Model):
    """A system an admin let in: its name, who owns it, and its scopes (complaints:read,
    complaints:write, consumers:act, merchant:<shop id>)."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    owner: Mapped[str] = mapped_column(String(120))
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="client", order_by="ApiToken.id")


class ApiToken(db.Model):
    """One secret of a client. Only its SHA-256 is kept; the secret is shown once, when issued.
    Rotating is issuing a new one, then revoking the old."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the secret's first characters, to tell tokens apart
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client: Mapped[ApiClient] = relationship(back_populates="tokens")


class IdempotencyKey(db.Model):
    """A client's Idempotency-Key for a filing, and the complaint it filed: a retried request
    answers with that complaint. The unique constraint makes a concurrent retry lose its insert."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("client_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
