"""A backup restores every row and every attachment exactly."""

import hashlib
from pathlib import Path

from sqlalchemy import inspect, text

from complaints.backup_cli import backup_cli
from complaints.extensions import db
from complaints.services.attachments import Upload
from complaints.services.lifecycle import apply_action
from complaints.workflow import Action
from tests.files import pdf_bytes, png_bytes


def _snapshot(app) -> dict:
    """Every row of every table (search index included) and every attachment's bytes."""
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names()) | {"complaint_fts"}  # FTS5 is not listed
        rows = {
            name: sorted(map(tuple, db.session.execute(text(f'SELECT * FROM "{name}"'))), key=repr)
            for name in tables
            if not name.startswith("complaint_fts_")  # SQLite's FTS5 shadow tables follow from it
        }
    folder = Path(app.config["ATTACHMENT_DIR"])
    files = {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }
    return {"rows": rows, "files": files}


def _fill(app, world) -> None:
    with app.app_context():
        ref = world.file(files=[Upload("photo.png", png_bytes()), Upload("receipt.pdf", pdf_bytes())])
        apply_action(world.complaint(ref), world.user("agent"), Action.REPLY, body="我们已收到您的投诉。")
        apply_action(world.complaint(ref), world.user("agent"), Action.NOTE, body="内部备注")
        db.session.commit()
        world.file()


def _cli(app, *args):
    app.cli.add_command(backup_cli)
    return app.test_cli_runner().invoke(args=["backup", *args])


def test_a_backup_restores_every_row_and_file_onto_an_empty_instance(app, world, tmp_path):
    _fill(app, world)
    before = _snapshot(app)
    archive = tmp_path / "backup.tar.gz"
    result = _cli(app, "create", str(archive))
    assert result.exit_code == 0, result.output
    assert "2 attachments" in result.output

    # Lose everything: the database goes back to an empty, migrated one, attachments vanish.
    with app.app_context():
        from flask_migrate import downgrade, upgrade

        db.session.remove()
        downgrade(revision="base")
        upgrade()
    for path in Path(app.config["ATTACHMENT_DIR"]).rglob("*"):
        if path.is_file():
            path.unlink()

    result = _cli(app, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert _snapshot(app) == before


def test_restoring_over_live_complaints_needs_force(app, world, tmp_path):
    _fill(app, world)
    archive = tmp_path / "backup.tar.gz"
    _cli(app, "create", str(archive))
    result = _cli(app, "restore", str(archive))
    assert result.exit_code != 0
    assert "use --force" in result.output


def test_a_damaged_archive_is_refused_and_nothing_is_replaced(app, world, tmp_path):
    _fill(app, world)
    before = _snapshot(app)
    archive = tmp_path / "backup.tar.gz"
    _cli(app, "create", str(archive))
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(archive.read_bytes()[:200])
    result = _cli(app, "restore", "--force", str(damaged))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a clear message, not a crash
    assert "not a readable PledgeDesk backup" in result.output
    assert _snapshot(app) == before
