"""Evidence downloads, only through a view that checks who asks."""

from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask_login import current_user, login_required

from complaints.services.attachments import attachment_path
from complaints.services.complaint_view import load_visible_attachment

bp = Blueprint("files", __name__)


@bp.get("/complaints/<reference>/attachments/<int:attachment_id>")
@login_required
def attachment(reference: str, attachment_id: int):
    found = load_visible_attachment(current_user, reference, attachment_id)
    if found is None:
        abort(404)
    path = attachment_path(found.stored_name)
    if not path.exists():
        abort(404)
    inline = found.content_type in ("image/jpeg", "image/png")
    response = send_file(
        path,
        mimetype=found.content_type,
        as_attachment=not inline,
        download_name=found.original_name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


# The PDF preview on the desk is framed by the app's own pages only, and loads nothing else. No
# `sandbox` here (the download has it): Firefox's viewer does not run in a sandboxed document, and
# the PDF was read through at upload and holds no scripts, actions or embedded files.
PDF_PREVIEW_CSP = "default-src 'none'; frame-ancestors 'self'"


@bp.get("/complaints/<reference>/attachments/<int:attachment_id>/inline")
@login_required
def attachment_inline(reference: str, attachment_id: int):
    """A PDF of the evidence shown in the page that frames it (the same authorisation as the
    download); anything else is not found here."""
    found = load_visible_attachment(current_user, reference, attachment_id)
    if found is None or found.content_type != "application/pdf":
        abort(404)
    path = attachment_path(found.stored_name)
    if not path.exists():
        abort(404)
    response = send_file(
        path, mimetype="application/pdf", as_attachment=False, download_name=found.original_name, max_age=0
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = PDF_PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
