"""Forms of the consumer portal: filing a complaint and the actions a consumer may take on it.

The forms check what a person can fix in the form itself (a missing field, an amount that is not
money); the services check everything again, including the files' content.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import (
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from complaints.models import DesiredOutcome
from complaints.services.conversation import MAX_BODY
from complaints.web.labels import DESIRED
from complaints.web.params import MoneyField

EVIDENCE_TYPES = ".jpg,.jpeg,.png,.pdf"


def _evidence_hint() -> str:
    config = current_app.config
    return _(
        "Up to %(count)s files: photos (JPEG or PNG) or PDF documents, at most %(mb)s MB each.",
        count=config["MAX_ATTACHMENTS"],
        mb=config["MAX_ATTACHMENT_BYTES"] // (1024 * 1024) or 1,
    )


def _evidence_field(label, *validators) -> MultipleFileField:
    return MultipleFileField(label, validators=list(validators), render_kw={"accept": EVIDENCE_TYPES})


class ComplaintForm(FlaskForm):
    """What a consumer tells us when filing. Choices are filled in by the view."""

    # Named merchant_id for the form's field, but typed: the shop's name or code, as on the order.
    merchant_id = StringField(
        _l("Shop"),
        validators=[InputRequired(_l("Choose the shop you bought from.")), Length(max=200)],
        description=_l("The shop's name or its shop code, as shown on your order."),
        render_kw={"autocomplete": "off"},
    )
    order_reference = StringField(
        _l("Order number"),
        validators=[
            DataRequired(_l("Give the order number from your order confirmation.")),
            Length(max=64, message=_l("An order number has at most 64 characters.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    category_id = SelectField(
        _l("What is the complaint about?"),
        validators=[InputRequired(_l("Choose what the complaint is about."))],
    )
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Give your complaint a short title.")),
            Length(max=200, message=_l("A title has at most 200 characters.")),
        ],
        description=_l("One line, for example: The headphones arrived broken."),
    )
    description = TextAreaField(
        _l("What happened?"),
        validators=[
            DataRequired(_l("Describe what happened.")),
            Length(max=MAX_BODY, message=_l("The description can be at most 10,000 characters.")),
        ],
        description=_l("When you ordered, what went wrong, and what the shop said if you contacted it."),
    )
    desired_outcome = SelectField(
        _l("What would you like to happen?"),
        validators=[InputRequired(_l("Choose what you would like to happen."))],
    )
    claimed_amount = MoneyField(
        _l("Amount claimed (CNY)"),
        validators=[InputRequired(_l("Give the amount you are claiming (0 if none)."))],
        description=_l("The money you ask for, such as the price paid. Enter 0 if you claim no money."),
    )
    evidence = _evidence_field(_l("Evidence (optional)"))

    def __init__(self, categories, locale: str, **kwargs):
        super().__init__(**kwargs)
        self.category_id.choices = [SelectChoice("", _("Choose a category"))] + [
            SelectChoice(str(c.id), c.display_name(locale)) for c in categories
        ]
        self.desired_outcome.choices = [SelectChoice("", _("Choose an outcome"))] + [
            SelectChoice(outcome.value, str(DESIRED[outcome])) for outcome in DesiredOutcome
        ]
        self.evidence.description = _evidence_hint()


class VersionedForm(FlaskForm):
    """An action that moves the complaint's state: it carries the version the consumer saw."""

    version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(_l("This form is out of date. Reload the page and try again."))],
    )


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Your message"),
        validators=[
            DataRequired(_l("Write a message.")),
            Length(max=MAX_BODY, message=_l("A message can be at most 10,000 characters.")),
        ],
    )
    attachments = _evidence_field(_l("Attach files (optional)"))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.attachments.description = _evidence_hint()

    def params(self) -> dict:
        return {"body": self.body.data, "files": self.attachments.data or []}


class EvidenceForm(FlaskForm):
    evidence = _evidence_field(_l("Files"), FileRequired(_l("Choose at least one file.")))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.evidence.description = _evidence_hint()

    def params(self) -> dict:
        return {"files": self.evidence.data or []}


class WithdrawForm(VersionedForm):
    withdraw_reason = TextAreaField(
        _l("Why are you withdrawing it? (optional)"),
        validators=[Optional(), Length(max=2000, message=_l("At most 2,000 characters."))],
        description=_l("For example: the shop refunded me."),
    )

    def params(self) -> dict:
        return {"reason": (self.withdraw_reason.data or "").strip() or None}


RATINGS = [
    SelectChoice("1", _l("1 – Very poor")),
    SelectChoice("2", _l("2 – Poor")),
    SelectChoice("3", _l("3 – Fair")),
    SelectChoice("4", _l("4 – Good")),
    SelectChoice("5", _l("5 – Very good")),
]


class ConfirmForm(VersionedForm):
    rating = RadioField(
        _l("How well did we handle your complaint?"),
        choices=RATINGS,
        validators=[InputRequired(_l("Choose a rating from 1 to 5."))],
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Optional(), Length(max=2000, message=_l("At most 2,000 characters."))],
    )

    def params(self) -> dict:
        return {"rating": int(self.rating.data), "comment": (self.comment.data or "").strip() or None}


def _reason_field(label, description=None, required=True) -> TextAreaField:
    first = DataRequired(_l("Give your reason.")) if required else Optional()
    return TextAreaField(
        label,
        validators=[first, Length(max=2000, message=_l("At most 2,000 characters."))],
        description=description,
    )


class ReferralForm(VersionedForm):
    """An action that refers the complaint to mediation; the view fills in the organisations."""

    mediation_org_id = SelectField(
        _l("Mediation organisation"),
        validators=[InputRequired(_l("Choose a mediation organisation."))],
        description=_l("An independent organisation that helps you and the shop reach an agreement."),
    )

    def set_organisations(self, organisations, locale: str) -> None:
        """Offer `organisations`, each named in `locale` (the consumer's language)."""
        choices = [SelectChoice(str(org.id), org.in_locale(locale)) for org in organisations]
        if len(organisations) > 1:
            # No silent default: the consumer picks the organisation on purpose.
            choices.insert(0, SelectChoice("", _l("Choose an organisation")))
        self.mediation_org_id.choices = choices
        if len(organisations) == 1 and not self.mediation_org_id.data:
            self.mediation_org_id.data = str(organisations[0].id)


class DisputeForm(ReferralForm):
    dispute_reason = _reason_field(
        _l("Why do you disagree with the outcome?"),
        _l("Your complaint goes to independent mediation. Say what you still want to happen."),
    )

    def params(self) -> dict:
        return {
            "reason": self.dispute_reason.data.strip(),
            "mediation_org_id": int(self.mediation_org_id.data),
        }


class EscalateForm(ReferralForm):
    escalate_reason = _reason_field(_l("What should the mediator know? (optional)"), required=False)

    def params(self) -> dict:
        return {
            "reason": (self.escalate_reason.data or "").strip() or None,
            "mediation_org_id": int(self.mediation_org_id.data),
        }


class AppealForm(VersionedForm):
    appeal_reason = _reason_field(
        _l("Why should we look at it again?"),
        _l("A rejected complaint can be appealed once. Add anything we did not know."),
    )

    def params(self) -> dict:
        return {"reason": self.appeal_reason.data.strip()}


class OfferAnswerForm(VersionedForm):
    """An answer to the shop's offer names the offer the consumer saw (a newer one may have come)."""

    offer_id = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(_l("This form is out of date. Reload the page and try again."))],
    )


class AcceptOfferForm(OfferAnswerForm):
    def params(self) -> dict:
        return {"offer_id": self.offer_id.data}


class DeclineOfferForm(OfferAnswerForm):
    decline_reason = _reason_field(
        _l("Why do you decline the offer?"),
        _l("The shop and the platform's staff see your reason. Your complaint stays open."),
    )

    def params(self) -> dict:
        return {"offer_id": self.offer_id.data, "reason": self.decline_reason.data.strip()}
