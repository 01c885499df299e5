"""The consumer's filing form keeps their work: files survive a refused filing."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Attachment, Complaint, PendingUpload
from tests.files import png_bytes
from tests.integration.test_consumer_journey import filing
from tests.security.support import build_people, dispose, make_app, sign_in, token_of


def post(client, world, files=(), kept=(), drop=(), **overrides):
    data = filing(world, **overrides)
    data["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    data["kept"] = list(kept)
    data["drop_kept"] = list(drop)
    return client.post("/portal/complaints/new", data=data, content_type="multipart/form-data")


def kept_tokens(page: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="kept" value="([^"]+)">', page)


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Complaint, Attachment, PendingUpload)
        )


def test_a_filing_refused_for_a_missing_title_keeps_the_chosen_file(app, client, auth, world):
    auth.login(world.consumer.email)
    refused = post(client, world, files=[("receipt.png", png_bytes())], title="")
    assert refused.status_code == 400
    assert "Give your complaint a short title." in refused.text
    assert "Kept: receipt.png" in refused.text
    assert len(kept_tokens(refused.text)) == 1
    # kept aside, not evidence of any complaint, not in the attachment folder
    assert counts(app) == (0, 0, 1)
    assert not any(Path(app.config["ATTACHMENT_DIR"]).rglob("*.*"))


def test_the_second_submission_files_the_complaint_with_the_kept_file(app, client, auth, world):
    auth.login(world.consumer.email)
    token = kept_tokens(post(client, world, files=[("receipt.png", png_bytes())], title="").text)[0]
    filed = post(client, world, kept=[token], files=[("photo.png", png_bytes())])
    assert filed.status_code == 302
    with app.app_context():
        names = sorted(db.session.scalars(select(Attachment.original_name)))
    assert names == ["photo.png", "receipt.png"]
    assert counts(app) == (1, 2, 0)
    pending = Path(app.config["ATTACHMENT_DIR"]).parent / "pending-uploads"
    assert not [p for p in pending.rglob("*") if p.is_file()]
    # the token was used up: it cannot file its file twice
    again = post(client, world, kept=[token])
    assert again.status_code == 400
    assert "no longer available" in again.text


def test_a_kept_file_ticked_for_removal_is_not_filed(app, client, auth, world):
    auth.login(world.consumer.email)
    token = kept_tokens(post(client, world, files=[("receipt.png", png_bytes())], title="").text)[0]
    filed = post(client, world, kept=[token], drop=[token])
    assert filed.status_code == 302
    assert counts(app) == (1, 0, 0)


def test_another_consumer_cannot_use_the_token(app, client, auth, world):
    auth.login(world.consumer.email)
    token = kept_tokens(post(client, world, files=[("receipt.png", png_bytes())], title="").text)[0]
    auth.logout()
    auth.login(world.other_consumer.email)
    refused = post(client, world, kept=[token])
    assert refused.status_code == 400
    assert "A file kept from your last attempt is no longer available. Choose it again." in refused.text
    assert "receipt.png" not in refused.text
    assert counts(app) == (0, 0, 1)


def test_an_expired_token_is_refused_clearly(app, client, auth, world, clock):
    auth.login(world.consumer.email)
    token = kept_tokens(post(client, world, files=[("receipt.png", png_bytes())], title="").text)[0]
    clock.advance(hours=3)
    refused = post(client, world, kept=[token])
    assert refused.status_code == 400
    assert "receipt.png was kept for you for a limited time only, which has passed. Choose it again." in (
        refused.text
    )
    assert 'id="evidence-error"' in refused.text
    assert counts(app) == (0, 0, 1)


def test_an_invalid_file_is_refused_and_the_valid_one_kept(app, client, auth, world):
    auth.login(world.consumer.email)
    refused = post(client, world, files=[("receipt.png", png_bytes()), ("notes.png", b"<html>")])
    assert refused.status_code == 400
    assert "notes.png is not a JPEG, PNG or PDF file." in refused.text
    assert "Kept: receipt.png" in refused.text
    assert counts(app) == (0, 0, 1)


def test_a_forged_filing_keeps_nothing(tmp_path):
    # A request without the form's CSRF token is refused and writes nothing, kept files included.
    guarded = make_app(tmp_path / "guarded", WTF_CSRF_ENABLED=True)
    try:
        people = build_people(guarded)
        client = guarded.test_client()
        sign_in(client, people.consumer.email)
        refused = post(client, people, files=[("receipt.png", png_bytes())], title="")
        assert refused.status_code == 400
        assert "Kept: receipt.png" not in refused.text
        assert counts(guarded) == (0, 0, 0)
        data = {"csrf_token": token_of(client), "title": ""}
        data["evidence"] = [(io.BytesIO(png_bytes()), "receipt.png")]
        honest = client.post("/portal/complaints/new", data=data, content_type="multipart/form-data")
        assert "Kept: receipt.png" in honest.text
    finally:
        dispose(guarded)


def test_the_scheduler_forgets_kept_files_a_day_after_they_expire(app, client, auth, world, clock):
    from complaints.scheduler import purge_pending_uploads
    from complaints.services.attachments import pending_upload_path

    auth.login(world.consumer.email)
    post(client, world, files=[("receipt.png", png_bytes())], title="")
    with app.app_context():
        stored = pending_upload_path(db.session.scalars(select(PendingUpload.stored_name)).one())
    assert stored.exists()
    clock.advance(hours=3)  # expired, but still remembered to refuse its token by name
    purge_pending_uploads(app)
    assert counts(app) == (0, 0, 1) and stored.exists()
    clock.advance(days=1)
    purge_pending_uploads(app)
    assert counts(app) == (0, 0, 0)
    assert not stored.exists()
