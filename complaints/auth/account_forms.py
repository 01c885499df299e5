"""The signed-in person's own account: details, password, notifications, deletion."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from complaints.models import EmailFrequency, NotificationKind
from complaints.services.privacy import is_time_zone
from complaints.web.templating import zone_name

# Offered in the time zone list; the platform's default (China) comes first. The values stored are
# IANA zone names; people see each by its city in their language and its offset (zone_name).
COMMON_TIME_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Sydney",
)


class ProfileForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    phone = StringField(
        _l("Phone (optional)"),
        validators=[Optional(), Length(max=32)],
        description=_l("Agents handling your complaints may call you on this number."),
    )
    locale = SelectField(
        _l("Language"), choices=[SelectChoice("zh_CN", "中文"), SelectChoice("en", "English")]
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=[],  # named in the viewer's language when the form is made (__init__)
        validate_choice=False,  # checked against zoneinfo below, with a clearer message
        description=_l("Dates and times are shown in this zone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice("", _l("Platform default (China Standard Time)"))] + [
            SelectChoice(z, zone_name(z)) for z in COMMON_TIME_ZONES
        ]

    def validate_timezone(self, field):
        if field.data and (field.data not in COMMON_TIME_ZONES or not is_time_zone(field.data)):
            raise ValidationError(_l("Choose a time zone from the list."))


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("At least 10 characters, mixing letters with digits or symbols."),
    )
    repeat = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=200)])
    confirm = BooleanField(
        _l("I understand that my account is deleted for good and I can no longer sign in."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


# What each kind of notification is about, as the e-mail preferences name it.
KIND_LABELS = {
    NotificationKind.REPLY: _l("Messages and answers"),
    NotificationKind.QUESTION: _l("Questions put to you"),
    NotificationKind.EVIDENCE: _l("Evidence the consumer adds"),
    NotificationKind.DECISION: _l("Decisions (verified, rejected, resolved, withdrawn, closed)"),
    NotificationKind.SETTLEMENT_OFFER: _l("The shop's settlement offers"),
    NotificationKind.OFFER_ANSWERED: _l("The consumer's answer to an offer"),
    NotificationKind.REFERRED: _l("Referrals to mediation"),
    NotificationKind.PLEDGE_DATE: _l("Changes to a pledged date"),
    NotificationKind.SHOP_REPLY_MISSED: _l("Your shop's missed reply deadlines"),
    NotificationKind.ASSIGNED: _l("Complaints assigned to you"),
    NotificationKind.DEPOSIT_CONSENT: _l("Requests for your consent to a payout from a shop's deposit"),
    NotificationKind.DEPOSIT_APPROVAL: _l("Deposit payouts waiting for approval"),
    NotificationKind.DEPOSIT_PAID: _l("Payouts from a shop's deposit"),
    NotificationKind.DEPOSIT_CLOSED: _l("Deposit payouts refused, declined or cancelled"),
    NotificationKind.AGREEMENT_ACCEPTED: _l("Acceptances of a mediation agreement"),
    NotificationKind.AGREEMENT_PAID: _l("Payments under a mediation agreement"),
    NotificationKind.AGREEMENT_RECEIPT: _l("The consumer's answer on receiving what was agreed"),
    NotificationKind.AGREEMENT_UNPAID: _l("Mediation agreements unpaid after their deadline"),
    NotificationKind.AGREEMENT_DECLINED: _l("A party declining a mediation agreement"),
    NotificationKind.REFERRAL_CONSENT: _l("Requests for your consent to mediation"),
    NotificationKind.REFERRAL_ENDED: _l("Referrals to mediation declined, lapsed or returned"),
    NotificationKind.REFERRAL_ACCEPTED: _l("Mediation accepted by the organisation"),
    NotificationKind.SESSION_SCHEDULED: _l("Mediation sessions scheduled"),
    NotificationKind.SLA_WARNING: _l("Pledged times about to run out"),
    NotificationKind.SLA_BREACH: _l("Pledged times that ran out"),
}


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (the template renders them in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NotificationPreferencesForm(FlaskForm):
    """Which notifications are also e-mailed, and when. Every notification shows in the app."""

    frequency = RadioField(
        _l("E-mail me"),
        choices=[
            SelectChoice(EmailFrequency.IMMEDIATE.value, _l("At once, one e-mail per notification")),
            SelectChoice(EmailFrequency.DAILY.value, _l("Once a day, in a summary")),
            SelectChoice(EmailFrequency.NEVER.value, _l("Never: in the app only")),
        ],
        validators=[InputRequired()],
    )
    emailed = CheckboxesField(
        _l("What to e-mail"),
        choices=[],
        description=_l("Unticked kinds are shown in the app only."),
    )

    def offer(self, kinds) -> None:
        """Offer `kinds` (the ones this person can receive) as the checkboxes."""
        self.emailed.choices = [SelectChoice(kind.value, KIND_LABELS.get(kind, kind.value)) for kind in kinds]
