"""Configuration classes. Every setting comes from an environment variable with a safe default."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("PLEDGEDESK_INSTANCE", BASE_DIR / "instance"))

DEFAULT_SECRET_KEY = "dev-only-change-me"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", _sqlite_url(INSTANCE_DIR / "pledgedesk.sqlite3"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # How long a SQLite writer waits for another's lock before the request answers 503.
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", 10000))
    # How often a thread of each process copies SQLite's log into the database (0: commits do,
    # as SQLite does by default); complaints/sqlite_checkpoints.py.
    SQLITE_CHECKPOINT_SECONDS = float(os.environ.get("SQLITE_CHECKPOINT_SECONDS", 1.0))
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR", str(INSTANCE_DIR / "attachments"))
    # One upload is at most 10 MB; a filing carries at most 5 of them plus the form.
    MAX_ATTACHMENT_BYTES = int(os.environ.get("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))
    MAX_ATTACHMENTS = int(os.environ.get("MAX_ATTACHMENTS", 5))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 52 * 1024 * 1024))

    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "zh_CN")
    BABEL_DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "Asia/Shanghai")
    LANGUAGES = ("zh_CN", "en")
    CURRENCY = os.environ.get("CURRENCY", "CNY")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Behind a load balancer: how many proxies set X-Forwarded-For/-Proto (0 = none, trust nothing).
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", 0))
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None

    # Argon2id costs (argon2-cffi's defaults: the RFC 9106 low-memory profile).
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", 3))
    ARGON2_MEMORY_KIB = int(os.environ.get("ARGON2_MEMORY_KIB", 65536))
    ARGON2_PARALLELISM = int(os.environ.get("ARGON2_PARALLELISM", 4))

    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", 5))
    LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", 15))

    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True

    # The embedded scheduler runs only where asked (make run); gunicorn workers never start one.
    SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", False)
    SLA_SWEEP_SECONDS = int(os.environ.get("SLA_SWEEP_SECONDS", 60))

    # Email for notifications; without SMTP_HOST they are shown in the app only.
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", 25))
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
    MAIL_FROM = os.environ.get("MAIL_FROM", "pledgedesk@localhost")
    # Where people reach the site: the links in e-mails are absolute URLs under it.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # How long the one-time link of an invitation to a shop's staff stays usable.
    MERCHANT_INVITATION_DAYS = int(os.environ.get("MERCHANT_INVITATION_DAYS", 7))

    APPEAL_WINDOW_DAYS = int(os.environ.get("APPEAL_WINDOW_DAYS", 15))
    QUEUE_PAGE_SIZE = int(os.environ.get("QUEUE_PAGE_SIZE", 25))
    MAJOR_COMPLAINT_AMOUNT = os.environ.get("MAJOR_COMPLAINT_AMOUNT", "5000")
    # A new complaint goes to the active agent with the fewest open complaints (services/assignment.py).
    AUTO_ASSIGN = _bool("PLEDGEDESK_AUTO_ASSIGN", False)
    # Shops whose guarantee deposit holds less than this (in CURRENCY) are listed for a top-up.
    DEPOSIT_MINIMUM_BALANCE = os.environ.get("DEPOSIT_MINIMUM_BALANCE", "5000")
    # The public pledge scorecard: the mediation success rate we promise at least (percent), and how
    # long each process keeps the figures it computed before computing them again.
    MEDIATION_SUCCESS_FLOOR = os.environ.get("MEDIATION_SUCCESS_FLOOR", "80")
    SCORECARD_CACHE_SECONDS = int(os.environ.get("SCORECARD_CACHE_SECONDS", 300))
    # A referral to mediation waits this many working days for both parties' consent; a consent
    # that does not come in time counts as a decline (services/referrals.py).
    REFERRAL_CONSENT_DAYS = int(os.environ.get("REFERRAL_CONSENT_DAYS", 5))
    # Mediation session notes are the mediation organisation's; set to 1 where the platform's
    # agreement with the organisations lets its agents and supervisors read them (never the parties).
    MEDIATION_NOTES_TO_PLATFORM = os.environ.get("MEDIATION_NOTES_TO_PLATFORM", "0") == "1"
    # Shop reputation grades A, B, C, D from these scores up (out of 100), E below the last
    # (services/reputation_model.py).
    REPUTATION_GRADE_THRESHOLDS = os.environ.get("REPUTATION_GRADE_THRESHOLDS", "90,80,70,60")
    # Webhooks (services/webhooks.py): how long a receiver may take to answer, how many times a
    # delivery is tried (the waits between tries double from 30 s up to 6 h: 15 tries span about two
    # days), and whether endpoints may be plain http (https only in production).
    WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", 10))
    WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", 15))
    WEBHOOK_ALLOW_HTTP = _bool("WEBHOOK_ALLOW_HTTP", True)


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    # Tests read English unless they ask for Chinese (Accept-Language or the language switch).
    BABEL_DEFAULT_LOCALE = "en"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    SCHEDULER_ENABLED = False
    SQLITE_CHECKPOINT_SECONDS = 0.0  # no thread per test app; tests/integration/test_sqlite_checkpoints.py
    AUTO_ASSIGN = False  # tests that assign automatically turn it on
    # Cheap hashing keeps the suite fast; the algorithm is the same.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_KIB = 1024
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    WEBHOOK_ALLOW_HTTP = _bool("WEBHOOK_ALLOW_HTTP", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    """The config class named by `name` or by PLEDGEDESK_ENV (default: development)."""
    return CONFIGS[name or os.environ.get("PLEDGEDESK_ENV", "development")]
