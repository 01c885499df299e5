from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from complaints.services.dashboard import LONGEST_PERIOD_DAYS
from complaints.web.params import within_sane_years


class DashboardFilterForm(FlaskForm):
    """The dashboard's period, category and shop, read from the query string (GET; no CSRF)."""

    class Meta:
        csrf = False

    first = DateField(
        _l("From"),
        validators=[Optional(), within_sane_years],
        description=_l("The first day counted."),
    )
    last = DateField(
        _l("To"),
        validators=[Optional(), within_sane_years],
        description=_l("The last day counted, included."),
    )
    category_id = SelectField(_l("Category"), default="")
    # Typed, not chosen from a list: a marketplace has thousands of shops.
    shop = StringField(
        _l("Shop"),
        default="",
        validators=[Optional(), Length(max=200)],
        description=_l("A shop's name or shop code."),
    )

    def validate_last(self, field) -> None:
        first, last = self.first.data, field.data
        if first is None or last is None:
            return
        if last < first:
            raise ValidationError(_l("The period cannot end before it begins."))
        if last - first >= timedelta(days=LONGEST_PERIOD_DAYS):
            raise ValidationError(_l("Choose a period of at most %(days)s days.", days=LONGEST_PERIOD_DAYS))


class GenerateReportForm(FlaskForm):
    """Generating a quarter's or a half-year's report now (a running period: to date)."""

    period = SelectField(
        _l("Period"),
        validators=[DataRequired(message=_l("Choose the quarter or half-year to report on."))],
    )
