"""The viewer's language and time zone."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user

from complaints.extensions import babel


def select_locale() -> str:
    """The user's saved choice, then this session's choice, then Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"]) if request else None
    if best in ("zh", "zh_CN"):
        return "zh_CN"
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def register(app) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
