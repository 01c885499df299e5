"""Fixtures every test uses: an app with its own database, a client, a frozen clock, people."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from complaints import create_app
from complaints.extensions import db
from complaints.timekeeping import FrozenClock, install_clock
from tests.support import AuthActions, World


def _database_url(tmp_path) -> str:
    """A file SQLite database per test, or (TEST_DATABASE_URL) a PostgreSQL database per worker."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return _ensure_postgres_database(f"{base}_{worker}")


def _ensure_postgres_database(url: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{parsed.database}"')
    return url


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
    """A small marketplace: merchants, categories, a mediation organisation, one user per role.

    Built in its own app context, then the test gets a fresh one: requests from test clients
    push their own contexts, so nothing (the signed-in user on `g`, the locale) leaks between
    two clients or between a client and the test's own database work.
    """
    with app.app_context():
        world = World.build()
        db.session.remove()
    with app.app_context():
        yield world


@pytest.fixture
def auth(client):
    return AuthActions(client)
