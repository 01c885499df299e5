"""Uploads that lie about what they are, on every way a file comes in, and who may download them.

Each lying file is sent through the filing form, the consumer's evidence and reply forms and the
desk's reply form. A refused file is named in a clear message beside the form, and neither the
database nor the evidence folder changes. A file that is what it claims (even with a hostile
name, or an image with HTML after its pixels) is stored under a random name inside the evidence
folder and served as what it is, never as a page.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Attachment
from tests.files import html_bytes, png_bytes
from tests.security.support import differences

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
PDF_JAVASCRIPT = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Names << /JavaScript 2 0 R >> >> endobj\n%%EOF\n"
PDF_OPENACTION = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /Launch /F (calc.exe) >> >> endobj\n%%EOF\n"
)
# PDF names may spell any character as #xx; every reader decodes them, so this is /OpenAction /JavaScript /JS.
PDF_HEX_NAMES = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Open#41ction << /S /J#61vaScript /J#53 (app.alert(1)) >> >> endobj\n%%EOF\n"


def _pdf_with_script_in_an_object_stream() -> bytes:
    """The catalog's /OpenAction JavaScript inside a compressed object stream (PDF 1.5)."""
    inner = b"<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    header = b"1 0 "
    stream = zlib.compress(header + inner)
    return (
        b"%PDF-1.5\n2 0 obj << /Type /ObjStm /N 1 /First "
        + str(len(header)).encode()
        + b" /Filter /FlateDecode /Length "
        + str(len(stream)).encode()
        + b" >>\nstream\n"
        + stream
        + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def _zip_bomb() -> bytes:
    """A small zip that expands to 50 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * 50_000_000)
    return buffer.getvalue()


@dataclass(frozen=True)
class Lie:
    name: str
    data: bytes
    message: str  # shown beside the form; {name} is the name as we show it


NOT_ACCEPTED = "{name} is not a JPEG, PNG or PDF file."
ACTIVE = "{name} contains scripts or embedded files, which we do not accept."
LIES = {
    "html-named-jpg": Lie("photo.jpg", html_bytes(), NOT_ACCEPTED),
    "svg-named-png": Lie("drawing.png", SVG, NOT_ACCEPTED),
    "pdf-with-javascript": Lie("statement.pdf", PDF_JAVASCRIPT, ACTIVE),
    "pdf-with-openaction": Lie("invoice.pdf", PDF_OPENACTION, ACTIVE),
    "zip-bomb-named-pdf": Lie("records.pdf", _zip_bomb(), NOT_ACCEPTED),
    "zero-bytes": Lie("empty.png", b"", "{name} is empty."),
    "pdf-with-hex-escaped-names": Lie("hex.pdf", PDF_HEX_NAMES, ACTIVE),
    "pdf-with-script-in-object-stream": Lie("objstm.pdf", _pdf_with_script_in_an_object_stream(), ACTIVE),
}
KNOWN_HOLES: dict[str, str] = {}  # none open


@dataclass(frozen=True)
class Way:
    """One way a file comes in: who sends it, where, with which other fields."""

    role: str
    path: str  # {ref}: the planted complaint the file is added to
    field: str
    other: tuple[tuple[str, str], ...] = ()

    def send(self, planted, name: str, data: bytes):
        form = {**dict(self.other), self.field: [(io.BytesIO(data), name)]}
        if self.path == "/portal/complaints/new":
            form.update(
                merchant_id=str(planted.people.merchant_ids[0]),
                category_id=str(planted.people.category_ids[0]),
                order_reference="ORD-UPLOAD-0001",
                title="Broken kettle",
                description="The kettle leaks from the bottom.",
                desired_outcome="replacement",
                claimed_amount="89.00",
            )
        url = self.path.format(ref=planted.refs["mediated"])
        return planted.client(self.role).post(url, data=form, content_type="multipart/form-data")


WAYS = {
    "filing": Way("consumer", "/portal/complaints/new", "evidence"),
    "evidence": Way("consumer", "/portal/complaints/{ref}/evidence", "evidence"),
    "consumer-reply": Way(
        "consumer", "/portal/complaints/{ref}/reply", "attachments", (("body", "See the file."),)
    ),
    "desk-reply": Way(
        "supervisor", "/desk/complaints/{ref}/reply", "reply_files", (("reply_body", "See the file."),)
    ),
}


def _cases():
    for lie_id, lie in LIES.items():
        for way_id in WAYS:
            marks = (
                [pytest.mark.xfail(strict=True, reason=KNOWN_HOLES[lie_id])] if lie_id in KNOWN_HOLES else []
            )
            yield pytest.param(way_id, lie, id=f"{way_id}-{lie_id}", marks=marks)


@pytest.mark.parametrize(("way", "lie"), _cases())
def test_a_file_that_lies_is_refused_with_a_clear_message_and_nothing_is_kept(planted, way, lie):
    before = planted.snapshot()
    response = WAYS[way].send(planted, lie.name, lie.data)
    assert response.status_code == 400
    assert lie.message.format(name=lie.name) in response.text
    assert differences(before, planted.snapshot()) == []


def _newest_attachment(planted) -> Attachment:
    with planted.app.app_context():
        newest = db.session.scalar(select(Attachment).order_by(Attachment.id.desc()).limit(1))
        db.session.expunge(newest)
        db.session.remove()
    return newest


def _reference_of(planted, attachment: Attachment) -> str:
    from complaints.models import Complaint

    with planted.app.app_context():
        reference = db.session.scalar(
            select(Complaint.reference).where(Complaint.id == attachment.complaint_id)
        )
        db.session.remove()
    return reference


HOSTILE_NAMES = {  # sent -> how the name must end once cleaned
    "path-traversal": ("../../etc/passwd", "passwd"),
    "windows-traversal": ("..\\..\\windows\\win.png", "win.png"),
    "nul-and-control-characters": ("evil\x00name\x01\x1b[31m\x7f.png", "evilname[31m.png"),
    "header-breaking": ("a%0D%0ASet-Cookie: x=1;.png", "a%0D%0ASet-Cookie x=1;.png"),
}


@pytest.mark.parametrize(("sent", "shown"), HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
@pytest.mark.parametrize("way", WAYS)
def test_a_hostile_file_name_is_cleaned_and_the_file_stays_in_the_evidence_folder(planted, way, sent, shown):
    folder = Path(planted.app.config["ATTACHMENT_DIR"]).resolve()
    files_before = set(folder.rglob("*"))
    response = WAYS[way].send(planted, sent, png_bytes(1, 2, 3))
    assert response.status_code == 302

    stored = _newest_attachment(planted)
    assert stored.original_name.endswith(shown)
    assert not re.search(r"[\x00-\x1f\x7f/\\<>:\"|?*]|^\.", stored.original_name), stored.original_name
    new_files = {p for p in set(folder.rglob("*")) - files_before if p.is_file()}
    assert [p.name for p in new_files] == [stored.stored_name]
    assert re.fullmatch(r"[0-9a-f]{32}", stored.stored_name)
    assert not (folder.parent / "etc").exists() and not (folder.parent.parent / "etc").exists()

    download = planted.client(WAYS[way].role).get(
        planted.url("files.attachment", reference=_reference_of(planted, stored), attachment_id=stored.id)
    )
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert not re.search(r"[\x00-\x1f\x7f/\\]", disposition), disposition


@pytest.mark.parametrize("way", WAYS)
def test_an_image_with_html_after_its_pixels_is_served_only_as_an_image(planted, way):
    polyglot = png_bytes(4, 5, 6) + b"<html><body><script>alert(document.cookie)</script></body></html>"
    response = WAYS[way].send(planted, "holiday.png", polyglot)
    assert response.status_code == 302
    stored = _newest_attachment(planted)

    download = planted.client(WAYS[way].role).get(
        planted.url("files.attachment", reference=_reference_of(planted, stored), attachment_id=stored.id)
    )
    assert download.status_code == 200
    assert download.mimetype == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    policy = download.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert "private" in download.headers["Cache-Control"]
    assert download.data == polyglot


DOWNLOADERS = {  # planted evidence -> (may download, must get 404)
    "received": ("consumer", "other_consumer"),
    "mediated": ("consumer", "other_consumer"),
    "foreign": ("other_consumer", "consumer"),
    "foreign_mediated": ("other_mediator", "mediator"),
}


@pytest.mark.parametrize("evidence", DOWNLOADERS)
def test_every_evidence_download_checks_who_asks(planted, evidence):
    url = planted.url(
        "files.attachment", reference=planted.refs[evidence], attachment_id=planted.attachments[evidence]
    )
    owner, stranger = DOWNLOADERS[evidence]

    anonymous = planted.fresh_client(None).get(url)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login")
    assert planted.client(stranger).get(url).status_code == 404
    allowed = planted.client(owner).get(url)
    assert allowed.status_code == 200
    assert allowed.data == planted.attachment_bytes[planted.attachments[evidence]]


def test_no_orphan_file_is_left_in_the_evidence_folder(planted):
    """Every file in the folder belongs to a stored attachment (runs after the probes above)."""
    with planted.app.app_context():
        names = set(db.session.scalars(select(Attachment.stored_name)))
        count = db.session.scalar(select(func.count()).select_from(Attachment))
        db.session.remove()
    on_disk = {p.name for p in Path(planted.app.config["ATTACHMENT_DIR"]).rglob("*") if p.is_file()}
    assert on_disk == names and len(names) == count
