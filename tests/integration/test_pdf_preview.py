"""The desk shows a PDF of the evidence in a folded preview, framed through the authorising view:
inline for PDFs only, framed by the app's own pages only, and nobody outside the complaint gets it."""

from __future__ import annotations

import re

from complaints.services.attachments import Upload
from tests.files import pdf_bytes, png_bytes
from tests.support import PASSWORD


def signed_in(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_a_pdf_gets_a_lazy_preview_on_the_desk_served_inline_to_its_parties_only(app, world):
    reference = world.file(files=[Upload("发票.pdf", pdf_bytes()), Upload("photo.png", png_bytes())])
    agent = signed_in(app, "agent@example.com")
    page = agent.get(f"/desk/complaints/{reference}").get_data(as_text=True)
    frames = re.findall(
        r'<details class="pdf-preview">.*?<iframe src="([^"]+)"\s+title="([^"]+)" loading="lazy">', page, re.S
    )
    assert len(frames) == 1, "one preview, for the PDF only"
    url, title = frames[0]
    assert title == "Preview of 发票.pdf"

    shown = agent.get(url)
    assert shown.status_code == 200 and shown.data == pdf_bytes()
    assert shown.headers["Content-Disposition"].startswith("inline")
    assert "frame-ancestors 'self'" in shown.headers["Content-Security-Policy"]
    assert shown.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "no-store" in shown.headers["Cache-Control"]
    assert signed_in(app, "consumer@example.com").get(url).status_code == 200
    assert signed_in(app, "merchant@example.com").get(url).status_code == 200

    for outsider in ("other_consumer@example.com", "other_mediator@example.com", "admin@example.com"):
        assert signed_in(app, outsider).get(url).status_code == 404, outsider


def test_only_pdfs_are_served_inline(app, world):
    reference = world.file(files=[Upload("photo.png", png_bytes())])
    agent = signed_in(app, "agent@example.com")
    page = agent.get(f"/desk/complaints/{reference}").get_data(as_text=True)
    photo = re.search(r'href="(/complaints/[^"]+/attachments/\d+)"', page).group(1)
    assert agent.get(f"{photo}/inline").status_code == 404
    assert "pdf-preview" not in page
    assert agent.get(f"/complaints/{reference}/attachments/999999/inline").status_code == 404


def test_other_pages_of_the_app_still_refuse_to_be_framed(app, world):
    agent = signed_in(app, "agent@example.com")
    page = agent.get("/desk/")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
