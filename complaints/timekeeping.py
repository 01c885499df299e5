"""The one injectable source of "now", below services and sla alike, so tests freeze time without patching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app, has_app_context

_EXTENSION_KEY = "pledgedesk.clock"


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until moved; for tests and simulations."""

    def __init__(self, at: datetime):
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self.at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs) -> datetime:
        self.at += timedelta(**kwargs)
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)


def install_clock(app, clock) -> None:
    """Make `clock` the source of now() for `app`."""
    app.extensions[_EXTENSION_KEY] = clock


def current_clock(app):
    """The clock installed on `app` (the system clock unless a test or the seeder put another)."""
    return app.extensions.get(_EXTENSION_KEY) or SystemClock()


def now() -> datetime:
    """The current instant, aware UTC, from the app's clock."""
    if has_app_context():
        clock = current_app.extensions.get(_EXTENSION_KEY)
        if clock is not None:
            return clock.now()
    return datetime.now(UTC)
