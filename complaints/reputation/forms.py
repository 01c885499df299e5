from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from complaints.services.reputation import MAX_ORDERS
from complaints.services.sanctions import MAX_TEXT
from complaints.web.labels import MEASURES
from complaints.web.params import within_sane_years


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


def _reason(label, missing, description=""):
    return TextAreaField(
        label,
        validators=[DataRequired(message=missing), Length(max=MAX_TEXT)],
        description=description,
    )


class ApproveMeasureForm(FlaskForm):
    measure_step = SelectField(
        _l("Measure"),
        choices=[SelectChoice(step.value, label) for step, label in MEASURES.items()],
        validators=[InputRequired()],
        description=_l("As proposed, or another step of the ladder."),
    )
    effective_from = DateField(
        _l("In force from"),
        format="%Y-%m-%d",
        validators=[InputRequired(message=_l("Give the date it takes effect.")), within_sane_years],
    )
    approve_reason = _reason(
        _l("Reason"),
        _l("Give the reason; it is published with the measure."),
        _l("Published on the public notice with the shop's name, the measure and the date."),
    )


class DismissMeasureForm(FlaskForm):
    dismiss_reason = _reason(_l("Why dismiss it?"), _l("Give the reason for dismissing it."))


class LiftMeasureForm(FlaskForm):
    lift_reason = _reason(_l("Why lift it?"), _l("Give the reason for lifting it."))


class InterviewRecordForm(FlaskForm):
    interview_record = _reason(
        _l("Record of the interview"),
        _l("Write down what was said."),
        _l("Kept with the measure; staff read it, the public notice does not show it."),
    )


MEASURE_FORMS = {
    "approve": ApproveMeasureForm,
    "dismiss": DismissMeasureForm,
    "lift": LiftMeasureForm,
    "interview": InterviewRecordForm,
}
