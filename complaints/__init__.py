"""PledgeDesk: the complaint and dispute system that keeps a marketplace's service pledge."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext
from sqlalchemy import event
from sqlalchemy.orm import Session

from config import DEFAULT_SECRET_KEY, INSTANCE_DIR, config_for

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the application. Nothing happens at import time; tests build their own."""
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_object(config_for(config_name))
    if overrides:
        app.config.update(overrides)
    _refuse_default_secret_in_production(app)
    os.makedirs(app.instance_path, exist_ok=True)

    _init_extensions(app)
    _register_blueprints(app)

    from complaints.services import webhooks  # noqa: F401 - writes the webhook outbox before each commit
    from complaints.web import errors, i18n, security, templating

    errors.register(app)
    i18n.register(app)
    security.register(app)
    templating.register(app)

    from complaints.cli import register_commands

    register_commands(app)

    if app.config["SCHEDULER_ENABLED"]:
        from complaints.scheduler import start_embedded_scheduler

        start_embedded_scheduler(app)
    return app


def _refuse_default_secret_in_production(app: Flask) -> None:
    if os.environ.get("PLEDGEDESK_ENV") == "production" and app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise RuntimeError("Set SECRET_KEY: the default key is refused in production.")


def _init_extensions(app: Flask) -> None:
    from complaints import prepared_statements, sqlite_checkpoints
    from complaints.extensions import csrf, db, limiter, login_manager, migrate
    from complaints.services.attachments import discard_uncommitted_files, forget_committed_files

    db.init_app(app)
    with app.app_context():
        backstop = sqlite_checkpoints.backstop_pages(app)
        event.listen(db.engine, "connect", _sqlite_pragmas(app.config["SQLITE_BUSY_TIMEOUT_MS"], backstop))
        url = db.engine.url
        on_disk = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
        sqlite_checkpoints.register(app, url.database if on_disk else None)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.login_message = lazy_gettext("Please sign in to see this page.")

    @lru_cache(maxsize=1)
    def _signed_in_user():
        """The signed-in user and their unread notifications' count, built once (see
        pledge_fingerprint.read_with_fingerprint)."""
        from sqlalchemy import bindparam, select

        from complaints.models import User
        from complaints.services.notifications import unread_count_of

        return select(User, unread_count_of(User.id)).where(User.id == bindparam("user_id"))

    @login_manager.user_loader
    def load_user(session_id: str):
        from complaints.bounds import parse_id
        from complaints.services.notifications import remember_unread
        from complaints.sla import pledge_fingerprint

        user_id, _, token = session_id.partition(":")
        user_id = parse_id(user_id)
        if user_id is None:
            return None
        # the user, their unread notifications (the bell on every page) and the pledge's
        # fingerprint (which promises and categories this process may serve from memory), at once
        row = pledge_fingerprint.read_with_fingerprint(_signed_in_user(), {"user_id": user_id})
        user = row[0] if row else None
        if user is not None:
            remember_unread(user, row[1])
        if user is None or not token or not user.session_token:
            return None
        if not secrets.compare_digest(user.session_token, token):
            return None  # signed out elsewhere, password changed, or an old cookie
        return user

    prepared_statements.register(app, db)

    @app.teardown_appcontext
    def _discard_files_of_failed_requests(exc):
        # Files written by a request whose transaction never committed must not stay behind.
        discard_uncommitted_files(db.session())

    event.listen(Session, "after_commit", forget_committed_files)
    event.listen(Session, "after_rollback", discard_uncommitted_files)


def _sqlite_pragmas(busy_timeout_ms: int, autocheckpoint_pages: int | None = None):
    """autocheckpoint_pages: when the log is checkpointed by a thread (sqlite_checkpoints.py),
    the longer log at which a commit still checkpoints itself."""

    def on_connect(dbapi_connection, connection_record):
        import sqlite3

        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            if autocheckpoint_pages:
                cursor.execute(f"PRAGMA wal_autocheckpoint={int(autocheckpoint_pages)}")
            cursor.close()

    return on_connect


def _register_blueprints(app: Flask) -> None:
    from complaints.admin.views import bp as admin_bp
    from complaints.auth.views import bp as auth_bp
    from complaints.deposits.views import bp as deposits_bp
    from complaints.desk.views import bp as desk_bp
    from complaints.mediation.views import bp as mediation_bp
    from complaints.merchant.views import bp as merchant_bp
    from complaints.portal.views import bp as portal_bp
    from complaints.reports.views import bp as reports_bp
    from complaints.reputation.views import bp as reputation_bp
    from complaints.scorecard.views import bp as scorecard_bp
    from complaints.web.files import bp as files_bp
    from complaints.web.params import IdConverter

    # Every <int:...> in a URL is a bounded id: a number too large for the database is a 404.
    app.url_map.converters["int"] = IdConverter
    for blueprint in (
        auth_bp,
        portal_bp,
        desk_bp,
        merchant_bp,
        mediation_bp,
        admin_bp,
        deposits_bp,
        reputation_bp,
        reports_bp,
        files_bp,
    ):
        app.register_blueprint(blueprint)
    app.register_blueprint(scorecard_bp)

    from complaints.api import init_api

    init_api(app)
