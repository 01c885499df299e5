"""Evidence files: checked by content, size-capped, stored under instance/ with random names."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from complaints.extensions import db
from complaints.models import Attachment, Complaint, Message, User
from complaints.services.errors import InvalidUpload
from complaints.timekeeping import now
from complaints.workflow import N_

# Magic numbers of the types we accept; the name and the browser's claim are not trusted.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
# Active content in a PDF runs in some readers; evidence has no need of it. Names may be written
# with #xx escapes (/J#61vaScript) and objects may hide in compressed streams, so both are undone
# before looking.
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|OpenAction|AA|RichMedia|XFA)(?![A-Za-z0-9])")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_MAX_INFLATED = 20 * 1024 * 1024  # a stream that inflates past this is treated as hostile


def _unescape_names(data: bytes) -> bytes:
    return _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _inflated_streams(data: bytes):
    for match in _PDF_STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(match.group(1), _MAX_INFLATED)
        except zlib.error:
            continue  # not deflated (or not a stream we can read): its raw bytes were scanned
        if inflater.unconsumed_tail:
            yield b"/JavaScript"  # a decompression bomb: refuse it like active content
            return
        yield inflated


def pdf_has_active_content(data: bytes) -> bool:
    """Whether a PDF carries scripts, actions or embedded files, in plain or compressed objects."""
    if _PDF_ACTIVE.search(_unescape_names(data)):
        return True
    return any(_PDF_ACTIVE.search(_unescape_names(stream)) for stream in _inflated_streams(data))


@dataclass(frozen=True)
class Upload:
    """A file as received: its claimed name and its bytes."""

    filename: str
    data: bytes


def sniff_content_type(data: bytes) -> str | None:
    """The accepted content type `data` really is, or None."""
    for magic, content_type in _SIGNATURES:
        if data.startswith(magic):
            return content_type
    return None


def safe_display_name(filename: str) -> str:
    """A file name fit to show and to offer on download: no folders, no control characters."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    name = name.strip(" .")
    return name[:200] or "evidence"


def validate_upload(upload: Upload) -> str:
    """Check one upload; return its real content type or raise InvalidUpload."""
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    name = safe_display_name(upload.filename)
    if not upload.data:
        raise InvalidUpload(N_("%(name)s is empty."), name=name)
    if len(upload.data) > limit:
        raise InvalidUpload(
            N_("%(name)s is larger than %(limit)s MB."), name=name, limit=limit // (1024 * 1024)
        )
    content_type = sniff_content_type(upload.data)
    if content_type is None:
        raise InvalidUpload(N_("%(name)s is not a JPEG, PNG or PDF file."), name=name)
    if content_type == "application/pdf" and pdf_has_active_content(upload.data):
        raise InvalidUpload(
            N_("%(name)s contains scripts or embedded files, which we do not accept."), name=name
        )
    return content_type


def validate_uploads(uploads: list[Upload]) -> list[str]:
    """Check a batch of uploads; every one must pass before any is stored."""
    maximum = current_app.config["MAX_ATTACHMENTS"]
    if len(uploads) > maximum:
        raise InvalidUpload(N_("Attach at most %(maximum)s files at a time."), maximum=maximum)
    return [validate_upload(upload) for upload in uploads]


def attachment_path(stored_name: str) -> Path:
    """Where the file with `stored_name` lives on disk."""
    return Path(current_app.config["ATTACHMENT_DIR"]) / stored_name[:2] / stored_name


def store_attachments(
    complaint: Complaint, user: User | None, uploads: list[Upload], message: Message | None = None
) -> list[Attachment]:
    """Validate, write to disk and record `uploads` on `complaint`.

    complaint: the complaint (flushed, with an id).
    user: who uploaded them.
    uploads: the files; all are checked before any is written.
    message: the message they came with, if any.
    Written files are registered for removal should the transaction roll back.
    """
    content_types = validate_uploads(uploads)
    attachments = []
    for upload, content_type in zip(uploads, content_types, strict=True):
        stored_name = secrets.token_hex(16)
        path = attachment_path(stored_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as fh:
            fh.write(upload.data)
            fh.flush()
            os.fsync(fh.fileno())
        _remove_on_rollback(path)
        attachment = Attachment(
            complaint_id=complaint.id,
            message=message,
            uploaded_by_id=user.id if user else None,
            original_name=safe_display_name(upload.filename),
            stored_name=stored_name,
            content_type=content_type,
            size=len(upload.data),
            sha256=hashlib.sha256(upload.data).hexdigest(),
            created_at=now(),
        )
        db.session.add(attachment)
        attachments.append(attachment)
    return attachments


def _remove_on_rollback(path: Path) -> None:
    pending = db.session.info.setdefault("pledgedesk.written_files", [])
    pending.append(path)


def discard_uncommitted_files(session) -> None:
    """Remove files written in a transaction that rolled back, so no orphan stays on disk."""
    for path in session.info.pop("pledgedesk.written_files", []):
        path.unlink(missing_ok=True)


def forget_committed_files(session) -> None:
    session.info.pop("pledgedesk.written_files", None)


def prune_orphan_files(older_than_minutes: int = 60) -> list[Path]:
    """Delete files in the attachment folder that no attachment row names.

    A worker killed while writing evidence leaves its file behind (its transaction never
    committed). Only files older than `older_than_minutes` go, so an upload in flight is safe.
    Returns the paths removed.
    """
    from sqlalchemy import select

    folder = Path(current_app.config["ATTACHMENT_DIR"])
    if not folder.exists():
        return []
    cutoff = now().timestamp() - older_than_minutes * 60
    candidates = [p for p in folder.glob("*/*") if p.is_file() and p.stat().st_mtime < cutoff]
    if not candidates:
        return []
    known = set(
        db.session.scalars(
            select(Attachment.stored_name).where(Attachment.stored_name.in_([p.name for p in candidates]))
        )
    )
    removed = []
    for path in candidates:
        if path.name not in known:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
