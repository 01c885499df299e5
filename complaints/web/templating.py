"""Filters and globals for the templates."""

from __future__ import annotations

from flask import current_app
from flask_babel import format_currency, format_datetime, get_locale

from complaints.web import labels


def money(amount) -> str:
    if amount is None:
        return "—"
    return format_currency(amount, current_app.config["CURRENCY"])


def when(value, fmt: str = "medium") -> str:
    """An instant in the viewer's zone."""
    if value is None:
        return "—"
    return format_datetime(value, fmt)


def register(app) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["when"] = when
    app.jinja_env.globals.update(
        labels=labels,
        label=labels.label,
        current_locale=lambda: str(get_locale()),
    )
