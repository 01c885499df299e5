"""Evidence uploads in the portal: checked by content and size, stored safely, served only to the owner."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Attachment, Complaint, Message
from complaints.services.attachments import attachment_path
from tests.files import html_bytes, pdf_bytes, png_bytes

SCRIPTED_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF\n"


def post_filing(client, world, files):
    data = {
        "merchant_id": str(world.merchant_ids[0]),
        "order_reference": "ORD-20260301-0042",
        "category_id": str(world.category_ids[0]),
        "title": "Broken kettle",
        "description": "The kettle leaks from the bottom.",
        "desired_outcome": "replacement",
        "claimed_amount": "89.00",
        "evidence": [(io.BytesIO(content), name) for name, content in files],
    }
    return client.post("/portal/complaints/new", data=data, content_type="multipart/form-data")


def stored_files(app) -> list[Path]:
    root = Path(app.config["ATTACHMENT_DIR"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def nothing_saved(app) -> bool:
    with app.app_context():
        complaints = db.session.scalar(select(func.count()).select_from(Complaint))
        attachments = db.session.scalar(select(func.count()).select_from(Attachment))
    return complaints == 0 and attachments == 0 and stored_files(app) == []


def test_html_named_as_a_photo_is_refused_and_nothing_is_saved(app, client, auth, world):
    auth.login(world.consumer.email)
    response = post_filing(client, world, [("photo.png", png_bytes()), ("receipt.jpg", html_bytes())])
    assert response.status_code == 400
    assert "receipt.jpg is not a JPEG, PNG or PDF file." in response.text
    assert 'id="evidence-error"' in response.text  # beside the evidence field
    assert nothing_saved(app)


def test_an_empty_file_is_refused(app, client, auth, world):
    auth.login(world.consumer.email)
    response = post_filing(client, world, [("empty.png", b"")])
    assert response.status_code == 400
    assert "empty.png is empty." in response.text
    assert nothing_saved(app)


def test_more_than_five_files_are_refused(app, client, auth, world):
    auth.login(world.consumer.email)
    files = [(f"photo-{n}.png", png_bytes()) for n in range(6)]
    response = post_filing(client, world, files)
    assert response.status_code == 400
    assert "Attach at most 5 files at a time." in response.text
    assert nothing_saved(app)


def test_a_pdf_with_javascript_is_refused(app, client, auth, world):
    auth.login(world.consumer.email)
    response = post_filing(client, world, [("invoice.pdf", SCRIPTED_PDF)])
    assert response.status_code == 400
    assert "invoice.pdf contains scripts or embedded files, which we do not accept." in response.text
    assert nothing_saved(app)


def test_a_request_larger_than_the_upload_limit_gets_the_friendly_page(app, client, auth, world):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    auth.login(world.consumer.email)
    response = post_filing(client, world, [("big.png", png_bytes() + b"\x00" * 8192)])
    assert response.status_code == 413
    assert "The upload is too large." in response.text
    assert nothing_saved(app)


def test_a_file_over_the_size_limit_is_refused_with_its_name(app, client, auth, world):
    app.config["MAX_ATTACHMENT_BYTES"] = 1024
    auth.login(world.consumer.email)
    response = post_filing(client, world, [("scan.pdf", pdf_bytes() + b"%" * 2048)])
    assert response.status_code == 400
    assert "scan.pdf is larger than" in response.text
    assert nothing_saved(app)


def test_a_file_name_with_folders_is_stored_under_a_safe_name(app, client, auth, world):
    auth.login(world.consumer.email)
    response = post_filing(client, world, [("../../etc/passwd.png", png_bytes())])
    assert response.status_code == 302
    with app.app_context():
        attachment = db.session.scalars(select(Attachment)).one()
        assert attachment.original_name == "passwd.png"
        assert "/" not in attachment.stored_name and ".." not in attachment.stored_name
        path = attachment_path(attachment.stored_name)
    assert path.read_bytes() == png_bytes()
    assert stored_files(app) == [path]
    root = Path(app.config["ATTACHMENT_DIR"]).resolve()
    assert path.resolve().is_relative_to(root)


def test_the_owner_downloads_evidence_with_its_type_and_another_consumer_cannot(app, client, auth, world):
    auth.login(world.consumer.email)
    filed = post_filing(client, world, [("photo.png", png_bytes()), ("order.pdf", pdf_bytes())])
    assert filed.status_code == 302
    with app.app_context():
        photo, order = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
        reference = db.session.scalars(select(Complaint.reference)).one()
    photo_url = f"/complaints/{reference}/attachments/{photo.id}"
    order_url = f"/complaints/{reference}/attachments/{order.id}"
    assert photo_url in client.get(f"/portal/complaints/{reference}").text

    image = client.get(photo_url)
    assert image.status_code == 200
    assert image.headers["Content-Type"] == "image/png"
    assert image.data == png_bytes()
    document = client.get(order_url)
    assert document.status_code == 200
    assert document.headers["Content-Type"] == "application/pdf"
    assert document.headers["Content-Disposition"].startswith("attachment")

    auth.logout()
    auth.login(world.other_consumer.email)
    assert client.get(photo_url).status_code == 404
    assert client.get(order_url).status_code == 404


def test_a_reply_with_a_refused_file_keeps_nothing(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.consumer.email)
    response = client.post(
        f"/portal/complaints/{reference}/reply",
        data={"body": "Here is the photo.", "attachments": [(io.BytesIO(html_bytes()), "photo.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "photo.jpg is not a JPEG, PNG or PDF file." in response.text
    assert 'id="attachments-error"' in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 0
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert stored_files(app) == []


def test_adding_evidence_with_a_refused_file_keeps_none_of_the_batch(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.consumer.email)
    response = client.post(
        f"/portal/complaints/{reference}/evidence",
        data={"evidence": [(io.BytesIO(png_bytes()), "good.png"), (io.BytesIO(SCRIPTED_PDF), "bad.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "bad.pdf contains scripts" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert stored_files(app) == []


def test_adding_evidence_without_a_file_asks_for_one(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.consumer.email)
    response = client.post(f"/portal/complaints/{reference}/evidence", data={})
    assert response.status_code == 400
    assert "Choose at least one file." in response.text
