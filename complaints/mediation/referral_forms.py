"""Forms of the mediator's steps on a referred case: accept or return it, schedule a session, ask
a party for information. They share the case page with the forms of forms.py, so field names are
unique across them. Each form names its workflow action and its parameters (`params()`).
"""

from __future__ import annotations

from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation

from complaints.mediation.forms import channel_field, session_time_field, viewer_time_to_utc
from complaints.services.conversation import MAX_BODY
from complaints.timekeeping import now
from complaints.web.referral_forms import reason_field
from complaints.web.templating import zone_name
from complaints.workflow import Action


class AcceptCaseForm(FlaskForm):
    action = Action.ACCEPT_REFERRAL

    def params(self) -> dict:
        return {}


class ReturnCaseForm(FlaskForm):
    action = Action.RETURN_REFERRAL
    return_reason = reason_field(
        _l("Why does your organisation return the case?"),
        _l("Both parties and the platform read this; the platform then decides the complaint."),
    )

    def params(self) -> dict:
        return {"reason": self.return_reason.data}


def _still_to_come(form, field) -> None:
    if field.data is not None and viewer_time_to_utc(field.data) <= now():
        raise StopValidation(_l("A session is scheduled for a time still to come."))


class ScheduleSessionForm(FlaskForm):
    action = Action.SCHEDULE_SESSION
    starts_at = session_time_field(
        _l("When is the session?"), _l("Give the date and time of the session."), _still_to_come
    )
    session_channel = channel_field(_l("How is it held?"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.starts_at.description = _(
            "The time where you are, in %(zone)s. Each party sees it in their own time zone.",
            zone=zone_name(get_timezone()),
        )

    def params(self) -> dict:
        return {"starts_at": viewer_time_to_utc(self.starts_at.data), "channel": self.session_channel.data}


class AskPartyForm(FlaskForm):
    action = Action.ASK_PARTY
    ask_party = RadioField(
        _l("Whom do you ask?"),
        choices=[SelectChoice("consumer", _l("The consumer")), SelectChoice("merchant", _l("The shop"))],
        validators=[InputRequired(message=_l("Choose whom to ask."))],
    )
    ask_body = TextAreaField(
        _l("Your question"),
        validators=[DataRequired(message=_l("Write your question.")), Length(max=MAX_BODY)],
        description=_l("The pledged times the policy names wait until they answer."),
    )

    def params(self) -> dict:
        return {"party": self.ask_party.data, "body": self.ask_body.data}


MEDIATOR_FORMS: dict[str, type[FlaskForm]] = {
    "accept": AcceptCaseForm,
    "return": ReturnCaseForm,
    "schedule": ScheduleSessionForm,
    "ask": AskPartyForm,
}
