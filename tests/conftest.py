"""Fixtures every test uses: an app with its own database, a client, a frozen clock, people."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from complaints import create_app
from complaints.extensions import db
from complaints.services.clock import FrozenClock, install_clock
from tests.support import AuthActions, World


def _database_url(tmp_path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def clock():
    return FrozenClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))  # Monday 10:00 in Shanghai


@pytest.fixture
def app(tmp_path, clock):
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path),
            "ATTACHMENT_DIR": str(tmp_path / "attachments"),
        },
    )
    install_clock(app, clock)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        if os.environ.get("TEST_DATABASE_URL"):
            from flask_migrate import downgrade

            downgrade(revision="base")
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """A small marketplace: merchants, categories, a mediation organisation, one user per role."""
    with app.app_context():
        yield World.build()


@pytest.fixture
def auth(client):
    return AuthActions(client)
