"""SQLite's log is checkpointed by a thread of each serving process (complaints/sqlite_checkpoints.py),
not by the request whose commit passes the log's limit."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest
from sqlalchemy import text

from complaints import create_app, sqlite_checkpoints
from complaints.extensions import db
from config import TestingConfig


@pytest.fixture
def file_app(tmp_path, monkeypatch):
    """An app on a SQLite file whose log a thread checkpoints every 50 ms."""
    if not TestingConfig.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
        pytest.skip("SQLite's write-ahead log")
    path = tmp_path / "checkpoints.sqlite3"
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SQLITE_CHECKPOINT_SECONDS": 0.05},
    )
    copied = []
    checkpoint = sqlite_checkpoints.checkpoint

    def recorded(connection):
        result = checkpoint(connection)
        copied.append(result)
        return result

    monkeypatch.setattr(sqlite_checkpoints, "checkpoint", recorded)
    app.copied, app.path = copied, path
    yield app
    sqlite_checkpoints.stop()


def test_no_thread_is_started_before_a_request_nor_in_the_test_suites_apps(file_app):
    assert os.getpid() not in sqlite_checkpoints._threads
    create_app("testing").test_client().get("/login")
    assert os.getpid() not in sqlite_checkpoints._threads  # SQLITE_CHECKPOINT_SECONDS = 0 there


def test_the_first_request_starts_the_thread_and_it_copies_the_log_into_the_database(file_app):
    file_app.test_client().get("/login")
    thread = sqlite_checkpoints._threads[os.getpid()][0]
    assert thread.is_alive() and thread.daemon
    with file_app.app_context():  # the app's connections leave the log to the thread, up to a backstop
        assert (
            db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar()
            == sqlite_checkpoints.BACKSTOP_PAGES
        )
        db.session.remove()
    writer = sqlite3.connect(file_app.path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # only the thread checkpoints
    writer.execute("CREATE TABLE scratch (body TEXT)")
    writer.executemany("INSERT INTO scratch VALUES (?)", [("x" * 2000,)] * 200)
    writer.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(copied > 50 for _busy, _log, copied in file_app.copied):
        time.sleep(0.05)
    assert any(copied > 50 for _busy, _log, copied in file_app.copied), file_app.copied
    file_app.test_client().get("/login")
    assert sqlite_checkpoints._threads[os.getpid()][0] is thread  # one per process


def test_an_app_that_checkpoints_in_commits_keeps_sqlites_default(tmp_path):
    if not TestingConfig.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
        pytest.skip("SQLite's write-ahead log")
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'plain.sqlite3'}"})
    with app.app_context():
        assert db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
        db.session.remove()
