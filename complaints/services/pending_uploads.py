"""Evidence kept across a refused filing, so that a consumer does not choose their files again.

A filing refused for a missing title used to drop the chosen files. Now the files that pass the
same content checks as evidence are written aside (pending_upload_path) and recorded as a
PendingUpload of the consumer, with an expiry; the form carries opaque tokens in hidden fields. The
next submission hands the tokens back and the files become Attachments in the transaction that
files the complaint, never before: a pending upload is no complaint's evidence.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from complaints.extensions import db
from complaints.models import PendingUpload, User
from complaints.services.attachments import (
    Upload,
    pending_upload_path,
    safe_display_name,
    validate_upload,
    write_file,
)
from complaints.services.errors import InvalidUpload
from complaints.timekeeping import now
from complaints.workflow import N_

log = logging.getLogger(__name__)

KEEP_FOR = timedelta(hours=2)
# Rows stay a day past their expiry, so that an expired token is refused by name, not as unknown.
FORGET_AFTER = timedelta(days=1)
_PURGE_BATCH = 100
_TOKEN_MAX = 64


@dataclass(frozen=True)
class KeptFile:
    """A kept file as the form shows it: its token and its name."""

    token: str
    name: str
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keep_uploads(
    consumer: User, uploads: list[Upload], room: int
) -> tuple[list[KeptFile], list[InvalidUpload]]:
    """Keep the uploads of a refused filing that pass the evidence checks.

    consumer: whose files they are; only they can use the tokens.
    uploads: the files sent with the refused filing.
    room: how many more files the filing may carry (those already kept count).
    Returns the files kept and the reason each other one was refused. The caller commits.
    """
    purge_expired_uploads()
    kept, refused = [], []
    at = now()
    for upload in uploads:
        if len(kept) >= room:
            maximum = current_app.config["MAX_ATTACHMENTS"]
            refused.append(InvalidUpload(N_("Attach at most %(maximum)s files at a time."), maximum=maximum))
            break
        try:
            content_type = validate_upload(upload)
        except InvalidUpload as problem:
            refused.append(problem)
            continue
        token, stored_name = secrets.token_urlsafe(24), secrets.token_hex(16)
        write_file(pending_upload_path(stored_name), upload.data)
        row = PendingUpload(
            user_id=consumer.id,
            token_hash=_hash(token),
            original_name=safe_display_name(upload.filename),
            stored_name=stored_name,
            content_type=content_type,
            size=len(upload.data),
            created_at=at,
            expires_at=at + KEEP_FOR,
        )
        db.session.add(row)
        kept.append(KeptFile(token, row.original_name, row.expires_at))
    db.session.flush()
    log.info("kept %s file(s) of a refused filing for user %s", len(kept), consumer.id)
    return kept, refused


def _rows(consumer: User, tokens: list[str]) -> dict[str, PendingUpload]:
    hashes = {_hash(t): t for t in tokens if t and len(t) <= _TOKEN_MAX}
    if not hashes:
        return {}
    rows = db.session.scalars(
        select(PendingUpload).where(
            PendingUpload.token_hash.in_(list(hashes)), PendingUpload.user_id == consumer.id
        )
    )
    return {hashes[row.token_hash]: row for row in rows}


def _problem(row: PendingUpload | None, at: datetime) -> InvalidUpload | None:
    if row is None:  # unknown, forgotten or another person's: alike, so a token reveals nothing
        return InvalidUpload(
            N_("A file kept from your last attempt is no longer available. Choose it again.")
        )
    if row.expires_at <= at:
        return InvalidUpload(
            N_("%(name)s was kept for you for a limited time only, which has passed. Choose it again."),
            name=row.original_name,
        )
    return None


def kept_files(consumer: User, tokens: list[str]) -> tuple[list[KeptFile], list[InvalidUpload]]:
    """The kept files named by `tokens` that `consumer` may still use, and why each other one
    cannot be used (expired, unknown or not theirs)."""
    rows, at = _rows(consumer, tokens), now()
    kept, refused = [], []
    for token in dict.fromkeys(tokens):
        row = rows.get(token)
        problem = _problem(row, at)
        if problem:
            refused.append(problem)
        else:
            kept.append(KeptFile(token, row.original_name, row.expires_at))
    return kept, refused


def take_kept_uploads(consumer: User, tokens: list[str]) -> list[Upload]:
    """The kept files as uploads for the filing that now uses them; their records go with the
    filing's transaction (a rolled-back filing keeps them). Raises InvalidUpload for a token that
    cannot be used."""
    rows, at = _rows(consumer, tokens), now()
    uploads = []
    for token in dict.fromkeys(tokens):
        row = rows.get(token)
        problem = _problem(row, at)
        if problem:
            raise problem
        try:
            data = pending_upload_path(row.stored_name).read_bytes()
        except OSError as exc:
            log.warning("kept file %s is missing: %s", row.stored_name, exc)
            raise InvalidUpload(
                N_("A file kept from your last attempt is no longer available. Choose it again.")
            ) from exc
        uploads.append(Upload(row.original_name, data))
        db.session.delete(row)
        db.session.info.setdefault("pledgedesk.taken_pending", []).append(row.stored_name)
    return uploads


def remove_taken_files() -> None:
    """After the filing committed: delete the files of the pending uploads it took (their bytes
    are now stored as its evidence)."""
    for stored_name in db.session.info.pop("pledgedesk.taken_pending", []):
        pending_upload_path(stored_name).unlink(missing_ok=True)


def forget_kept_uploads(consumer: User, tokens: list[str]) -> None:
    """The consumer removed these kept files from the form: forget them. The caller commits."""
    for row in _rows(consumer, tokens).values():
        db.session.delete(row)
        pending_upload_path(row.stored_name).unlink(missing_ok=True)


def purge_expired_uploads() -> int:
    """Forget pending uploads a day past their expiry, a batch at a time; returns how many."""
    rows = db.session.scalars(
        select(PendingUpload)
        .where(PendingUpload.expires_at < now() - FORGET_AFTER)
        .order_by(PendingUpload.expires_at)
        .limit(_PURGE_BATCH)
    ).all()
    if rows:
        db.session.execute(delete(PendingUpload).where(PendingUpload.id.in_([r.id for r in rows])))
        for row in rows:
            pending_upload_path(row.stored_name).unlink(missing_ok=True)
    return len(rows)
