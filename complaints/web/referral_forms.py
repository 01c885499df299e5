"""Forms of a referral to mediation for its parties: consent, or decline with a reason.

Field names are unique across the forms of a page (they become the ids the labels point at).
Each form names its workflow action and the parameters it takes (`params()`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from complaints.services.referrals import MAX_REASON
from complaints.workflow import Action


def reason_field(label, description=None) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            DataRequired(message=_l("Give your reason.")),
            Length(max=MAX_REASON, message=_l("At most 2,000 characters.")),
        ],
        description=description,
    )


class ReferralConsentForm(FlaskForm):
    action = Action.CONSENT_REFERRAL
    referral_consent = BooleanField(
        _l("I agree that this organisation mediates between the consumer and the shop"),
        validators=[DataRequired(message=_l("Tick the box to consent to mediation."))],
    )

    def params(self) -> dict:
        return {}


class ReferralDeclineForm(FlaskForm):
    action = Action.DECLINE_REFERRAL
    referral_decline_reason = reason_field(
        _l("Why do you decline mediation?"),
        _l("The other party reads this. The platform then decides the complaint itself."),
    )

    def params(self) -> dict:
        return {"reason": self.referral_decline_reason.data}


PARTY_FORMS: dict[str, type[FlaskForm]] = {"consent": ReferralConsentForm, "decline": ReferralDeclineForm}
