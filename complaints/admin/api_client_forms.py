"""The admin's form for a new API client."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class ApiClientForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    owner = StringField(
        _l("Owner (team or person responsible)"), validators=[DataRequired(), Length(max=120)]
    )
    scopes = TextAreaField(
        _l("Scopes, separated by spaces"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l(
            "complaints:read, complaints:write, consumers:act (acts for consumers), "
            "merchant:N (acts for the staff of the shop whose id is N)"
        ),
    )
