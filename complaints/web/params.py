"""Reading ids, cursors, instants, money and redirect targets out of URLs and forms, in one place.

Anything a request carries is bounded before it reaches the database, by the rules of
complaints/bounds.py (ids, instants) and services/money.py (money). Whatever does not fit is "not
found" (a path), "the first page" (a cursor), or a message beside the field (a form): never an
overflow deep in the driver, never a 500.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter
from wtforms import StringField
from wtforms.validators import StopValidation

from complaints.bounds import ID_MAX, YEARS, parse_id, parse_instant, within_years
from complaints.services.attachments import Upload
from complaints.services.money import InvalidAmount, parse_amount
from complaints.web.errors import translated

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None) -> str | None:
    """A same-site relative path to go on to, or None: never an open redirect, never a header
    split by CR/LF or other control characters."""
    if not target or _CONTROL.search(target):
        return None
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return None
    return target


def within_sane_years(form, field) -> None:
    """Form validator: a date or date-time people mean, within bounds.YEARS (the year 1 or 9999 is a
    typing slip or an attack, and would overflow the time zone arithmetic)."""
    if field.data is not None and not YEARS[0] <= field.data.year <= YEARS[1]:
        raise StopValidation(_l("Give a date between %(first)s and %(last)s.", first=YEARS[0], last=YEARS[1]))


class IdConverter(IntegerConverter):
    """`<int:...>` in every URL rule: a positive id within ID_MAX, else the URL matches nothing (404)."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=ID_MAX, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class MoneyField(StringField):
    """An amount of money as typed (services/money.parse_amount): its data is a Decimal with two
    places, or None when left blank; anything else is an error beside the field."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.amount_error = None

    def process_formdata(self, valuelist):
        self.raw_data = valuelist
        text = valuelist[0] if valuelist else ""
        try:
            self.data = parse_amount(text)
        except InvalidAmount as invalid:
            self.data = None
            self.amount_error = translated(invalid)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:.2f}" if self.data is not None else ""

    def pre_validate(self, form):
        if self.amount_error:
            raise StopValidation(self.amount_error)


# The message shown when a required amount is left blank, for forms to reuse.
AMOUNT_EXAMPLE = _l("Enter an amount of money, such as 299 or 299.50.")


__all__ = [
    "AMOUNT_EXAMPLE",
    "ID_MAX",
    "IdConverter",
    "MoneyField",
    "parse_id",
    "parse_instant",
    "safe_next",
    "within_sane_years",
    "within_years",
]


def chosen_files(storages) -> list:
    """The files a form's file field sent, as the services take them (services.attachments.Upload):
    name and bytes; an empty file input (no name) is no file."""
    return [Upload(s.filename, s.read()) for s in storages or [] if getattr(s, "filename", None)]
