"""Forms of the mediation area: record a session, record the outcome, reply to the parties.

All three are on one page, so field names are unique across them (they become the ids the labels
point at). Each form knows the parameters `apply_action` takes (`params()`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation
from wtforms.widgets import HiddenInput

from complaints.models import MEDIATION_OUTCOMES, NotSettledReason, Payer
from complaints.services.conversation import MAX_BODY
from complaints.services.mediation import CHANNELS
from complaints.timekeeping import now
from complaints.web.labels import CHANNEL, NOT_SETTLED, OUTCOME
from complaints.web.params import MoneyField, chosen_files, within_sane_years
from complaints.web.templating import zone_name


def viewer_time_to_utc(value: datetime | None) -> datetime | None:
    """A wall-clock time typed by the viewer, read in their time zone, as aware UTC."""
    if value is None:
        return None
    zone = get_timezone()
    if hasattr(zone, "localize"):  # pytz zones must localize, not replace, to get the right offset
        return zone.localize(value).astimezone(UTC)
    return value.replace(tzinfo=zone).astimezone(UTC)


def held_already(form, field) -> None:
    """A session is recorded after it is held: not at a time still to come where the viewer is."""
    if field.data is not None and viewer_time_to_utc(field.data) > now():
        raise StopValidation(_l("A session cannot be recorded before it is held."))


def session_time_field(label, missing, when_check) -> DateTimeLocalField:
    """When a session is (or was) held, in the viewer's zone, checked by `when_check`."""
    return DateTimeLocalField(
        label,
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired(message=missing), within_sane_years, when_check],
    )


def channel_field(label) -> SelectField:
    """How a session is held: phone, video, in person, online."""
    return SelectField(
        label, choices=[SelectChoice(key, CHANNEL[key]) for key in CHANNELS], validators=[InputRequired()]
    )


class SessionForm(FlaskForm):
    held_at = session_time_field(
        _l("When was the session held?"), _l("Give the date and time the session was held."), held_already
    )
    channel = channel_field(_l("How was it held?"))
    session_files = MultipleFileField(
        _l("Documents of the session (optional)"),
        description=_l(
            "JPEG, PNG or PDF, at most 10 MB each. Read like the notes: by your organisation only."
        ),
    )
    session_notes = TextAreaField(
        _l("Session notes"),
        validators=[DataRequired(), Length(max=MAX_BODY)],
        description=_l(
            "Your organisation reads these notes (the platform's staff only where its mediation policy"
            " shares them); never the consumer or the shop."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.held_at.description = _("The time where you are, in %(zone)s.", zone=zone_name(get_timezone()))

    def params(self) -> dict:
        return {
            "held_at": viewer_time_to_utc(self.held_at.data),
            "channel": self.channel.data,
            "notes": self.session_notes.data,
            "files": chosen_files(self.session_files.data),
        }


class OutcomeForm(FlaskForm):
    """The outcome resolves the case, so it says which version of the case the mediator saw, and
    is recorded only once confirmed (`confirm`)."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice(o.value, OUTCOME[o]) for o in MEDIATION_OUTCOMES],
        validators=[InputRequired(message=_l("Choose settled, not settled or withdrawn."))],
    )
    outcome_note = TextAreaField(
        _l("Agreed terms, why the parties did not settle, or who withdrew and why"),
        validators=[Optional(), Length(max=MAX_BODY)],
        description=_l("The consumer sees this."),
    )
    compensation_amount = MoneyField(
        _l("Amount agreed (optional)"),
        validators=[Optional()],
        description=_l("What the merchant pays the consumer under the settlement, if anything."),
    )
    # A settled outcome records an agreement the parties accept (services/agreements.py).
    payer = RadioField(
        _l("Who pays (if settled)"),
        choices=[
            SelectChoice(Payer.SHOP.value, _l("The shop")),
            SelectChoice(Payer.PLATFORM.value, _l("The platform")),
        ],
        validators=[Optional()],
    )
    perform_by = DateField(
        _l("To be performed by (if settled)"),
        format="%Y-%m-%d",
        validators=[Optional(), within_sane_years],
        description=_l("A date in the platform's time zone; the whole day counts."),
    )
    not_settled_reason = RadioField(
        _l("Why they did not settle (if not settled)"),
        choices=[SelectChoice(reason.value, NOT_SETTLED[reason.value]) for reason in NotSettledReason],
        validators=[Optional()],
    )

    # The outcome ends the case, so it is recorded only from its confirmation: the first submission
    # shows what will be recorded, with these two buttons.
    confirm = SubmitField(_l("Confirm and close the case"))
    back = SubmitField(_l("Go back and change"))

    def validate(self, extra_validators=None) -> bool:
        """What a settled outcome needs (who pays, by when) and a not-settled one (why), beside
        their fields; the service checks the same again."""
        valid = super().validate(extra_validators)
        needed = {
            "settled": (
                (self.payer, _l("Say who pays: the shop or the platform.")),
                (self.perform_by, _l("Give the date by which the agreement is to be performed.")),
            ),
            "not_settled": ((self.not_settled_reason, _l("Say why the parties did not settle.")),),
        }.get(self.outcome.data, ())
        for field, message in needed:
            if not field.data and not field.errors:
                field.errors = [*field.errors, message]
                valid = False
        return valid

    def params(self) -> dict:
        return {
            "outcome": self.outcome.data,
            "note": (self.outcome_note.data or "").strip(),
            "compensation_amount": self.compensation_amount.data,
            "payer": self.payer.data,
            "perform_by": self.perform_by.data,
            "not_settled_reason": self.not_settled_reason.data,
        }


class ReplyForm(FlaskForm):
    reply_body = TextAreaField(
        _l("Message to the parties"),
        validators=[DataRequired(), Length(max=MAX_BODY)],
        description=_l("The consumer and the platform's staff see this message."),
    )

    def params(self) -> dict:
        return {"body": self.reply_body.data}


ACTION_FORMS: dict[str, type[FlaskForm]] = {
    "session": SessionForm,
    "outcome": OutcomeForm,
    "reply": ReplyForm,
}
