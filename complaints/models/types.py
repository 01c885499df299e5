"""Column types shared by the models: aware-UTC timestamps and money."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import DateTime, Enum, Numeric
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python.

    SQLite keeps no zone, so values are stored as naive UTC there and re-labelled on the way
    out; PostgreSQL stores timestamptz. A naive datetime on the way in is a bug and is refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


Money = Numeric(12, 2, asdecimal=True)

ZERO = Decimal("0.00")


def enum_type(cls, length: int = 20) -> Enum:
    """A portable enum column stored as its values (VARCHAR + CHECK), not a native type."""
    return Enum(
        cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def chinese_or_english(locale: str, chinese: str | None, english: str | None) -> str:
    """A name an admin entered in Chinese and in English, as a viewer in `locale` reads it: the
    Chinese form for Chinese locales or when there is no English form, else the English one;
    whichever form there is when the other is empty (a note written in one language only)."""
    chinese, english = chinese or "", english or ""
    wants_chinese = str(locale).startswith("zh") or not english
    return chinese if wants_chinese and chinese else english


class EnglishForms:
    """A row with names an admin enters in Chinese (`name`, `note`) and in English (`name_en`,
    `note_en`): `in_locale` picks the viewer's, falling back to the Chinese when the English is
    empty. The one place that rule lives for policies, calendars and mediation organisations
    (chinese_or_english applies it to a name copied into an event or an audit entry)."""

    def in_locale(self, locale: str, field: str = "name") -> str:
        return chinese_or_english(locale, getattr(self, field), getattr(self, f"{field}_en"))
