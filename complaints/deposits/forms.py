"""Forms of the deposit pages and of the consumer's written consent.

Several are on one page, so their field names are unique (they become the ids labels point at).
Amounts are read by web/params.MoneyField (exactly as typed, or a message beside the field);
whether there is enough in the deposit is the service's answer.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation

from complaints.services.deposit_payouts import MAX_NAME
from complaints.services.deposits import MAX_REASON
from complaints.web.params import MoneyField

REASON_TOO_LONG = _l("The reason can be at most %(max)s characters.", max=MAX_REASON)


def _more_than_zero(form, field) -> None:
    if field.amount_error:
        raise StopValidation(field.amount_error)
    if field.data is None:
        raise StopValidation(_l("Enter the amount."))
    if field.data <= 0:
        raise StopValidation(_l("The amount must be more than zero."))


def _reason(label, message) -> TextAreaField:
    return TextAreaField(
        label, validators=[DataRequired(message), Length(max=MAX_REASON, message=REASON_TOO_LONG)]
    )


class TopUpForm(FlaskForm):
    topup_amount = MoneyField(_l("Amount paid in"), validators=[_more_than_zero])
    topup_reason = _reason(_l("Reference of the payment"), _l("Say which payment this is."))

    def params(self) -> dict:
        return {"amount": self.topup_amount.data, "reason": self.topup_reason.data}


class AdjustmentForm(FlaskForm):
    adjust_direction = RadioField(
        _l("Adjustment"),
        choices=[
            SelectChoice("add", _l("Add to the deposit")),
            SelectChoice("deduct", _l("Deduct from the deposit")),
        ],
        validators=[InputRequired(_l("Choose whether to add or deduct."))],
    )
    adjust_amount = MoneyField(_l("Amount"), validators=[_more_than_zero])
    adjust_reason = _reason(_l("Why"), _l("Say why the deposit is adjusted."))

    def params(self) -> dict:
        amount: Decimal = self.adjust_amount.data
        return {
            "amount": -amount if self.adjust_direction.data == "deduct" else amount,
            "reason": self.adjust_reason.data,
        }


class PayoutRequestForm(FlaskForm):
    payout_reference = StringField(
        _l("Complaint reference"),
        validators=[DataRequired(_l("Give the complaint's reference.")), Length(max=32)],
        description=_l("A complaint about this shop, such as C-2026-000123."),
    )
    payout_amount = MoneyField(_l("Amount to pay the consumer"), validators=[_more_than_zero])
    payout_reason = _reason(_l("Why the shop owes it"), _l("Say why the shop owes the consumer this money."))

    def params(self) -> dict:
        return {
            "reference": self.payout_reference.data.strip(),
            "amount": self.payout_amount.data,
            "reason": self.payout_reason.data,
        }


class PayoutDecisionForm(FlaskForm):
    """Approving or paying: nothing to fill in but the token."""


class PayoutRefusalForm(FlaskForm):
    refusal_reason = _reason(_l("Why it is refused"), _l("Say why the payout is refused."))


class PayoutCancelForm(FlaskForm):
    cancel_reason = _reason(_l("Why it is cancelled"), _l("Say why the request is cancelled."))


class ConsentForm(FlaskForm):
    consent_name = StringField(
        _l("Your full name"),
        validators=[DataRequired(_l("Type your full name to sign your consent.")), Length(max=MAX_NAME)],
        description=_l("As it is on your account. Typing it is your written signature."),
        render_kw={"autocomplete": "name"},
    )
    consent_confirm = BooleanField(
        _l("I agree that this amount is paid to me from the shop's guarantee deposit."),
        validators=[DataRequired(_l("Tick the box to confirm that you agree to this payment."))],
    )


class DeclineForm(FlaskForm):
    payout_decline_reason = _reason(
        _l("Why you do not agree"), _l("Say why you do not agree to this payment.")
    )
