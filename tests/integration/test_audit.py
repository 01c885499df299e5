"""`flask audit verify` names every complaint whose history was edited or cut."""

import json

from sqlalchemy import select, text

from complaints.audit_cli import audit_cli
from complaints.extensions import db
from complaints.models import Event
from complaints.services.lifecycle import apply_action
from complaints.workflow import Action


def _journey(world, app) -> tuple[str, str]:
    with app.app_context():
        kept, tampered = world.file(), world.file()
        for ref in (kept, tampered):
            apply_action(world.complaint(ref), world.user("agent"), Action.VERIFY)
            db.session.commit()
    return kept, tampered


def _invoke(app, *args):
    app.cli.add_command(audit_cli)
    return app.test_cli_runner().invoke(args=["audit", *args])


def test_an_untouched_history_verifies(app, world):
    _journey(world, app)
    result = _invoke(app, "verify")
    assert result.exit_code == 0, result.output
    assert "0 complaints with a broken history" in result.output


def test_an_event_changed_in_the_database_is_named(app, world):
    kept, tampered = _journey(world, app)
    with app.app_context():
        complaint_id = world.complaint(tampered).id
        db.session.execute(
            text("UPDATE events SET detail = :d WHERE complaint_id = :c AND action = 'verify'"),
            {"d": '{"note": "rewritten"}', "c": complaint_id},
        )
        db.session.commit()
    result = _invoke(app, "verify")
    assert result.exit_code == 1
    assert f"{tampered}: content changed" in result.output
    assert kept not in result.output


def test_an_event_deleted_from_the_middle_is_named(app, world):
    _, tampered = _journey(world, app)
    with app.app_context():
        complaint_id = world.complaint(tampered).id
        first_clock_event = db.session.scalar(
            select(Event.id)
            .where(Event.complaint_id == complaint_id, Event.action == "clock_started")
            .limit(1)
        )
        db.session.execute(text("DELETE FROM events WHERE id = :id"), {"id": first_clock_event})
        db.session.commit()
    result = _invoke(app, "verify")
    assert result.exit_code == 1
    assert f"{tampered}: chain cut" in result.output


def test_a_complaint_whose_whole_history_is_gone_is_named(app, world):
    _, tampered = _journey(world, app)
    with app.app_context():
        complaint_id = world.complaint(tampered).id
        db.session.execute(text("DELETE FROM events WHERE complaint_id = :c"), {"c": complaint_id})
        db.session.commit()
    result = _invoke(app, "verify")
    assert result.exit_code == 1
    assert f"{tampered}: history missing" in result.output


def test_the_digest_catches_a_rewritten_newest_event(app, world):
    _, tampered = _journey(world, app)
    digest = _invoke(app, "digest").output.strip()
    with app.app_context():
        complaint_id = world.complaint(tampered).id
        newest = db.session.scalars(
            select(Event).where(Event.complaint_id == complaint_id).order_by(Event.id.desc()).limit(1)
        ).one()
        # Rewrite the newest event and its hash consistently: the chain alone cannot see it.
        forged = newest.detail | {"forged": True}
        probe = Event(**{c.key: getattr(newest, c.key) for c in Event.__table__.columns if c.key != "detail"})
        probe.detail = forged
        db.session.execute(
            text("UPDATE events SET detail = :d, hash = :h WHERE id = :id"),
            {"d": json.dumps(forged), "h": probe.content_hash(), "id": newest.id},
        )
        db.session.commit()
    assert _invoke(app, "verify").exit_code == 0  # the chain alone is fooled...
    result = _invoke(app, "verify", "--digest", digest)
    assert result.exit_code == 1  # ...the digest kept elsewhere is not
    assert "differ from the digest" in result.output
