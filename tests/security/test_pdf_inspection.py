"""PDF evidence is read through before it is accepted: active content is found however it is
encoded, and a file that cannot be read through is refused rather than waved on."""

from __future__ import annotations

import base64
import binascii
import io
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.generic import StreamObject

from complaints.services.attachments import UninspectablePdf, pdf_has_active_content

ACTION = b"<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"


def pdf(*bodies: bytes, xref: bool = True) -> bytes:
    """A PDF whose objects are `bodies` (object 1 first), with a correct cross-reference table
    (or none at all when xref=False, as in a damaged file)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    if xref:
        start = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n" % (len(bodies) + 1, start)
    else:
        out += b"trailer\n<< /Root 1 0 R >>\n"
    return bytes(out + b"%%EOF\n")


def stream(data: bytes, filters: bytes) -> bytes:
    return b"<< /Length %d /Filter %s >>\nstream\n" % (len(data), filters) + data + b"\nendstream"


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"

ENCODED = {
    "flate twice": (zlib.compress(zlib.compress(ACTION)), b"[/FlateDecode /FlateDecode]"),
    "ascii hex": (binascii.hexlify(ACTION) + b">", b"/ASCIIHexDecode"),
    "ascii85 then flate": (base64.a85encode(zlib.compress(ACTION)) + b"~>", b"[/ASCII85Decode /FlateDecode]"),
    "abbreviated names": (binascii.hexlify(zlib.compress(ACTION)) + b">", b"[/AHx /Fl]"),
}


def refused(data: bytes) -> bool:
    """What the upload check does with `data`: refuse it as active, or as impossible to inspect."""
    try:
        return pdf_has_active_content(data)
    except UninspectablePdf:
        return True


@pytest.mark.parametrize("xref", [True, False], ids=["readable document", "damaged cross-references"])
@pytest.mark.parametrize("case", ENCODED)
def test_an_action_hidden_behind_a_filter_chain_is_refused(case, xref):
    data, filters = ENCODED[case]
    assert refused(pdf(CATALOG, PAGES, stream(data, filters), xref=xref))
    assert not refused(pdf(CATALOG, PAGES, stream(*_harmless(case)), xref=xref))


def _harmless(case: str) -> tuple[bytes, bytes]:
    """The same encoding around an ordinary page's text (so the test shows the filter is undone,
    not that every encoded stream is refused)."""
    text = b"BT /F1 12 Tf 72 712 Td (Invoice) Tj ET"
    encoders = {
        "flate twice": (zlib.compress(zlib.compress(text)), b"[/FlateDecode /FlateDecode]"),
        "ascii hex": (binascii.hexlify(text) + b">", b"/ASCIIHexDecode"),
        "ascii85 then flate": (
            base64.a85encode(zlib.compress(text)) + b"~>",
            b"[/ASCII85Decode /FlateDecode]",
        ),
        "abbreviated names": (
            binascii.hexlify(zlib.compress(text)) + b">",
            b"[/ASCIIHexDecode /FlateDecode]",
        ),
    }
    return encoders[case]


def test_a_plain_document_is_accepted():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert pdf_has_active_content(buffer.getvalue()) is False


def test_an_ordinary_compressed_page_is_accepted():
    content = zlib.compress(b"BT /F1 12 Tf 72 712 Td (Invoice 2026-03-01) Tj ET")
    assert pdf_has_active_content(pdf(CATALOG, PAGES, stream(content, b"/FlateDecode"))) is False


@pytest.mark.parametrize("xref", [True, False], ids=["readable document", "damaged cross-references"])
def test_a_decompression_bomb_is_refused(xref):
    bomb = zlib.compress(b"\0" * (60 * 1024 * 1024), 9)
    with pytest.raises(UninspectablePdf):
        pdf_has_active_content(pdf(CATALOG, PAGES, stream(bomb, b"/FlateDecode"), xref=xref))


def test_a_stream_in_a_filter_we_cannot_undo_is_refused_when_the_document_is_damaged():
    with pytest.raises(UninspectablePdf):
        pdf_has_active_content(pdf(CATALOG, stream(b"\x00\x01", b"/MadeUpDecode"), xref=False))


def _encrypted_document(hidden: bytes, user_password: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    hidden_stream = StreamObject()
    hidden_stream.set_data(hidden)
    writer._add_object(hidden_stream)
    writer.encrypt(user_password=user_password, owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_password_protected_document_cannot_be_inspected():
    with pytest.raises(UninspectablePdf):
        pdf_has_active_content(_encrypted_document(b"BT (Invoice) Tj ET", user_password="secret"))


def test_a_document_encrypted_without_a_password_is_opened_and_inspected():
    assert pdf_has_active_content(_encrypted_document(b"BT (Invoice) Tj ET", user_password="")) is False
    assert pdf_has_active_content(_encrypted_document(ACTION, user_password=""))
