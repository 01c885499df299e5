"""The admin's form for a new API client."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget


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


class WebhookEndpointForm(FlaskForm):
    """Where an API client hears of changes, and which."""

    url = StringField(
        _l("Receiver's address"),
        validators=[DataRequired(), Length(max=500)],
        description=_l(
            "The full address the events are POSTed to, e.g. https://ops.example.com/pledgedesk/events."
        ),
    )
    events = SelectMultipleField(
        _l("Events"),
        validators=[DataRequired(message=_l("Choose at least one of the events listed."))],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
