"""Forms for the pledge: SLA policies with one fieldset per clock, and working calendars.

The forms only parse what was typed; the rules (amounts, warning points, hours, zones) are in
services.pledges, whose refusals name these fields ("resolution-amount", "hours_0", "day") so
they are shown beside them.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from complaints.models import BreachAction, ClockKind
from complaints.services.pledge_targets import TargetDraft
from complaints.web.i18n import example_hint
from complaints.web.labels import CLOCK, PAUSE_REASON, UNIT

# What a breach sets off, as the admin reads it (belongs with the other enum labels in web/labels.py).
BREACH_ACTION = {
    BreachAction.NOTIFY_SUPERVISORS.value: _l("notify the supervisors"),
    BreachAction.RAISE_PRIORITY.value: _l("raise the priority"),
    BreachAction.OFFER_CONSUMER_ESCALATION.value: _l("let the consumer take it to mediation"),
}

HOLIDAY_SOURCE = {
    "CN": _l("China's official holidays and makeup workdays"),
    "none": _l("No official holidays; only the days listed here"),
}

# The size a policy applies to: the form's value -> SlaPolicy.major.
MAJOR_SCOPE = {"any": None, "major": True, "minor": False}
MAJOR_LABEL = {
    None: _l("Any size"),
    True: _l("Major complaints only"),
    False: _l("Complaints that are not major"),
}

WEEKDAYS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (the template renders them in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TargetForm(Form):
    """The promise for one clock kind; an empty amount means no promise for that clock."""

    amount = DecimalField(
        _l("Window"),
        places=None,
        validators=[Optional()],
        description=_l("Leave empty to promise nothing for this clock."),
    )
    unit = SelectField(
        _l("Counted in"),
        choices=[SelectChoice("working_days", UNIT["working_days"]), SelectChoice("hours", UNIT["hours"])],
        validate_choice=False,
        description=_l(
            "Hours are working hours of the calendar; on a round-the-clock calendar, plain hours."
        ),
    )
    calendar_id = SelectField(_l("Calendar"), validate_choice=False)
    warn_percent = IntegerField(
        _l("Warn when this share of the window has passed (%)"),
        default=75,
        validators=[Optional()],
    )
    pause_on = CheckboxesField(
        _l("Pauses while"),
        choices=[SelectChoice(key, label) for key, label in PAUSE_REASON.items()],
        validate_choice=False,
    )
    breach_actions = CheckboxesField(
        _l("When the window runs out"),
        choices=[SelectChoice(key, label) for key, label in BREACH_ACTION.items()],
        validate_choice=False,
    )


class PolicyTargetsForm(FlaskForm):
    """One fieldset per clock kind, named after it (field names like "resolution-amount")."""

    response = FormField(TargetForm, label=CLOCK[ClockKind.RESPONSE])
    verification = FormField(TargetForm, label=CLOCK[ClockKind.VERIFICATION])
    merchant_reply = FormField(TargetForm, label=CLOCK[ClockKind.MERCHANT_REPLY])
    resolution = FormField(TargetForm, label=CLOCK[ClockKind.RESOLUTION])
    mediation = FormField(TargetForm, label=CLOCK[ClockKind.MEDIATION])

    def target_fields(self) -> list[tuple[ClockKind, FormField]]:
        return [(kind, self[kind.value]) for kind in ClockKind]

    def set_calendars(self, choices: list[SelectChoice]) -> None:
        for _, target in self.target_fields():
            target.form.calendar_id.choices = choices

    def drafts(self) -> list[TargetDraft]:
        """What was typed for each clock, for services.pledges."""
        return [
            TargetDraft(
                kind=kind,
                amount=target.form.amount.data,
                unit=target.form.unit.data,
                calendar_id=target.form.calendar_id.data,
                warn_percent=target.form.warn_percent.data,
                pause_on=list(target.form.pause_on.data or []),
                breach_actions=list(target.form.breach_actions.data or []),
            )
            for kind, target in self.target_fields()
        ]


def _policy_name() -> StringField:
    return StringField(
        _l("Name in Chinese"),
        render_kw={"lang": "zh-CN"},
        validators=[DataRequired(), Length(max=120)],
        description=example_hint("服务承诺：大家电", "zh-CN"),
    )


def _policy_name_en() -> StringField:
    return StringField(
        _l("Name in English"),
        render_kw={"lang": "en"},
        validators=[DataRequired(), Length(max=120)],
        description=example_hint("Service pledge: large appliances", "en"),
    )


def _note_en(label) -> StringField:
    return StringField(
        label,
        render_kw={"lang": "en"},
        validators=[Optional(), Length(max=200)],
        description=_l("Pages in English show the Chinese note when this is empty."),
    )


class NewPolicyForm(PolicyTargetsForm):
    name = _policy_name()
    name_en = _policy_name_en()
    category_id = SelectField(_l("Category"), validate_choice=False)
    major = SelectField(
        _l("Size of complaint"),
        choices=[SelectChoice(key, MAJOR_LABEL[value]) for key, value in MAJOR_SCOPE.items()],
        default="any",
        validators=[AnyOf(list(MAJOR_SCOPE))],
    )
    note = StringField(
        _l("Note for the history, in Chinese (optional)"),
        render_kw={"lang": "zh-CN"},
        validators=[Optional(), Length(max=200)],
    )
    note_en = _note_en(_l("Note for the history, in English (optional)"))


class PolicyVersionForm(PolicyTargetsForm):
    note = StringField(
        _l("What changed, in Chinese"),
        render_kw={"lang": "zh-CN"},
        validators=[DataRequired(), Length(max=200)],
        description=_l(
            "Kept in the policy's history, e.g. “Resolution shortened to 10 working days (board decision).”"
        ),
    )
    note_en = _note_en(_l("What changed, in English (optional)"))


class PolicyNamesForm(FlaskForm):
    """A policy's names: not part of its promises, so changing them publishes no version."""

    name = _policy_name()
    name_en = _policy_name_en()


class PolicyActiveForm(FlaskForm):
    """Activate or deactivate a policy: `active` is the state wanted, so resending is harmless."""

    active = HiddenField(validators=[AnyOf(["1", "0"])])


class CalendarForm(FlaskForm):
    name = StringField(
        _l("Name in Chinese"),
        render_kw={"lang": "zh-CN"},
        validators=[DataRequired(), Length(max=100)],
        description=example_hint("中国工作日（周一至周五 9:00–18:00，法定节假日休息）", "zh-CN"),
    )
    name_en = StringField(
        _l("Name in English"),
        render_kw={"lang": "en"},
        validators=[DataRequired(), Length(max=100)],
        description=example_hint("China working days (Mon–Fri 9:00–18:00, official holidays off)", "en"),
    )
    timezone = StringField(
        _l("Time zone"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("An IANA time zone name, e.g. Asia/Shanghai."),
    )
    hours_0 = StringField(WEEKDAYS[0])
    hours_1 = StringField(WEEKDAYS[1])
    hours_2 = StringField(WEEKDAYS[2])
    hours_3 = StringField(WEEKDAYS[3])
    hours_4 = StringField(WEEKDAYS[4])
    hours_5 = StringField(WEEKDAYS[5])
    hours_6 = StringField(WEEKDAYS[6])
    count_receipt_day = BooleanField(
        _l("Count the day a complaint arrives as its first working day"),
        description=_l(
            "Usually left unticked: as in Chinese consumer-protection rules, the day of receipt is not "
            "counted, so counting starts with the next working day, and a window ends at the end of its "
            "last working day. Ticked, a complaint received during working hours uses that day as day one."
        ),
    )

    def weekday_fields(self) -> list[StringField]:
        return [self[f"hours_{weekday}"] for weekday in range(7)]

    def hours(self) -> dict[int, str]:
        return {weekday: self[f"hours_{weekday}"].data or "" for weekday in range(7)}


class CalendarDayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])
    kind = RadioField(
        _l("This date is"),
        choices=[
            SelectChoice("working", _l("a working day (e.g. an officially published makeup workday)")),
            SelectChoice("holiday", _l("a holiday (no work)")),
        ],
        default="working",
        validators=[DataRequired()],
    )
    note = StringField(
        _l("Note in Chinese (optional)"),
        render_kw={"lang": "zh-CN"},
        validators=[Optional(), Length(max=200)],
        description=example_hint("国庆节；春节调休上班（国务院通知）", "zh-CN"),
    )
    note_en = StringField(
        _l("Note in English (optional)"),
        render_kw={"lang": "en"},
        validators=[Optional(), Length(max=200)],
        description=example_hint(
            "National Day; makeup workday for the Spring Festival (State Council notice)", "en"
        ),
    )
