from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Regexp

from complaints.services.reputation import MAX_ORDERS


class OrderVolumeForm(FlaskForm):
    """A shop's order volume for one month: its complaints then count per thousand orders."""

    volume_month = StringField(
        _l("Month"),
        validators=[
            DataRequired(message=_l("Give the month as YYYY-MM, for example 2026-10.")),
            Regexp(r"^\d{4}-\d{2}$", message=_l("Give the month as YYYY-MM, for example 2026-10.")),
        ],
        description=_l("YYYY-MM, for example 2026-10."),
    )
    volume_orders = IntegerField(
        _l("Orders that month"),
        validators=[
            InputRequired(message=_l("Give the number of orders: a whole number above zero.")),
            NumberRange(
                min=1, max=MAX_ORDERS, message=_l("Give the number of orders: a whole number above zero.")
            ),
        ],
    )
