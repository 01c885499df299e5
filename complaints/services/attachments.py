"""Evidence files: checked by content, size-capped, stored under instance/ with random names."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from pypdf import PdfReader, apply_configuration
from pypdf import filters as pypdf_filters
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from complaints.extensions import db
from complaints.models import Attachment, Complaint, MediationSession, Message, User
from complaints.services.errors import InvalidUpload
from complaints.timekeeping import now
from complaints.workflow import N_

log = logging.getLogger(__name__)

# Magic numbers of the types we accept; the name and the browser's claim are not trusted.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
# Active content in a PDF runs in some readers; evidence has no need of it. It is looked for twice:
# in the bytes as sent (names may be written with #xx escapes: /J#61vaScript), and in every object
# and every stream as pypdf reads them, with every standard filter chain undone (FlateDecode twice,
# ASCIIHex, ASCII85, LZW, RunLength...). A PDF that cannot be read through is refused: what cannot
# be inspected is not accepted.
_PDF_ACTIVE = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|OpenAction|AA|RichMedia|XFA)(?![A-Za-z0-9])"
)
_PDF_ACTIVE_KEYS = frozenset(
    f"/{name}"
    for name in (
        "JavaScript",
        "JS",
        "Launch",
        "EmbeddedFile",
        "EmbeddedFiles",
        "OpenAction",
        "AA",
        "RichMedia",
        "XFA",
    )
)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_MAX_DECODED = 20 * 1024 * 1024  # all streams of one file together; past this it is treated as a bomb


class UninspectablePdf(Exception):
    """The PDF cannot be read through (malformed, unknown filter, or decoding past the budget)."""


def _unescape_names(data: bytes) -> bytes:
    return _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _pdf_objects(reader):
    """Every object of the file: those in the cross-reference table and those in object streams."""
    for generation, entries in reader.xref.items():
        for number in entries:
            yield reader.get_object(IndirectObject(number, generation, reader))
    for number in reader.xref_objStm:
        yield reader.get_object(IndirectObject(number, 0, reader))
    yield reader.trailer


def _is_active(value, depth: int = 0) -> bool:
    """Whether a direct PDF value holds an active key or a /JavaScript or /Launch action."""
    if depth > 50:
        raise UninspectablePdf("nested too deeply")
    if isinstance(value, DictionaryObject):
        if _PDF_ACTIVE_KEYS.intersection(value.keys()):
            return True
        return any(_is_active(item, depth + 1) for item in value.values())
    if isinstance(value, ArrayObject):
        return any(_is_active(item, depth + 1) for item in value)
    return isinstance(value, NameObject) and value in ("/JavaScript", "/Launch")


# pypdf's own limits, tightened for evidence: no single stream may decode past the budget either.
_PDF_LIMITS = {
    "maximum_declared_stream_length": _MAX_DECODED,
    "zlib_maximum_output_length": _MAX_DECODED,
    "lzw_maximum_output_length": _MAX_DECODED,
    "run_length_maximum_output_length": _MAX_DECODED,
    "brotli_maximum_output_length": _MAX_DECODED,
    "array_based_stream_maximum_output_length": _MAX_DECODED,
    "stream_decoding_work_maximum_length": 4 * _MAX_DECODED,
}


def _inspect_pdf(data: bytes) -> bool:
    budget = _MAX_DECODED
    with apply_configuration(**_PDF_LIMITS):
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UninspectablePdf("encrypted with a password")
        for obj in _pdf_objects(reader):
            if _is_active(obj):
                return True
            if isinstance(obj, StreamObject):
                decoded = obj.get_data()
                budget -= len(decoded)
                if budget < 0:
                    raise UninspectablePdf("decodes past the budget")
                if _PDF_ACTIVE.search(_unescape_names(decoded)):
                    return True
    return False


# For files pypdf cannot parse as a document (a missing or broken cross-reference table), every
# stream is still found in the bytes and decoded through its filter chain.
_RAW_STREAM = re.compile(rb"obj(?P<head>(?:(?!endobj).){0,4096}?)stream\r?\n(?P<data>.*?)endstream", re.S)
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
_DECODERS = {
    b"FlateDecode": pypdf_filters.FlateDecode,
    b"Fl": pypdf_filters.FlateDecode,
    b"ASCIIHexDecode": pypdf_filters.ASCIIHexDecode,
    b"AHx": pypdf_filters.ASCIIHexDecode,
    b"ASCII85Decode": pypdf_filters.ASCII85Decode,
    b"A85": pypdf_filters.ASCII85Decode,
    b"LZWDecode": pypdf_filters.LZWDecode,
    b"LZW": pypdf_filters.LZWDecode,
    b"RunLengthDecode": pypdf_filters.RunLengthDecode,
    b"RL": pypdf_filters.RunLengthDecode,
}
# Image data: readers never take PDF objects out of it, so it needs no decoding to be inspected.
_IMAGE_FILTERS = frozenset({b"DCTDecode", b"DCT", b"JPXDecode", b"CCITTFaxDecode", b"CCF", b"JBIG2Decode"})


def _raw_streams_decoded(data: bytes):
    """Each stream found in the bytes, decoded through its filter chain (raises UninspectablePdf
    for a filter we cannot undo, or parameters that reshape the bytes)."""
    budget = _MAX_DECODED
    with apply_configuration(**_PDF_LIMITS):
        for match in _RAW_STREAM.finditer(data):
            head, stream = _unescape_names(match["head"]), match["data"]
            found = _FILTER.search(head)
            names = re.findall(rb"/([A-Za-z0-9]+)", found.group(1)) if found else []
            if _IMAGE_FILTERS.intersection(names):
                continue
            if names and b"/DecodeParms" in head:
                raise UninspectablePdf("stream parameters")
            for name in names:
                if name not in _DECODERS:
                    raise UninspectablePdf(f"unknown filter {name!r}")
                stream = _DECODERS[name].decode(stream)
            budget -= len(stream)
            if budget < 0:
                raise UninspectablePdf("decodes past the budget")
            yield stream


def pdf_has_active_content(data: bytes) -> bool:
    """Whether a PDF carries scripts, actions or embedded files, in plain or encoded objects.

    Raises UninspectablePdf when the file cannot be read through."""
    if _PDF_ACTIVE.search(_unescape_names(data)):
        return True
    try:
        try:
            return _inspect_pdf(data)
        except PdfReadError:  # not a readable document: inspect its streams one by one instead
            return any(_PDF_ACTIVE.search(_unescape_names(stream)) for stream in _raw_streams_decoded(data))
    except UninspectablePdf:
        raise
    except Exception as exc:  # any failure to read it through: pypdf errors, recursion, limits
        raise UninspectablePdf(str(exc)) from exc


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
    if content_type == "application/pdf":
        try:
            active = pdf_has_active_content(upload.data)
        except UninspectablePdf as exc:
            log.info("refused an unreadable PDF %r: %s", name, exc)
            raise InvalidUpload(
                N_("%(name)s is a PDF we cannot read through. Save it again as PDF, or send photos instead."),
                name=name,
            ) from exc
        if active:
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
    complaint: Complaint,
    user: User | None,
    uploads: list[Upload],
    message: Message | None = None,
    session: MediationSession | None = None,
) -> list[Attachment]:
    """Validate, write to disk and record `uploads` on `complaint`.

    complaint: the complaint (flushed, with an id).
    user: who uploaded them.
    uploads: the files; all are checked before any is written.
    message: the message they came with, if any.
    session: the mediation session they document, if any (read as its notes are).
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
            session_id=session.id if session is not None else None,
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


def pending_upload_path(stored_name: str) -> Path:
    """Where a pending upload (kept for a refused filing, complaints/services/pending_uploads.py)
    lives: beside the attachments, never among them, so the attachment folder holds only evidence."""
    return (
        Path(current_app.config["ATTACHMENT_DIR"]).parent / "pending-uploads" / stored_name[:2] / stored_name
    )


def write_file(path: Path, data: bytes) -> None:
    """Write `data` to a new file at `path`, durably; removed again if the transaction rolls back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    _remove_on_rollback(path)
